"""Uploads, content-addressed storage, custody, attestations, export and verification."""

from __future__ import annotations

import io
import os
import stat
import zipfile
from pathlib import Path

import pytest
from pytest_django.fixtures import Settings

from ecredit.accounts.services import actor_for_user
from ecredit.errors import DomainError, ErrorCode
from ecredit.evidence import manifest, services, storage
from ecredit.evidence.models import Artefact, Attestation, CustodyEntry, Evidence
from tests.cast import Cast
from tests.evidence.helpers import make_eml, upload
from tests.registry.helpers import register


@pytest.fixture(autouse=True)
def _media(settings: Settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _rezip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        for name, data in files.items():
            bundle.writestr(name, data)
    return buffer.getvalue()


def test_it_reads_an_emails_headers_sender_date_and_attachments(cast: Cast) -> None:
    evidence = upload(cast.inspector)
    mail = evidence.metadata["emails"]["承诺.eml"]
    assert mail["subject"] == "关于减肥茶的承诺"
    assert mail["from"] == ["shop@seller-a.example"]
    assert mail["to"] == ["buyer@example.com"]
    assert mail["date_iso"] == "2026-11-03T10:15:00+08:00"
    assert mail["headers"]["Message-ID"] == "<20261103101500.1@seller-a.example>"
    assert [(a["filename"], a["content_type"], a["size"]) for a in mail["attachments"]] == [
        ("发票.pdf", "application/pdf", len(b"%PDF-1.4 invoice"))
    ]


def test_it_stores_a_duplicate_upload_once_and_links_it(cast: Cast) -> None:
    first = upload(cast.inspector)
    second = upload(cast.inspector)
    a = first.files.get(name="承诺.eml").artefact
    b = second.files.get(name="承诺.eml").artefact
    assert a.pk == b.pk
    assert Artefact.objects.filter(sha256=a.sha256).count() == 1
    path = storage.path_for(a.sha256)
    assert path.read_bytes() == make_eml()
    assert not os.stat(path).st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)  # read-only


@pytest.mark.parametrize(
    ("kind", "title", "name", "data", "message"),
    [
        ("email", "邮件", "notes.txt", b"x", "文件类型与证据类型不符"),
        ("email", "邮件", "a.eml", b"\x00\x01 not a mail", "无法识别的邮件文件"),
        ("video", "视频", "a.mp4", b"", "文件为空"),
        ("video", "", "a.mp4", b"x", "请填写证据名称"),
        ("capture", "网页", "a.html", b"x", "请选择证据类型"),
    ],
)
def test_it_refuses_bad_uploads_and_keeps_nothing(
    cast: Cast, kind: str, title: str, name: str, data: bytes, message: str
) -> None:
    with pytest.raises(DomainError) as refused:
        services.upload_evidence(
            actor=actor_for_user(cast.inspector), kind=kind, title=title, files=[services.Upload(name, data)]
        )
    assert message in refused.value.message
    assert not Evidence.objects.exists() and not Artefact.objects.exists()


def test_it_refuses_uploads_from_an_operator(cast: Cast) -> None:
    with pytest.raises(DomainError) as refused:
        upload(cast.seller_a)
    assert refused.value.code == ErrorCode.FORBIDDEN


def test_it_chains_every_custody_entry(cast: Cast) -> None:
    inspector = actor_for_user(cast.inspector)
    evidence = upload(cast.inspector)
    services.note_custody(actor=inspector, evidence=evidence, action="viewed")
    services.note_custody(actor=inspector, evidence=evidence, action="downloaded", details={"file": "承诺.eml"})
    services.attach_to_case(actor=inspector, evidence=evidence, case_ref="南市监案〔2026〕13号")
    services.export_bundle(actor=inspector, evidence=evidence)
    lines = services.custody_lines(evidence)
    assert [line["action"] for line in lines] == ["uploaded", "viewed", "downloaded", "attached", "exported"]
    assert manifest.verify_custody(lines) == []
    assert services.verify_stored(evidence) == []


def test_it_detects_an_edited_custody_entry_in_the_database(cast: Cast) -> None:
    evidence = upload(cast.inspector)
    services.note_custody(actor=actor_for_user(cast.inspector), evidence=evidence, action="viewed")
    CustodyEntry.objects.filter(evidence=evidence, seq=1).update(actor_label="别人")
    assert any("第 1 条" in p for p in services.verify_stored(evidence))


def test_it_detects_a_stored_file_changed_on_disk(cast: Cast) -> None:
    evidence = upload(cast.inspector)
    path = storage.path_for(evidence.files.get(name="承诺.eml").artefact.sha256)
    path.chmod(0o644)
    path.write_bytes(make_eml() + b" ")
    problems = services.verify_stored(evidence)
    assert any("承诺.eml" in p for p in problems)


