"""`ecredit evidence capture | export | verify`, end to end with a real browser and a local site."""

from __future__ import annotations

import io
import json
import subprocess
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from pytest_django.fixtures import Settings

from ecredit.evidence.certificate import certificate_pdf
from ecredit.evidence.models import Evidence
from tests.cast import Cast
from tests.pdfcheck import assert_renders_chinese

WACZ_CLI = Path("/work/main/.venv/bin/wacz")


@pytest.fixture(autouse=True)
def _media(settings: Settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("evidence", *args, stdout=out)
    return out.getvalue()


def _verify_exit(target: str) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("evidence", "verify", target, stdout=out)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue()
    return 0, out.getvalue()


def test_it_captures_exports_and_verifies(cast: Cast, site: str, allow_private: None, tmp_path: Path) -> None:
    printed = _run("capture", f"{site}/product", "--case", "南市监案〔2026〕7号", "--note", "虚假宣传", "--json")
    ident = json.loads(printed)["id"]
    evidence = Evidence.objects.get(pk=ident)
    assert evidence.status == "ready" and evidence.case_ref == "南市监案〔2026〕7号"
    names = set(evidence.files.values_list("name", flat=True))
    assert names == {
        "capture.wacz",
        "screenshot.png",
        "page.pdf",
        "dom.html",
        "record.json",
        "manifest.json",
        "manifest.sig",
    }
    record = evidence.capture.record
    assert record["note"] == "虚假宣传" and record["officer"].startswith("命令行")
    assert record["started_at_beijing"].endswith("+08:00") and record["started_at_utc"].endswith("+00:00")
    assert record["ecredit_version"] and record["browser"]["version"]
    assert list(evidence.custody.values_list("action", flat=True)) == ["captured"]
    assert _verify_exit(str(ident)) == (0, "evidence verified\n")

    bundle = tmp_path / "bundle.zip"
    assert "已导出" in _run("export", str(ident), "--output", str(bundle))
    assert _verify_exit(str(bundle)) == (0, "evidence verified\n")
    with zipfile.ZipFile(bundle) as archive:
        wacz = [name for name in archive.namelist() if name.endswith(".wacz")]
        assert wacz == ["evidence/capture.wacz"]
        (tmp_path / "capture.wacz").write_bytes(archive.read(wacz[0]))
        files = {name: archive.read(name) for name in archive.namelist()}
    done = subprocess.run(
        [str(WACZ_CLI), "validate", "-f", str(tmp_path / "capture.wacz")], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr

    # One changed byte anywhere: exit 1, naming what differs.
    screenshot = bytearray(files["evidence/screenshot.png"])
    screenshot[100] ^= 0xFF
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(tampered, "w") as archive:
        for name, data in {**files, "evidence/screenshot.png": bytes(screenshot)}.items():
            archive.writestr(name, data)
    code, out = _verify_exit(str(tampered))
    assert code == 1
    assert "evidence/screenshot.png" in out and "evidence verified" not in out


def test_it_prints_a_chinese_certificate(cast: Cast, site: str, allow_private: None, tmp_path: Path) -> None:
    ident = json.loads(_run("capture", f"{site}/product", "--json"))["id"]
    pdf = certificate_pdf(Evidence.objects.get(pk=ident))
    assert_renders_chinese(pdf, "电子数据提取笔录", tmp_path)
    assert_renders_chinese(pdf, "测试商品页", tmp_path)


def test_it_refuses_loopback_without_the_switch(cast: Cast, site: str) -> None:
    with pytest.raises(CommandError, match="不允许"):
        _run("capture", f"{site}/product")
    assert not Evidence.objects.exists()


def test_it_says_when_an_item_does_not_exist(cast: Cast) -> None:
    with pytest.raises(CommandError, match="没有编号"):
        _run("verify", "999")


def test_it_captures_a_site_with_a_refused_certificate_only_when_asked(
    cast: Cast, allow_private: None, tmp_path: Path
) -> None:
    from tests.evidence.site import serve

    with serve(tls_dir=tmp_path) as base:
        with pytest.raises(CommandError, match="固定失败"):
            _run("capture", f"{base}/product", "--json")
        ident = json.loads(_run("capture", f"{base}/product", "--accept-invalid-certificates", "--json"))["id"]
    record = Evidence.objects.get(pk=ident).capture.record
    assert record["invalid_certificates_accepted"] is True and record["tls"][base]["subject"] == "ecredit test site"
