"""The pure hash-chain core: any change to any entry is found, and where."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from ecredit.audit import chain


def make_chain(contents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    entries, prev = [], chain.GENESIS
    for seq, content in enumerate(contents, start=1):
        entry = {**content, "seq": seq, "prev_hash": prev}
        entry["content_hash"] = chain.content_hash(entry)
        entry["entry_hash"] = chain.link_hash(prev, entry["content_hash"])
        prev = entry["entry_hash"]
        entries.append(entry)
    return entries


content_strategy = st.fixed_dictionaries(
    {
        "created_at": st.sampled_from(["2026-11-28T08:00:00+00:00", "2026-11-28T08:00:00.123456+00:00"]),
        "actor_label": st.text(max_size=20),
        "actor_user_id": st.none() | st.integers(1, 10**6),
        "organisation_id": st.none() | st.integers(1, 1000),
        "organisation_name": st.text(max_size=20),
        "via": st.sampled_from(["web", "api", "system"]),
        "action": st.sampled_from(["accounts.user.create", "accounts.token.issue"]),
        "target_type": st.text(max_size=10),
        "target_id": st.text(max_size=10),
        "target_repr": st.text(max_size=20),
        "changes": st.dictionaries(
            st.text(max_size=8), st.lists(st.none() | st.text(max_size=8), min_size=2, max_size=2)
        ),
        "request_id": st.text(max_size=10),
    }
)


@given(st.lists(content_strategy, min_size=1, max_size=8))
def test_it_accepts_an_untouched_chain(contents: list[dict[str, Any]]) -> None:
    assert chain.verify(make_chain(contents)) == (len(contents), None)


@given(st.lists(content_strategy, min_size=2, max_size=8), st.data())
def test_it_names_the_first_altered_entry(contents: list[dict[str, Any]], data: st.DataObject) -> None:
    entries = make_chain(contents)
    index = data.draw(st.integers(0, len(entries) - 1))
    field = data.draw(st.sampled_from(["actor_label", "action", "target_repr", "changes", "organisation_id"]))
    original = entries[index][field]
    entries[index][field] = {"tampered": ["x", "y"]} if field == "changes" else f"{original}!"
    count, broken = chain.verify(entries)
    assert broken is not None and broken.seq == index + 1 and count == index


def test_it_finds_a_removed_entry() -> None:
    entries = make_chain([{key: "" for key in chain.CONTENT_FIELDS if key != "seq"} for _ in range(4)])
    del entries[1]
    _count, broken = chain.verify(entries)
    assert broken is not None and broken.seq == 3 and "序号" in broken.reason


def test_it_finds_an_entry_whose_hashes_were_recomputed_in_place() -> None:
    # A forger who rewrites an entry and its own hashes still breaks the next link.
    entries = make_chain([{key: "" for key in chain.CONTENT_FIELDS if key != "seq"} for _ in range(3)])
    entries[0]["actor_label"] = "forger"
    entries[0]["content_hash"] = chain.content_hash(entries[0])
    entries[0]["entry_hash"] = chain.link_hash(chain.GENESIS, entries[0]["content_hash"])
    _count, broken = chain.verify(entries)
    assert broken is not None and broken.seq == 2


def test_it_hashes_floats_and_sets_the_same_after_a_database_round_trip() -> None:
    assert chain.jsonable({"b": 1.5, "a": {3, 1}}) == {"b": "1.5", "a": [1, 3]}
    assert chain.canonical({"b": 1, "a": 2}) == chain.canonical({"a": 2, "b": 1})
