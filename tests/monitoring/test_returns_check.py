"""The 7-day return check: command, public page, public API."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client


def run(*args: str) -> str:
    out = StringIO()
    call_command("returns", *args, stdout=out)
    return out.getvalue()


def test_it_answers_the_command_in_json_with_cited_reasons() -> None:
    answer = json.loads(
        run("check", "--category", "clothing", "--received", "2024-05-01", "--requested", "2024-05-09", "--json")
    )
    assert answer["returnable"] is False
    assert answer["deadline"] == "2024-05-08"
    assert [r["code"] for r in answer["reasons"]] == ["late", "intact_condition"]
    assert all(r["cites"] for r in answer["reasons"])


def test_it_takes_every_flag_on_the_command_line() -> None:
    answer = json.loads(
        run(
            "check", "--category", "food", "--received", "2024-05-01", "--requested", "2024-05-02",
            "--not-intact", "--custom-made", "--perishable", "--digital-opened", "--periodical",
            "--confirmed-non-returnable", "--json",
        )
    )  # fmt: skip
    assert answer["returnable"] is False
    codes = [r["code"] for r in answer["reasons"]]
    assert codes.count("exception") == 2 and "confirmed" in codes and "not_intact" in codes


def test_it_refuses_an_unknown_category_with_exit_2() -> None:
    with pytest.raises(CommandError) as caught:
        run("check", "--category", "nothing", "--received", "2024-05-01", "--requested", "2024-05-02")
    assert caught.value.returncode == 2 and "没有商品品类" in str(caught.value)


def test_it_lists_the_categories_of_the_pack() -> None:
    rows = json.loads(run("categories", "--json"))
    assert {"clothing", "food", "fresh", "digital_media", "periodicals"} <= {row["code"] for row in rows}
    assert "clothing\t" in run("categories")


@pytest.mark.django_db
def test_it_answers_the_public_api_without_an_account() -> None:
    response = Client().get(
        "/api/v1/returns/check",
        {"category": "fresh", "received": "2024-05-01", "requested": "2024-05-02"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["returnable"] is False and body["deadline"] == "2024-05-08"
    assert body["reasons"][0]["code"] == "exception" and "10.4" in body["reasons"][0]["cites"]


@pytest.mark.django_db
def test_it_refuses_bad_api_input_in_chinese() -> None:
    response = Client().get(
        "/api/v1/returns/check", {"category": "clothing", "received": "2024-05-05", "requested": "2024-05-01"}
    )
    assert response.status_code == 422
    assert response.json()["message"] == "退货申请日期不能早于签收日期。"


@pytest.mark.django_db
def test_it_shows_the_public_page_with_the_answer() -> None:
    page = Client().get(
        "/monitoring/returns/",
        {"category": "clothing", "received": "2024-05-01", "requested": "2024-05-03", "not_intact": "on"},
    )
    text = page.content.decode()
    assert page.status_code == 200
    assert "不能无理由退货" in text and "商标标识被摘" in text and "2024-05-08" in text


@pytest.mark.django_db
def test_it_explains_a_request_before_receipt_on_the_page() -> None:
    page = Client().get(
        "/monitoring/returns/", {"category": "clothing", "received": "2024-05-05", "requested": "2024-05-01"}
    )
    assert "退货申请日期不能早于签收日期。" in page.content.decode()
    assert 'data-testid="returns-decision"' not in page.content.decode()