def test_it_records_a_notarisation_with_its_document_hashed(cast: Cast) -> None:
    evidence = upload(cast.inspector)
    document = b"%PDF notarial certificate"
    attestation = services.record_attestation(
        actor=actor_for_user(cast.inspector),
        evidence=evidence,
        kind="notary",
        authority="福建省南安市公证处",
        reference="(2026)闽泉南证字第 88 号",
        document=services.Upload("公证书.pdf", document, "application/pdf"),
    )
    assert attestation.document is not None and attestation.document.sha256 == manifest.sha256(document)
    last = services.custody_lines(evidence)[-1]
    assert last["action"] == "attested" and last["details"]["document_sha256"] == manifest.sha256(document)


def test_it_refuses_an_attestation_without_document_or_authority(cast: Cast) -> None:
    evidence = upload(cast.inspector)
    inspector = actor_for_user(cast.inspector)
    with pytest.raises(DomainError, match="请上传"):
        services.record_attestation(actor=inspector, evidence=evidence, kind="appraisal", authority="公安网监")
    with pytest.raises(DomainError, match="机构"):
        services.record_attestation(
            actor=inspector, evidence=evidence, kind="platform", authority=" ", document=services.Upload("a.pdf", b"x")
        )
    assert not Attestation.objects.exists()
    assert len(services.custody_lines(evidence)) == 1


def test_it_lets_the_party_confirm_in_its_own_portal_only(cast: Cast) -> None:
    entity = register(cast.credit_officer, organisation=cast.seller_a_org)
    evidence = upload(cast.inspector, entity=entity)
    with pytest.raises(DomainError) as refused:
        services.confirm_as_party(actor=actor_for_user(cast.seller_b), evidence=evidence)
    assert refused.value.code == ErrorCode.NOT_FOUND
    confirmed = services.confirm_as_party(actor=actor_for_user(cast.seller_a), evidence=evidence, statement="属实")
    assert confirmed.kind == "party" and confirmed.recorded_by_label and confirmed.organisation_name == "卖家甲"
    with pytest.raises(DomainError, match="已经确认"):
        services.confirm_as_party(actor=actor_for_user(cast.seller_a), evidence=evidence)
    assert [e.pk for e in services.evidence_for(actor_for_user(cast.seller_a))] == [evidence.pk]
    assert list(services.evidence_for(actor_for_user(cast.seller_b))) == []


def test_it_exports_a_bundle_that_verifies_offline(cast: Cast) -> None:
    evidence = upload(cast.inspector)
    bundle = services.export_bundle(actor=actor_for_user(cast.inspector), evidence=evidence)
    files = services.read_bundle(bundle)
    assert {"manifest.json", "manifest.sig", "public_key.pem", "custody.jsonl", "certificate.pdf"} <= set(files)
    assert "evidence/承诺.eml" in files
    report = services.verify_bundle_bytes(bundle)
    assert report.ok, report.problems


def _exported(cast: Cast) -> dict[str, bytes]:
    evidence = upload(cast.inspector)
    services.record_attestation(
        actor=actor_for_user(cast.inspector),
        evidence=evidence,
        kind="platform",
        authority="平台丙",
        document=services.Upload("平台证明.pdf", b"%PDF platform"),
    )
    return services.read_bundle(services.export_bundle(actor=actor_for_user(cast.inspector), evidence=evidence))


def test_it_detects_a_changed_byte_in_each_file_of_the_bundle(cast: Cast) -> None:
    files = _exported(cast)
    for name in sorted(files):
        data = bytearray(files[name])
        data[len(data) // 2] ^= 0x01
        report = services.verify_bundle_bytes(_rezip({**files, name: bytes(data)}))
        assert not report.ok, name


def test_it_names_a_tampered_manifest_signature_and_custody_entry(cast: Cast) -> None:
    files = _exported(cast)
    tampered_manifest = files["manifest.json"].replace(b'"exported_by":"', b'"exported_by":"X')
    problems = services.verify_bundle_bytes(_rezip({**files, "manifest.json": tampered_manifest})).problems
    assert any("签名不符" in p and "manifest.json" in p for p in problems)

    signature = bytearray(files["manifest.sig"])
    signature[3] = ord("A") if signature[3] != ord("A") else ord("B")
    problems = services.verify_bundle_bytes(_rezip({**files, "manifest.sig": bytes(signature)})).problems
    assert any("签名不符" in p for p in problems)

    custody = files["custody.jsonl"].replace(b"uploaded", b"captured", 1)
    problems = services.verify_bundle_bytes(_rezip({**files, "custody.jsonl": custody})).problems
    assert any("custody.jsonl" in p for p in problems)
    assert any("保全记录第 1 条" in p for p in problems)


def test_it_refuses_a_file_that_is_not_a_zip() -> None:
    with pytest.raises(DomainError, match="不是有效的证据包"):
        services.read_bundle(b"not a zip")


def test_it_refuses_a_bundle_that_would_unpack_too_large(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(services, "MAX_BUNDLE_UNPACKED", 10)
    with pytest.raises(DomainError, match="解压后过大"):
        services.read_bundle(_rezip({"a.txt": b"x" * 100}))
