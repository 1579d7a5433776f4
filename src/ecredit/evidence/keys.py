"""The system's Ed25519 signing key, generated at first use in the var directory.

The private key never leaves ``ECREDIT_VAR_DIR/evidence_signing_key.pem`` (mode 0600); the public
key is published on the public verification page and travels in every exported bundle.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from django.conf import settings

from ecredit.evidence import manifest


def key_path() -> Path:
    return Path(settings.VAR_DIR) / "evidence_signing_key.pem"


def private_key_pem() -> bytes:
    path = key_path()
    if not path.exists():
        pem = manifest.generate_private_key_pem()
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process generated it first: use theirs
        else:
            with os.fdopen(fd, "wb") as stream:
                stream.write(pem)
    return _read(str(path), path.stat().st_mtime_ns)


@cache
def _read(path: str, _mtime: int) -> bytes:
    return Path(path).read_bytes()


def public_key_pem() -> bytes:
    return manifest.public_key_pem(private_key_pem())


def existing_public_key_pem() -> bytes | None:
    """The system's public key if one exists (verification never creates a key)."""
    return manifest.public_key_pem(key_path().read_bytes()) if key_path().exists() else None


def fingerprint() -> str:
    return manifest.fingerprint(public_key_pem())


def sign(data: bytes) -> bytes:
    return manifest.sign(private_key_pem(), data)
