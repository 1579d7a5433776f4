"""The evidence pages: list, capture form (queues a task), upload, item page, downloads, certificate,
export, attestation, the operator's confirmation page and the public verification page."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from pytest_django.fixtures import Settings

from ecredit.accounts.services import actor_for_user
from ecredit.evidence import services
from ecredit.evidence.models import Attestation, Evidence
from tests.cast import Cast
from tests.evidence.helpers import make_eml, upload
from tests.pdfcheck import assert_renders_chinese
from tests.registry.helpers import register


@pytest.fixture(autouse=True)
def _media(settings: Settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def test_it_lists_evidence_for_officers_and_refuses_operators(cast: Cast) -> None:
    evidence = upload(cast.inspector)
    page = cast.client_for(cast.inspector).get(reverse("evidence:index"))
    assert page.status_code == 200 and evidence.number in page.content.decode()
    assert cast.client_for(cast.seller_a).get(reverse("evidence:index")).status_code == 403


def test_it_queues_a_capture_and_shows_its_status(
    cast: Cast, allow_private: None, django_capture_on_commit_callbacks: object
) -> None:
    client = cast.client_for(cast.inspector)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        answer = client.post(reverse("evidence:capture"), {"url": "http://127.0.0.1:9/item", "note": "测试"})
    evidence = Evidence.objects.get()
    assert answer.status_code == 302 and answer["Location"] == reverse("evidence:detail", args=[evidence.pk])
    assert evidence.status == "queued"
    task = DBTaskResult.objects.get()
    assert task.task_path == "ecredit.evidence.tasks.capture_task" and task.args_kwargs["args"] == [evidence.pk]
    evidence.refresh_from_db()
    assert evidence.task_id == str(task.id)
    page = client.get(reverse("evidence:detail", args=[evidence.pk]))
    assert 'data-status="queued"' in page.content.decode()
    assert "hx-get" in client.get(reverse("evidence:status", args=[evidence.pk])).content.decode()
    Evidence.objects.filter(pk=evidence.pk).update(status="failed", error="无法打开页面")
    polled = client.get(reverse("evidence:status", args=[evidence.pk]), HTTP_HX_REQUEST="true")
    assert polled["HX-Refresh"] == "true" and "无法打开页面" in polled.content.decode()


def test_it_refuses_a_private_address_on_the_form_and_queues_nothing(cast: Cast) -> None:
    answer = cast.client_for(cast.inspector).post(reverse("evidence:capture"), {"url": "http://192.168.1.20/"})
    assert answer.status_code == 400
    assert "不允许固定内网" in answer.content.decode()
    assert not Evidence.objects.exists() and not DBTaskResult.objects.exists()


def test_it_refuses_a_non_http_address_on_the_form(cast: Cast) -> None:
    answer = cast.client_for(cast.inspector).post(reverse("evidence:capture"), {"url": "file:///etc/passwd"})
    assert answer.status_code == 400 and "只能固定 http 或 https 网址" in answer.content.decode()


def test_it_uploads_an_email_and_shows_its_facts(cast: Cast) -> None:
    client = cast.client_for(cast.inspector)
    answer = client.post(
        reverse("evidence:upload"),
        {"kind": "email", "title": "承诺邮件", "uploads": [SimpleUploadedFile("mail.eml", make_eml())]},
    )
    evidence = Evidence.objects.get()
    assert answer.status_code == 302
    page = client.get(reverse("evidence:detail", args=[evidence.pk])).content.decode()
    assert "shop@seller-a.example" in page and "发票.pdf" in page and "关于减肥茶的承诺" in page
    assert [e.action for e in evidence.custody.all()] == ["uploaded", "viewed"]


def test_it_refuses_a_bad_upload_with_a_message(cast: Cast) -> None:
    answer = cast.client_for(cast.inspector).post(
        reverse("evidence:upload"), {"kind": "video", "title": "视频", "uploads": [SimpleUploadedFile("a.txt", b"x")]}
    )
    assert answer.status_code == 400 and "文件类型与证据类型不符" in answer.content.decode()
    assert not Evidence.objects.exists()


def test_it_downloads_a_file_and_logs_it(cast: Cast) -> None:
    evidence = upload(cast.inspector)
    item = evidence.files.get(name="承诺.eml")
    answer = cast.client_for(cast.auditor).get(reverse("evidence:download", args=[evidence.pk, item.pk]))
    assert answer.status_code == 200 and answer.content == make_eml()
    assert evidence.custody.last().action == "downloaded"  # type: ignore[union-attr]


def test_it_serves_a_chinese_certificate(cast: Cast, tmp_path: Path) -> None:
    evidence = upload(cast.inspector)
    answer = cast.client_for(cast.inspector).get(reverse("evidence:certificate", args=[evidence.pk]))
    assert answer["Content-Type"] == "application/pdf"
    assert_renders_chinese(answer.content, "电子数据提取笔录", tmp_path)


def test_it_exports_a_bundle_for_officers_who_capture_only(cast: Cast) -> None:
    evidence = upload(cast.inspector)
    answer = cast.client_for(cast.inspector).post(reverse("evidence:export", args=[evidence.pk]))
    assert answer["Content-Type"] == "application/zip"
    assert services.verify_bundle_bytes(answer.content).ok
    assert cast.client_for(cast.auditor).post(reverse("evidence:export", args=[evidence.pk])).status_code == 403


def test_it_records_a_platform_certificate(cast: Cast) -> None:
    evidence = upload(cast.inspector)
    answer = cast.client_for(cast.inspector).post(
        reverse("evidence:attest", args=[evidence.pk]),
        {
            "kind": "platform",
            "authority": "平台丙",
            "reference": "PT-1",
            "document": SimpleUploadedFile("证明.pdf", b"%PDF x"),
        },
    )
    assert answer.status_code == 302
    assert Attestation.objects.get().authority == "平台丙"


def test_it_refuses_an_attestation_without_a_document(cast: Cast) -> None:
    evidence = upload(cast.inspector)
    answer = cast.client_for(cast.inspector).post(
        reverse("evidence:attest", args=[evidence.pk]), {"kind": "notary", "authority": "公证处"}
    )
    assert answer.status_code == 400 and not Attestation.objects.exists()


def test_it_lets_the_operator_confirm_its_own_evidence(cast: Cast) -> None:
    entity = register(cast.credit_officer, organisation=cast.seller_a_org)
    evidence = upload(cast.inspector, entity=entity)
    seller = cast.client_for(cast.seller_a)
    assert evidence.number in seller.get(reverse("evidence:mine")).content.decode()
    url = reverse("evidence:mine_detail", args=[evidence.pk])
    assert seller.post(url, {"statement": "属实"}).status_code == 400  # the box must be ticked
    assert not Attestation.objects.exists()
    assert seller.post(url, {"statement": "属实", "agree": "on"}).status_code == 302
    assert Attestation.objects.get().kind == "party"
    assert 'data-testid="party-confirmed"' in seller.get(url).content.decode()
    item = evidence.files.get(name="承诺.eml")
    download = reverse("evidence:mine_download", args=[evidence.pk, item.pk])
    assert seller.get(download).content == make_eml()
    assert evidence.custody.last().actor_label.startswith("seller_a")  # type: ignore[union-attr]
    other = cast.client_for(cast.seller_b)
    assert other.get(url).status_code == 404
    assert other.get(download).status_code == 404
    assert evidence.number not in other.get(reverse("evidence:mine")).content.decode()


def test_it_hides_items_from_other_operators(cast: Cast) -> None:
    evidence = upload(cast.inspector)
    item = evidence.files.first()
    assert item is not None
    assert (
        cast.client_for(cast.seller_a).get(reverse("evidence:download", args=[evidence.pk, item.pk])).status_code == 403
    )


def test_it_verifies_a_bundle_and_a_sha256_publicly(cast: Cast) -> None:
    evidence = upload(cast.inspector)
    bundle = services.export_bundle(actor=actor_for_user(cast.inspector), evidence=evidence)
    anonymous = cast.client_for(cast.seller_b)
    anonymous.logout()
    answer = anonymous.post(reverse("evidence:verify"), {"bundle": SimpleUploadedFile("b.zip", bundle)})
    assert 'data-ok="true"' in answer.content.decode()
    broken = bytearray(bundle)
    broken[len(broken) // 3] ^= 0x01
    answer = anonymous.post(reverse("evidence:verify"), {"bundle": SimpleUploadedFile("b.zip", bytes(broken))})
    assert 'data-ok="true"' not in answer.content.decode()
    answer = anonymous.get(reverse("evidence:verify"), {"sha256": evidence.manifest_sha256})
    assert evidence.number in answer.content.decode()
    answer = anonymous.get(reverse("evidence:verify"), {"sha256": "0" * 64})
    assert 'data-ok="false"' in answer.content.decode()
    answer = anonymous.get(reverse("evidence:verify"), {"sha256": "xyz"})
    assert answer.status_code == 400 and "64 位十六进制" in answer.content.decode()
    pem = anonymous.get(reverse("evidence:public_key"))
    assert pem.content.startswith(b"-----BEGIN PUBLIC KEY-----")
