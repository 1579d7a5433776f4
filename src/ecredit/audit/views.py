from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ecredit.accounts.access import requires
from ecredit.accounts.roles import Action
from ecredit.audit.forms import AuditFilterForm
from ecredit.audit.queries import filter_entries


@requires(Action.AUDIT_VIEW)
def log(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return render(request, "audit/log.html", {"form": form, "page": None}, status=400)
    filters = form.cleaned_data if form.is_bound else {}
    page = Paginator(filter_entries(**filters), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/log.html", {"form": form, "page": page, "query": query.urlencode()})
