"""Background work (django-tasks, database queue; run by ``ecredit db_worker``)."""

from __future__ import annotations

from django_tasks import task

from ecredit.evidence import services


@task()
def capture_task(evidence_id: int) -> None:
    """Capture a queued page: the browser runs in its own process with a hard time limit."""
    services.perform_capture(evidence_id=evidence_id)
