"""Loading policy packs (the regulation as data) from ``policy/packs/*.yaml``.

This is the registry's slice of the pack: identity, jurisdiction, period in force and retention.
The credit issue extends it with the strict schema, articles and indicators.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings

PACK_DIR = Path(__file__).resolve().parent / "packs"


@dataclass(frozen=True)
class Retention:
    what: str
    years: int
    days: int
    start: str
    cites: tuple[str, ...]

    def until(self, start: dt.date) -> dt.date:
        """The first day the record may be discarded: ``start`` plus the period."""
        try:
            end = start.replace(year=start.year + self.years)
        except ValueError:  # 29 February into a common year
            end = start.replace(year=start.year + self.years, day=28)
        return end + dt.timedelta(days=self.days)


@dataclass(frozen=True)
class Pack:
    id: str
    title: str
    issuer: str
    jurisdiction_name: str
    division_code: str
    in_force_from: dt.date
    in_force_until: dt.date
    retention: tuple[Retention, ...]
    sha256: str

    def retention_for(self, what: str) -> Retention:
        for item in self.retention:
            if item.what == what:
                return item
        raise KeyError(f"policy pack {self.id} has no retention rule for {what!r}")


def _pack(data: dict[str, Any], sha256: str) -> Pack:
    return Pack(
        id=data["id"],
        title=data["title"],
        issuer=data["issuer"],
        jurisdiction_name=data["jurisdiction"]["name"],
        division_code=str(data["jurisdiction"]["division_code"]),
        in_force_from=data["in_force"]["from"],
        in_force_until=data["in_force"]["until"],
        retention=tuple(
            Retention(
                what=item["what"],
                years=max(int(item["period"]["value"]), int(item["period"].get("national_value") or 0))
                if item["period"]["unit"] == "years"
                else 0,
                days=int(item["period"]["value"]) if item["period"]["unit"] == "days" else 0,
                start=item.get("start", ""),
                cites=tuple(item["period"].get("cites", ())),
            )
            for item in data.get("retention", ())
        ),
        sha256=sha256,
    )


@lru_cache(maxsize=16)
def load_pack(pack_id: str) -> Pack:
    path = PACK_DIR / f"{pack_id}.yaml"
    raw = path.read_bytes()
    return _pack(yaml.safe_load(raw), hashlib.sha256(raw).hexdigest())


def active_pack() -> Pack:
    """The pack this installation runs (``ECREDIT_POLICY_PACK``, default nanan-2023-trial)."""
    return load_pack(settings.POLICY_PACK)
