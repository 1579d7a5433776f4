"""网络监测 over HTTP (/api/v1/monitoring/…) and the public 7-day return check (/api/v1/returns/check).

No ``from __future__ import annotations`` here: ninja reads the annotations at import time."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from ecredit.accounts.access import ACTION_ATTR
from ecredit.accounts.roles import Action
from ecredit.api.base import check_declarations
from ecredit.api.schemas import ErrorOut
from ecredit.errors import DomainError, ErrorCode
from ecredit.monitoring import returns
from ecredit.policy.packs import active_pack

router = Router(tags=["monitoring"])
returns_router = Router(tags=["returns"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class Anyone:
    """The ``auth=`` of a public operation: anyone may call it, signed in or not (``Action.PUBLIC``)."""

    action = Action.PUBLIC

    def __call__(self, request: HttpRequest) -> bool:
        return True


def public_operation(func: Any) -> Any:
    setattr(func, ACTION_ATTR, Action.PUBLIC)
    return func


# --- the 7-day return check (public) -------------------------------------------------------------


class ReturnsQuery(Schema):
    category: str = Field(description="商品品类代码（见 ecredit returns categories），如 clothing")
    received: dt.date = Field(description="签收日期")
    requested: dt.date = Field(description="申请退货日期")
    not_intact: bool = Field(False, description="商品不完好")
    custom_made: bool = Field(False, description="消费者定作")
    perishable: bool = Field(False, description="鲜活易腐")
    digital_opened: bool = Field(False, description="在线下载或已拆封的数字化商品")
    periodical: bool = Field(False, description="已交付的报纸、期刊")
    confirmed_non_returnable: bool = Field(False, description="购买时经消费者确认不宜退货")


class ReturnReasonOut(Schema):
    code: str = Field(description="原因代码：exception、late、not_intact、in_time 等")
    text: str
    cites: list[str] = Field(description="依据：本制度条款（如 10.4）与国家法律法规")
    blocks: bool = Field(description="该原因单独即导致不能无理由退货")
    exception: str = Field(description="涉及的例外代码（如有）")


class ReturnDecisionOut(Schema):
    returnable: bool
    category: str
    category_label: str
    received: dt.date
    requested: dt.date
    window_starts: dt.date = Field(description="期限起算日（签收次日）")
    deadline: dt.date = Field(description="最迟申请日")
    refund_days: int | None = Field(description="经营者收到退回商品后返还价款的期限（日）")
    reasons: list[ReturnReasonOut]


@returns_router.get(
    "/check", response={200: ReturnDecisionOut, **ERRORS}, auth=[Anyone()], summary="七日无理由退货判断（公开）"
)
@public_operation
def returns_check(request: HttpRequest, query: Query[ReturnsQuery]) -> dict[str, Any]:
    facts = query.dict()
    goods = returns.Goods(intact=not facts.pop("not_intact"), **facts)
    try:
        decision = returns.check(active_pack(), goods)
    except returns.ReturnsInputError as exc:
        raise DomainError(ErrorCode.VALIDATION, exc.message, {exc.field: exc.message}) from None
    return decision.as_dict()


check_declarations(router)
check_declarations(returns_router)
