from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ecredit.accounts.access import public


@public
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html")
