"""Background work (django-tasks, database queue; run by ``ecredit db_worker``)."""

from __future__ import annotations

from django_tasks import task

from ecredit.monitoring import services


@task()
def process_batch_task(batch_id: int, user_id: int) -> None:
    """Check and apply a batch uploaded through the page that was too large to handle in the request."""
    services.process_queued_batch(batch_id=batch_id, user_id=user_id)
