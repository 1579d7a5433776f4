"""``ecredit registry check | rotate-keys | permits`` as a person at the shell runs them."""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from ecredit.registry import services
from ecredit.registry.models import Entity, FilingVersion
from tests.cast import Cast
from tests.registry.helpers import actor, approved_filing, make_resident_id, make_uscc, register


def run(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("registry", *args, stdout=out)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue()
    return 0, out.getvalue()


def test_it_checks_codes_one_line_each_and_exits_by_the_worst() -> None:
    inside, outside, letter_first = make_uscc(), make_uscc("350502"), make_uscc(first="Y1")
    person = make_resident_id()
    status, output = run("check", inside, outside, letter_first, person)
    assert status == 0
    assert output.splitlines() == [
        f"{inside}\tvalid\tin-jurisdiction",
        f"{outside}\tvalid\toutside-jurisdiction",
        f"{letter_first}\tvalid\tin-jurisdiction",
        f"{person}\tvalid",
    ]
    broken = inside[:17] + ("0" if inside[17] != "0" else "1")
    status, output = run("check", inside, broken, "hello")
    lines = output.splitlines()
    assert status == 1 and len(lines) == 3
    assert lines[0].endswith("valid\tin-jurisdiction")
    assert lines[1].startswith(f"{broken}\tinvalid\t") and "校验位" in lines[1]
    assert "\tinvalid\t" in lines[2]


def test_it_runs_as_the_installed_ecredit_command(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env["ECREDIT_VAR_DIR"] = str(tmp_path)
    ecredit = Path(sys.executable).parent / "ecredit"
    done = subprocess.run(
        [str(ecredit), "registry", "check", " 9135 0583 " + make_uscc()[8:], "91350583000000000X"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    first, second = done.stdout.splitlines()
    assert first.endswith("\tvalid\tin-jurisdiction") and " " not in first.split("\t")[0]
    assert "\tinvalid\t" in second


@pytest.mark.django_db
def test_it_rotates_the_field_key_and_old_data_stays_readable(cast: Cast, settings: object) -> None:
    number = make_resident_id()
    person = register(cast.credit_officer, "黄阿妹", kind="natural_person", code=number, organisation=cast.seller_a_org)
    approved_filing(cast.credit_officer, cast.seller_a, person)

    def raw(table: str, column: str, pk: int) -> str:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608 -- fixed names
            return str(cursor.fetchone()[0])

    version = FilingVersion.objects.get(filing__entity=person)
    before = (
        raw("registry_entity", "resident_id", person.pk),
        raw("registry_filingversion", "contact_phone", version.pk),
    )
    old_keys = list(settings.FIELD_ENCRYPTION_KEYS)  # type: ignore[attr-defined]
    new_key = Fernet.generate_key().decode()
    with override_settings(FIELD_ENCRYPTION_KEYS=[new_key, *old_keys]):
        status, output = run("rotate-keys")
        assert status == 0 and "重新加密" in output
    after = raw("registry_entity", "resident_id", person.pk), raw("registry_filingversion", "contact_phone", version.pk)
    assert before[0] != after[0] and before[1] != after[1]
    with override_settings(FIELD_ENCRYPTION_KEYS=[new_key]):  # the old key is gone
        assert Entity.objects.get(pk=person.pk).resident_id == number
        assert FilingVersion.objects.get(pk=version.pk).contact_phone == "+8659586381234"
        assert list(services.search_entities(number)) == [person]


@pytest.mark.django_db
def test_it_lists_permits_about_to_expire(cast: Cast) -> None:
    entity = register(cast.credit_officer, "南安市康美镇食品厂", organisation=cast.seller_a_org)
    services.add_permit(
        actor(cast.seller_a),
        entity,
        kind="food_production",
        number="SC10635058300123",
        issuer="南安市市场监督管理局",
        valid_from=dt.date(2021, 12, 1),
        valid_until=dt.date(2026, 12, 20),
    )
    status, output = run("permits", "--today", "2026-11-28")
    assert status == 0 and "SC10635058300123" in output and "剩 22 天" in output
    status, output = run("permits", "--today", "2026-11-28", "--within-days", "7")
    assert output == ""
