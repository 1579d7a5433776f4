"""The case's transition table, pure."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecredit.accounts.roles import Action
from ecredit.enforcement import transitions
from ecredit.enforcement.transitions import TABLE, Refused, State

BOTH = frozenset({Action.CASE_MANAGE, Action.CASE_APPROVE})


def test_it_walks_the_happy_path_from_lead_to_closed() -> None:
    state = State.LEAD
    for name in ("file", "investigate", "submit", "decide", "execute", "close"):
        state = transitions.check(state, name, BOTH).target
    assert state == State.CLOSED


def test_it_refuses_a_step_the_table_does_not_allow_with_a_chinese_message() -> None:
    with pytest.raises(Refused) as caught:
        transitions.check(State.LEAD, "decide", BOTH)
    assert "当前状态为“待立案”" in caught.value.message and "“批准立案”" in caught.value.message
    assert not caught.value.forbidden


def test_it_needs_a_superior_to_file_or_withdraw() -> None:
    for name in ("file", "withdraw"):
        with pytest.raises(Refused) as caught:
            transitions.check(State.LEAD, name, frozenset({Action.CASE_MANAGE}))
        assert caught.value.forbidden and "部门负责人" in caught.value.message


def test_it_offers_nothing_from_a_final_state() -> None:
    assert transitions.available(State.CLOSED) == [] and transitions.available(State.WITHDRAWN) == []
    with pytest.raises(Refused) as caught:
        transitions.check(State.CLOSED, "close", BOTH)
    assert "无（案件已终结）" in caught.value.message


@given(st.sampled_from(list(State)), st.sampled_from([t.name for t in TABLE]))
def test_it_allows_exactly_what_the_table_lists(state: State, name: str) -> None:
    transition = transitions.BY_NAME[name]
    if state in transition.sources:
        assert transitions.check(state, name, BOTH).target == transition.target
    else:
        with pytest.raises(Refused):
            transitions.check(state, name, BOTH)


def test_it_lets_no_transition_leave_a_final_state_or_reach_lead() -> None:
    for transition in TABLE:
        assert not transition.sources & transitions.FINAL
        assert transition.target != State.LEAD
