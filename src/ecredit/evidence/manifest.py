"""Manifests, signatures, the custody chain and bundle verification: pure functions, no Django.

- A *manifest* lists files (name, size, SHA-256) with some facts, serialised as canonical JSON
  (sorted keys, no spaces, UTF-8) so that the same content always gives the same bytes.
- It is signed with the system's Ed25519 key; the signature travels base64-encoded.
- The *custody log* is a hash chain: each entry's hash covers the previous entry's hash and its own
  canonical content, so changing, removing or reordering an entry breaks the chain after it.
- :func:`verify_bundle` checks an exported bundle (its files as bytes) using nothing else, and
  names every difference it finds.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

MANIFEST_FORMAT = "ecredit-evidence-manifest/1"
BUNDLE_FORMAT = "ecredit-evidence-bundle/1"
GENESIS = "0" * 64

# Names inside an exported bundle (a ZIP file).
BUNDLE_MANIFEST = "manifest.json"
BUNDLE_SIGNATURE = "manifest.sig"
BUNDLE_PUBLIC_KEY = "public_key.pem"
BUNDLE_CUSTODY = "custody.jsonl"
BUNDLE_EVIDENCE_DIR = "evidence/"
EVIDENCE_MANIFEST = "evidence/manifest.json"
EVIDENCE_SIGNATURE = "evidence/manifest.sig"

CUSTODY_FIELDS = ("seq", "evidence", "action", "at", "actor", "organisation", "details")


@dataclass(frozen=True)
class FileEntry:
    name: str
    size: int
    sha256: str


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def build_manifest(files: Iterable[FileEntry], *, facts: Mapping[str, Any], fmt: str = MANIFEST_FORMAT) -> bytes:
    """The canonical bytes of a manifest: ``facts`` plus the files, sorted by name."""
    entries = sorted(files, key=lambda entry: entry.name)
    names = [entry.name for entry in entries]
    if len(set(names)) != len(names):
        raise ValueError("duplicate file name in manifest")
    body = {
        **facts,
        "format": fmt,
        "files": [{"name": e.name, "size": e.size, "sha256": e.sha256} for e in entries],
    }
    return canonical(body)


def parse_manifest(data: bytes) -> dict[str, Any]:
    value = json.loads(data.decode("utf-8"))
    if not isinstance(value, dict) or not isinstance(value.get("files"), list):
        raise ValueError("not a manifest")
    return value


# --- keys and signatures ---------------------------------------------------------------------


def generate_private_key_pem() -> bytes:
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _private_key(pem: bytes) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("not an Ed25519 private key")
    return key


def public_key_pem(private_pem: bytes) -> bytes:
    return (
        _private_key(private_pem)
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )


def load_public_key(pem: bytes) -> Ed25519PublicKey:
    """The Ed25519 key in ``pem``; ValueError for anything else, a damaged file included (one changed
    byte can turn the key's algorithm into one the library does not know)."""
    try:
        key = serialization.load_pem_public_key(pem)
    except UnsupportedAlgorithm as exc:
        raise ValueError(f"unsupported public key: {exc}") from None
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("not an Ed25519 public key")
    return key


def fingerprint(public_pem: bytes) -> str:
    """SHA-256 of the raw 32-byte public key, hex, in groups of four for reading aloud."""
    raw = load_public_key(public_pem).public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    digest = hashlib.sha256(raw).hexdigest()
    return ":".join(digest[i : i + 4] for i in range(0, len(digest), 4))


def sign(private_pem: bytes, data: bytes) -> bytes:
    """The base64 signature of ``data`` (ASCII bytes, one line)."""
    return base64.b64encode(_private_key(private_pem).sign(data))


def signature_valid(public_pem: bytes, data: bytes, signature_b64: bytes) -> bool:
    try:
        signature = base64.b64decode(signature_b64.strip(), validate=True)
        load_public_key(public_pem).verify(signature, data)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


# --- custody chain ---------------------------------------------------------------------------


def custody_hash(prev_hash: str, content: Mapping[str, Any]) -> str:
    body = {name: content.get(name) for name in CUSTODY_FIELDS}
    return sha256(prev_hash.encode() + b"\n" + canonical(body))


def verify_custody(entries: Iterable[Mapping[str, Any]]) -> list[str]:
    """Every break in the chain, in Chinese; an empty list means the chain holds."""
    problems = []
    prev = GENESIS
    expected_seq = 1
    for entry in entries:
        seq = entry.get("seq")
        if seq != expected_seq:
            problems.append(f"保全记录第 {expected_seq} 条缺失或顺序错误（实际序号 {seq}）")
        if entry.get("prev_hash") != prev:
            problems.append(f"保全记录第 {seq} 条：前一条哈希不符")
        if custody_hash(str(entry.get("prev_hash")), entry) != entry.get("entry_hash"):
            problems.append(f"保全记录第 {seq} 条：内容与哈希不符")
        prev = str(entry.get("entry_hash"))
        expected_seq = (seq if isinstance(seq, int) else expected_seq) + 1
    return problems


def custody_head(entries: Sequence[Mapping[str, Any]]) -> str:
    return str(entries[-1]["entry_hash"]) if entries else GENESIS


# --- verification ----------------------------------------------------------------------------


def check_files(manifest: Mapping[str, Any], files: Mapping[str, bytes], *, prefix: str = "") -> list[str]:
    """Every file of ``manifest`` is present in ``files`` (under ``prefix``) with its size and hash."""
    problems = []
    for entry in manifest.get("files", []):
        name = prefix + str(entry.get("name"))
        data = files.get(name)
        if data is None:
            problems.append(f"缺少文件：{name}")
            continue
        if len(data) != entry.get("size"):
            problems.append(f"文件大小不符：{name}（清单 {entry.get('size')} 字节，实际 {len(data)} 字节）")
        if sha256(data) != entry.get("sha256"):
            problems.append(f"SHA-256 不符：{name}（清单 {entry.get('sha256')}，实际 {sha256(data)}）")
    return problems


@dataclass(frozen=True)
class BundleReport:
    problems: list[str]
    fingerprint: str | None
    manifest: dict[str, Any] | None

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_bundle(files: Mapping[str, bytes], *, trusted_public_pem: bytes | None = None) -> BundleReport:
    """Check a bundle's files: the bundle manifest's signature and every hash in it, the evidence
    manifest's signature and hashes, and the custody chain up to the head the manifest seals.
    ``trusted_public_pem`` (the system's published key), when given, must be the bundle's key."""
    problems: list[str] = []
    key = files.get(BUNDLE_PUBLIC_KEY)
    raw_manifest = files.get(BUNDLE_MANIFEST)
    signature = files.get(BUNDLE_SIGNATURE)
    for name, present in ((BUNDLE_PUBLIC_KEY, key), (BUNDLE_MANIFEST, raw_manifest), (BUNDLE_SIGNATURE, signature)):
        if present is None:
            problems.append(f"缺少文件：{name}")
    if key is None or raw_manifest is None or signature is None:
        return BundleReport(problems, None, None)
    try:
        print_ = fingerprint(key)
    except ValueError:
        return BundleReport([*problems, f"公钥无法读取：{BUNDLE_PUBLIC_KEY}"], None, None)
    if trusted_public_pem is not None and fingerprint(trusted_public_pem) != print_:
        problems.append(f"公钥不是本系统发布的公钥（指纹 {print_}）")
    if not signature_valid(key, raw_manifest, signature):
        problems.append(f"签名不符：{BUNDLE_SIGNATURE} 与 {BUNDLE_MANIFEST} 不匹配")
    try:
        manifest = parse_manifest(raw_manifest)
    except ValueError:
        return BundleReport([*problems, f"清单无法读取：{BUNDLE_MANIFEST}"], print_, None)
    if manifest.get("format") != BUNDLE_FORMAT:
        problems.append(f"清单格式不符：{manifest.get('format')}")
    problems += check_files(manifest, files)
    listed = {str(entry.get("name")) for entry in manifest.get("files", [])}
    for name in sorted(set(files) - listed - {BUNDLE_MANIFEST, BUNDLE_SIGNATURE, BUNDLE_PUBLIC_KEY}):
        problems.append(f"清单之外的文件：{name}")

    evidence_manifest = files.get(EVIDENCE_MANIFEST)
    evidence_signature = files.get(EVIDENCE_SIGNATURE)
    if evidence_manifest is not None and evidence_signature is not None:
        if not signature_valid(key, evidence_manifest, evidence_signature):
            problems.append(f"签名不符：{EVIDENCE_SIGNATURE} 与 {EVIDENCE_MANIFEST} 不匹配")
        try:
            problems += check_files(parse_manifest(evidence_manifest), files, prefix=BUNDLE_EVIDENCE_DIR)
        except ValueError:
            problems.append(f"清单无法读取：{EVIDENCE_MANIFEST}")
    else:
        problems.append(f"缺少文件：{EVIDENCE_MANIFEST} 或 {EVIDENCE_SIGNATURE}")

    custody = files.get(BUNDLE_CUSTODY)
    if custody is None:
        problems.append(f"缺少文件：{BUNDLE_CUSTODY}")
    else:
        try:
            entries = [json.loads(line) for line in custody.decode("utf-8").splitlines() if line.strip()]
        except (UnicodeDecodeError, json.JSONDecodeError):
            problems.append(f"保全记录无法读取：{BUNDLE_CUSTODY}")
        else:
            problems += verify_custody(entries)
            if custody_head(entries) != manifest.get("custody_head"):
                problems.append("保全记录的最后一条与签名清单中的记录不符")
    return BundleReport(problems, print_, manifest)
