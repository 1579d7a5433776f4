"""执法办案 pages. Thin: each change is one call of ``enforcement.services``."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ecredit.accounts.access import public
from ecredit.enforcement.models import Document


@public
def check(request: HttpRequest, token: str) -> HttpResponse:
    """The public page a document's QR code leads to: only its number, date and issuing department."""
    document = Document.objects.filter(token=token).select_related("department").first()
    return render(request, "enforcement/check.html", {"document": document}, status=200 if document else 404)
