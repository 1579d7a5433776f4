"""七日无理由退货 (Art. 10 (4)): may these goods be returned without reason, and until when?

Pure: plain data in, a :class:`Decision` out, every reason with its citations. The rules come from the
pack's ``returns`` section: the window (7 days counted from the day after receipt), the statutory
exceptions, the exceptions that hold only when the consumer confirmed them at purchase, and what 完好
(intact) means for each category of goods (网络购买商品七日无理由退货暂行办法, 2017). Return
complaints are judged with the same function.

Every branch has a case in ``policy/packs/<pack>.returns.cases.yaml``; ``REASON_CODES`` lists them and
the suite checks that each one is reached by some case.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ecredit.policy.model import Pack, ReturnCategory, Returns

# The flags a caller may set, in the order of Art. 10 (4), and the exception each one claims.
FLAGS: dict[str, str] = {
    "custom_made": "custom_made",
    "perishable": "perishable",
    "digital_opened": "digital_opened",
    "periodical": "newspapers",
    "confirmed_non_returnable": "confirmed_unsuitable",
}

# Every reason the checker can give. Blocking: exception, confirmed, late, not_intact.
REASON_CODES = (
    "exception",  # a statutory exception applies (flagged, or by the category's nature)
    "exception_not_applicable",  # a flagged exception does not apply to goods of this category
    "confirmed",  # excluded: the consumer confirmed at purchase and the category allows it
    "confirmation_not_applicable",  # a confirmation that the category's nature does not support
    "confirmable_not_confirmed",  # the category could have been excluded, but was not confirmed
    "late",  # asked after the deadline
    "in_time",  # asked within the window
    "not_intact",  # the goods are not 完好 as the category defines it
    "intact_condition",  # returnable on condition that the goods are 完好
)


class ReturnsInputError(ValueError):
    """Facts the checker cannot judge (an unknown category, a request before receipt). ``field`` names
    the input; the message is Chinese."""

    def __init__(self, field_name: str, message: str) -> None:
        self.field = field_name
        self.message = message
        super().__init__(message)


@dataclass(frozen=True)
class Goods:
    category: str
    received: dt.date  # signed for by the consumer
    requested: dt.date  # the consumer asked to return them
    intact: bool = True
    custom_made: bool = False
    perishable: bool = False
    digital_opened: bool = False
    periodical: bool = False
    confirmed_non_returnable: bool = False

    def flagged(self) -> list[str]:
        return [flag for flag in FLAGS if getattr(self, flag)]


@dataclass(frozen=True)
class Reason:
    code: str  # one of REASON_CODES
    text: str  # Chinese, for the shopper and the officer
    cites: tuple[str, ...]  # regulation refs ("10.4") then national citations
    blocks: bool  # this reason alone makes the goods not returnable
    exception: str = ""  # the exception code it concerns, if any

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "text": self.text,
            "cites": list(self.cites),
            "blocks": self.blocks,
            "exception": self.exception,
        }


@dataclass(frozen=True)
class Decision:
    returnable: bool
    category: str
    category_label: str
    received: dt.date
    requested: dt.date
    window_starts: dt.date  # the day after receipt
    deadline: dt.date  # the last day a request is in time
    refund_days: int | None  # the seller refunds within this many days of getting the goods back
    reasons: tuple[Reason, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, object]:
        return {
            "returnable": self.returnable,
            "category": self.category,
            "category_label": self.category_label,
            "received": self.received.isoformat(),
            "requested": self.requested.isoformat(),
            "window_starts": self.window_starts.isoformat(),
            "deadline": self.deadline.isoformat(),
            "refund_days": self.refund_days,
            "reasons": [reason.as_dict() for reason in self.reasons],
        }


def rules_of(pack: Pack) -> Returns:
    if pack.returns is None or not pack.returns.categories:
        raise ReturnsInputError("category", f"政策包“{pack.id}”没有七日无理由退货的品类规则。")
    return pack.returns


def deadline_for(rules: Returns, received: dt.date) -> dt.date:
    """The last day of the window: it starts the day after receipt and lasts ``window`` days."""
    return received + dt.timedelta(days=rules.window.applied)


def _category(rules: Returns, code: str) -> ReturnCategory:
    category = rules.category(code)
    if category is None:
        known = "、".join(f"{c.code}（{c.label}）" for c in rules.categories)
        raise ReturnsInputError("category", f"没有商品品类“{code}”。可选：{known}。")
    return category


def check(pack: Pack, goods: Goods) -> Decision:
    """Decide whether ``goods`` may be returned without reason, with every reason that applies."""
    rules = rules_of(pack)
    category = _category(rules, goods.category)
    if goods.requested < goods.received:
        raise ReturnsInputError("requested", "退货申请日期不能早于签收日期。")
    base = (*rules.cites, *rules.window.national_cites)
    reasons: list[Reason] = []

    # 1. Exceptions that hold by law (Art. 10 (4) 1-4): flagged by the caller, or inherent in the category.
    claimed = {FLAGS[flag] for flag in goods.flagged()}
    for exception in rules.exceptions:
        if exception.needs_confirmation:
            continue
        inherent = exception.code in category.inherent
        if not inherent and exception.code not in claimed:
            continue
        cites = (*rules.cites, *exception.cites)
        if exception.code in category.exceptions:
            how = "按其品类性质" if inherent else "经申报"
            text = f"{exception.label}商品不适用七日无理由退货（{how}）。"
            reasons.append(Reason("exception", text, cites, True, exception.code))
        else:
            text = f"“{exception.label}”的例外不适用于{category.label}，不影响退货。"
            reasons.append(Reason("exception_not_applicable", text, cites, False, exception.code))

    # 2. Exceptions that hold only when the consumer confirmed at purchase (Art. 10 (4) 5).
    for exception in rules.exceptions:
        if not exception.needs_confirmation:
            continue
        cites = (*rules.cites, *exception.cites)
        allowed = exception.code in category.exceptions
        if exception.code in claimed and allowed:
            text = f"{category.label}属于根据商品性质不宜退货的商品，且消费者在购买时已确认不适用七日无理由退货。"
            reasons.append(Reason("confirmed", text, cites, True, exception.code))
        elif exception.code in claimed:
            text = f"{category.label}不属于根据商品性质可经确认不退货的商品，购买时的确认不排除七日无理由退货。"
            reasons.append(Reason("confirmation_not_applicable", text, cites, False, exception.code))
        elif allowed:
            text = f"{category.label}只有经消费者在购买时确认才可不适用七日无理由退货；未经确认的，仍可退货。"
            reasons.append(Reason("confirmable_not_confirmed", text, cites, False, exception.code))

    # 3. The window: 7 days counted from the day after receipt.
    deadline = deadline_for(rules, goods.received)
    starts = goods.received + dt.timedelta(days=1)
    window = rules.window.applied
    if goods.requested > deadline:
        text = f"退货申请超过期限：自签收次日（{starts}）起{window}日内，即最迟 {deadline} 提出。"
        reasons.append(Reason("late", text, base, True))
    else:
        text = f"在七日期限内提出（自签收次日 {starts} 起算，最迟 {deadline}）。"
        reasons.append(Reason("in_time", text, base, False))

    # 4. The state of the goods (完好, 消费者权益保护法 art. 25; the regulation itself says 无条件).
    intact_cites = (*rules.cites, *rules.intact_cites, *category.intact_cites)
    if not goods.intact:
        text = f"退回的商品应当完好。{category.label}：{category.intact}"
        reasons.append(Reason("not_intact", text, intact_cites, True))
    else:
        text = f"退回的商品应当完好：{rules.intact}"
        reasons.append(Reason("intact_condition", text, intact_cites, False))

    return Decision(
        returnable=not any(reason.blocks for reason in reasons),
        category=category.code,
        category_label=category.label,
        received=goods.received,
        requested=goods.requested,
        window_starts=starts,
        deadline=deadline,
        refund_days=rules.refund.applied if rules.refund is not None else None,
        reasons=tuple(reasons),
    )
