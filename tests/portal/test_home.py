"""The public home page leads a shopper to every public page without an account."""

from __future__ import annotations

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_it_links_every_public_service_and_each_answers_without_login() -> None:
    page = Client().get("/").content.decode()
    public = re.search(r'<section class="panel" aria-labelledby="public">(.*?)</section>', page, re.S)
    assert public is not None
    links = re.findall(r'href="([^"]+)"', public.group(1))
    assert links == [
        "/inspections/public/",
        "/enforcement/penalties/",
        "/monitoring/returns/",
        "/monitoring/complain/",
        "/evidence/verify",
    ]
    for link in links:
        assert Client().get(link).status_code == 200, link
