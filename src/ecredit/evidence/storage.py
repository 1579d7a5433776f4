"""Content-addressed, write-once file storage under ``MEDIA_ROOT/evidence/``.

A file is stored under its SHA-256 (``evidence/ab/cd/abcd…``), written to a temporary name and
moved into place only if absent, then made read-only. Storing the same bytes twice stores nothing
new: the caller links the existing artefact.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path

from django.conf import settings


def root() -> Path:
    return Path(settings.MEDIA_ROOT) / "evidence"


def path_for(sha256: str) -> Path:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError("not a SHA-256")
    return root() / sha256[:2] / sha256[2:4] / sha256


def write_once(data: bytes) -> str:
    """Store ``data`` if not yet stored; return its SHA-256."""
    digest = hashlib.sha256(data).hexdigest()
    target = path_for(digest)
    if target.exists():
        return digest
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temp, 0o444)
        # Fails if another writer got there first: theirs is the same bytes.
        with contextlib.suppress(FileExistsError):
            os.link(temp, target)
    finally:
        os.unlink(temp)
    return digest


def read(sha256: str) -> bytes:
    return path_for(sha256).read_bytes()
