"""The policy packs installed with ecredit (``policy/packs/<id>.yaml``), loaded strictly and cached.

A pack that does not validate does not load: :class:`ecredit.policy.loader.PackError` names the file,
key path and line of every problem. Which pack covers a given day (and any extension beyond its
period) is ``policy/services.py``'s business.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from django.conf import settings

from ecredit.policy.loader import PackError, load_file
from ecredit.policy.model import Pack

__all__ = [
    "PACK_DIR",
    "PackError",
    "UnknownPack",
    "active_pack",
    "all_packs",
    "load_pack",
    "load_pack_file",
    "pack_ids",
]

PACK_DIR = Path(__file__).resolve().parent / "packs"
_PACK_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class UnknownPack(LookupError):
    def __init__(self, pack_id: str) -> None:
        self.pack_id = pack_id
        known = "、".join(pack_ids()) or "（无）"
        super().__init__(f"没有政策包“{pack_id}”（已安装：{known}）")


def pack_ids() -> tuple[str, ...]:
    """Ids of the installed packs (``<id>.yaml``; ``<id>.cases.yaml`` files are cases, not packs)."""
    return tuple(sorted(p.name.removesuffix(".yaml") for p in PACK_DIR.glob("*.yaml") if ".cases." not in p.name))


@lru_cache(maxsize=16)
def load_pack(pack_id: str) -> Pack:
    """An installed pack by id; ``UnknownPack`` if there is none, ``PackError`` if it is invalid."""
    if not _PACK_ID.fullmatch(pack_id) or pack_id not in pack_ids():
        raise UnknownPack(pack_id)
    return load_file(PACK_DIR / f"{pack_id}.yaml")


def load_pack_file(path: str | Path) -> Pack:
    """Any pack file (a draft, a what-if copy); not cached."""
    return load_file(path)


def all_packs() -> tuple[Pack, ...]:
    return tuple(load_pack(pack_id) for pack_id in pack_ids())


def active_pack() -> Pack:
    """The pack this installation runs (``ECREDIT_POLICY_PACK``, default nanan-2023-trial)."""
    return load_pack(settings.POLICY_PACK)
