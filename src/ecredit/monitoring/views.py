"""Monitoring pages: the public 7-day return check."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ecredit.accounts.access import public
from ecredit.monitoring import returns
from ecredit.monitoring.forms import ReturnsCheckForm
from ecredit.policy.packs import active_pack


@public
@require_GET
def returns_check(request: HttpRequest) -> HttpResponse:
    form = ReturnsCheckForm(request.GET or None)
    decision = None
    if form.is_valid():
        data = dict(form.cleaned_data)
        try:
            decision = returns.check(active_pack(), returns.Goods(intact=not data.pop("not_intact"), **data))
        except returns.ReturnsInputError as exc:
            form.add_error(exc.field, exc.message)
    return render(request, "monitoring/returns_check.html", {"form": form, "decision": decision})
