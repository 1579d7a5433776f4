"""The pure core: manifests, Ed25519 signatures, the custody chain, offline bundle checks."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecredit.evidence import manifest as m

KEY = m.generate_private_key_pem()
PUBLIC = m.public_key_pem(KEY)


def _chain(n: int) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    prev = m.GENESIS
    for seq in range(1, n + 1):
        entry = {
            "seq": seq,
            "evidence": "ZJ2026-000001",
            "action": "viewed",
            "at": f"2026-11-28T10:00:0{seq % 10}+08:00",
            "actor": "执法人员甲",
            "organisation": "南安市市场监督管理局",
            "details": {"n": seq},
            "prev_hash": prev,
        }
        entry["entry_hash"] = m.custody_hash(prev, entry)
        prev = entry["entry_hash"]
        entries.append(entry)
    return entries


def _bundle(files: dict[str, bytes], key: bytes = KEY) -> dict[str, bytes]:
    evidence_manifest = m.build_manifest(
        [m.FileEntry(name, len(data), m.sha256(data)) for name, data in files.items()],
        facts={"evidence": "ZJ2026-000001"},
    )
    contents = {f"evidence/{name}": data for name, data in files.items()}
    contents[m.EVIDENCE_MANIFEST] = evidence_manifest
    contents[m.EVIDENCE_SIGNATURE] = m.sign(key, evidence_manifest)
    chain = _chain(3)
    contents[m.BUNDLE_CUSTODY] = "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in chain).encode()
    contents["certificate.pdf"] = b"%PDF-1.7 certificate"
    body = m.build_manifest(
        [m.FileEntry(name, len(data), m.sha256(data)) for name, data in contents.items()],
        facts={"evidence": "ZJ2026-000001", "custody_head": m.custody_head(chain)},
        fmt=m.BUNDLE_FORMAT,
    )
    contents[m.BUNDLE_MANIFEST] = body
    contents[m.BUNDLE_SIGNATURE] = m.sign(key, body)
    contents[m.BUNDLE_PUBLIC_KEY] = m.public_key_pem(key)
    return contents


FILES = {"screenshot.png": b"\x89PNG fake", "capture.wacz": b"PK wacz", "record.json": '{"网址": "x"}'.encode()}


def test_it_verifies_an_untouched_bundle() -> None:
    report = m.verify_bundle(_bundle(FILES), trusted_public_pem=PUBLIC)
    assert report.ok, report.problems
    assert report.fingerprint == m.fingerprint(PUBLIC)


def test_it_writes_the_same_manifest_bytes_for_the_same_content() -> None:
    a = m.build_manifest([m.FileEntry("b", 1, "x"), m.FileEntry("a", 2, "y")], facts={"证据": 1})
    b = m.build_manifest([m.FileEntry("a", 2, "y"), m.FileEntry("b", 1, "x")], facts={"证据": 1})
    assert a == b
    assert json.loads(a)["files"][0]["name"] == "a"


def test_it_refuses_a_manifest_with_two_files_of_one_name() -> None:
    with pytest.raises(ValueError):
        m.build_manifest([m.FileEntry("a", 1, "x"), m.FileEntry("a", 2, "y")], facts={})


def test_it_checks_signatures() -> None:
    signature = m.sign(KEY, b"data")
    assert m.signature_valid(PUBLIC, b"data", signature)
    assert not m.signature_valid(PUBLIC, b"date", signature)
    assert not m.signature_valid(PUBLIC, b"data", b"not base64!")
    other = m.public_key_pem(m.generate_private_key_pem())
    assert not m.signature_valid(other, b"data", signature)


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_it_detects_any_changed_byte_of_any_file(data: st.DataObject) -> None:
    bundle = _bundle(FILES)
    name = data.draw(st.sampled_from(sorted(bundle)))
    content = bytearray(bundle[name])
    index = data.draw(st.integers(min_value=0, max_value=len(content) - 1))
    content[index] ^= data.draw(st.integers(min_value=1, max_value=255))
    report = m.verify_bundle({**bundle, name: bytes(content)}, trusted_public_pem=PUBLIC)
    assert not report.ok
    assert any(name in problem or "公钥" in problem or "签名" in problem for problem in report.problems), (
        report.problems
    )


def test_it_reports_a_public_key_whose_algorithm_a_changed_byte_made_unknown() -> None:
    """Found by the property above: this byte of the key's algorithm identifier, changed, names an
    algorithm the library does not know. The bundle is reported unreadable, not a crash."""
    bundle = _bundle(FILES)
    content = bytearray(bundle[m.BUNDLE_PUBLIC_KEY])
    content[35] ^= 1
    report = m.verify_bundle({**bundle, m.BUNDLE_PUBLIC_KEY: bytes(content)}, trusted_public_pem=PUBLIC)
    assert not report.ok
    assert report.problems[-1] == f"公钥无法读取：{m.BUNDLE_PUBLIC_KEY}"
    assert not m.signature_valid(bytes(content), b"data", m.sign(KEY, b"data"))


def test_it_names_the_file_that_differs() -> None:
    bundle = _bundle(FILES)
    report = m.verify_bundle({**bundle, "evidence/screenshot.png": b"\x89PNG other"})
    assert any("evidence/screenshot.png" in p and "SHA-256" in p for p in report.problems)


def test_it_detects_a_missing_and_an_extra_file() -> None:
    bundle = _bundle(FILES)
    del bundle["evidence/record.json"]
    bundle["evidence/extra.txt"] = b"x"
    problems = m.verify_bundle(bundle).problems
    assert "缺少文件：evidence/record.json" in problems
    assert "清单之外的文件：evidence/extra.txt" in problems


def test_it_detects_a_bundle_resigned_with_another_key() -> None:
    bundle = _bundle(FILES, key=m.generate_private_key_pem())
    assert m.verify_bundle(bundle).ok  # consistent in itself ...
    problems = m.verify_bundle(bundle, trusted_public_pem=PUBLIC).problems
    assert any("公钥不是本系统" in p for p in problems)  # ... but not signed by this system


def test_it_detects_an_edited_removed_or_reordered_custody_entry() -> None:
    chain = _chain(4)
    assert m.verify_custody(chain) == []
    edited = [dict(e) for e in chain]
    edited[1]["actor"] = "别人"
    assert any("第 2 条" in p for p in m.verify_custody(edited))
    assert m.verify_custody(chain[:1] + chain[2:])
    assert m.verify_custody([chain[1], chain[0], *chain[2:]])


def test_it_detects_a_custody_log_cut_short_after_export() -> None:
    bundle = _bundle(FILES)
    lines = bundle[m.BUNDLE_CUSTODY].decode().splitlines(keepends=True)
    shorter = "".join(lines[:-1]).encode()
    # even with the bundle manifest rewritten for the shorter log, the signature gives it away
    problems = m.verify_bundle({**bundle, m.BUNDLE_CUSTODY: shorter}).problems
    assert any(m.BUNDLE_CUSTODY in p for p in problems)


def test_it_gives_a_stable_readable_fingerprint() -> None:
    fp = m.fingerprint(PUBLIC)
    assert fp == m.fingerprint(PUBLIC)
    assert len(fp.replace(":", "")) == 64 and fp.count(":") == 15
