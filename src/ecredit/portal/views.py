"""Public pages: the home page and the public credit lookup.

The public sees an organisation's grade, the day it was given, the scheme and its notice, any
extension it rests on, and only the reasons the pack declares public (penalty decisions and inspection
results, already public by law). Never an event's source, evidence or reasons, never personal data:
natural persons are not listed at all (their badge page is their public face).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ecredit.accounts.access import public
from ecredit.credit import queries
from ecredit.credit.forms import PublicSearchForm
from ecredit.credit.views import grade_view, public_reasons, publicly_listed, with_latest
from ecredit.policy.packs import active_pack
from ecredit.registry import services as registry
from ecredit.registry.models import Entity

RESULTS_LIMIT = 50


@public
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {"search_form": PublicSearchForm()})


@public
@require_GET
def credit_search(request: HttpRequest) -> HttpResponse:
    form = PublicSearchForm(request.GET or None)
    results: list[Entity] = []
    query = ""
    if form.is_valid():
        query = form.cleaned_data["q"].strip()
        if query:
            base = with_latest(publicly_listed(Entity.objects.select_related("filing")))
            results = list(registry.search_entities(query, base=base).order_by("name", "pk")[: RESULTS_LIMIT + 1])
    context = {
        "form": form,
        "query": query,
        "results": results[:RESULTS_LIMIT],
        "more": len(results) > RESULTS_LIMIT,
        "notice": active_pack().scale.notice,
    }
    return render(request, "portal/credit_search.html", context)


@public
@require_GET
def credit_entity(request: HttpRequest, code: str) -> HttpResponse:
    found = publicly_listed(Entity.objects.select_related("filing")).filter(uscc=code.strip().upper()).first()
    if found is None:
        raise Http404
    grade = grade_view(found, queries.latest_evaluation(found))
    context = {
        "entity": found,
        "grade": grade,
        "reasons": public_reasons(grade) if grade else [],
        "notice": grade.notice if grade else active_pack().scale.notice,
        "filing": getattr(found, "filing", None),
    }
    return render(request, "portal/credit_entity.html", context)
