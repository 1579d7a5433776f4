"""The case's state machine as one explicit table: which transition leads from which states to which,
and which action may fire it. Pure: no Django models, no I/O.

lead → filed → investigating → pending_decision → decided → executing → closed; withdrawn from any
state before a decision. Filing (立案) and withdrawing need a superior's approval (CASE_APPROVE), as
does deciding; everyday steps need CASE_MANAGE. A transition the table does not allow is refused with
a message that names the case's state and what may be done from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ecredit.accounts.roles import Action


class State(StrEnum):
    LEAD = "lead"
    FILED = "filed"
    INVESTIGATING = "investigating"
    PENDING_DECISION = "pending_decision"
    DECIDED = "decided"
    EXECUTING = "executing"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"


# Plain strings: the models wrap them for translation (this module imports no Django).
STATE_LABELS: dict[State, str] = {
    State.LEAD: "待立案",
    State.FILED: "已立案",
    State.INVESTIGATING: "调查中",
    State.PENDING_DECISION: "待决定",
    State.DECIDED: "已决定",
    State.EXECUTING: "执行中",
    State.CLOSED: "已结案",
    State.WITHDRAWN: "已撤销",
}

#: States in which the decision deadline runs.
RUNNING = frozenset({State.FILED, State.INVESTIGATING, State.PENDING_DECISION})
#: States a case ends in.
FINAL = frozenset({State.CLOSED, State.WITHDRAWN})


@dataclass(frozen=True)
class Transition:
    name: str
    label: str  # the button's words
    sources: frozenset[State]
    target: State
    action: Action
    needs_reason: bool = False


TABLE: tuple[Transition, ...] = (
    Transition("file", "批准立案", frozenset({State.LEAD}), State.FILED, Action.CASE_APPROVE),
    Transition("investigate", "开始调查", frozenset({State.FILED}), State.INVESTIGATING, Action.CASE_MANAGE),
    Transition(
        "submit", "调查终结，提请决定", frozenset({State.INVESTIGATING}), State.PENDING_DECISION, Action.CASE_MANAGE
    ),
    Transition("decide", "批准处理决定", frozenset({State.PENDING_DECISION}), State.DECIDED, Action.CASE_APPROVE),
    Transition("execute", "进入执行", frozenset({State.DECIDED}), State.EXECUTING, Action.CASE_MANAGE),
    Transition(
        "close",
        "结案",
        frozenset({State.DECIDED, State.EXECUTING}),
        State.CLOSED,
        Action.CASE_MANAGE,
        needs_reason=True,
    ),
    Transition(
        "withdraw",
        "撤销案件",
        frozenset({State.LEAD, State.FILED, State.INVESTIGATING, State.PENDING_DECISION}),
        State.WITHDRAWN,
        Action.CASE_APPROVE,
        needs_reason=True,
    ),
)
BY_NAME: dict[str, Transition] = {t.name: t for t in TABLE}


class Refused(Exception):
    """A transition that the table does not allow, or that the actor may not fire. ``message`` is Chinese."""

    def __init__(self, message: str, *, forbidden: bool = False) -> None:
        self.message = message
        self.forbidden = forbidden
        super().__init__(message)


def available(state: State | str) -> list[Transition]:
    """The transitions the table allows from ``state``, in the table's order."""
    return [t for t in TABLE if State(state) in t.sources]


def check(state: State | str, name: str, granted: frozenset[Action] | set[Action]) -> Transition:
    """The transition ``name`` from ``state`` for someone holding ``granted``; :class:`Refused` if the
    table has no such transition from that state, or the actions granted do not include the one it needs."""
    state = State(state)
    transition = BY_NAME.get(name)
    if transition is None:
        raise Refused(f"没有名为“{name}”的案件操作。")
    if state not in transition.sources:
        allowed = "、".join(f"“{t.label}”" for t in available(state)) or "无（案件已终结）"
        raise Refused(
            f"案件当前状态为“{STATE_LABELS[state]}”，不能执行“{transition.label}”"
            f"（该操作仅适用于：{'、'.join(STATE_LABELS[s] for s in State if s in transition.sources)}）。"
            f"当前可执行的操作：{allowed}。"
        )
    if transition.action not in granted:
        who = "部门负责人审批" if transition.action == Action.CASE_APPROVE else "办案人员"
        raise Refused(f"“{transition.label}”须由{who}执行，您的角色无权执行。", forbidden=True)
    return transition


def deadline_runs(state: State | str) -> bool:
    return State(state) in RUNNING
