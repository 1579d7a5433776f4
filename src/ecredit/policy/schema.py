"""The policy pack's schema, declared: for each key, whether it is required, its type, and the names
it defines or refers to. ``policy/checker.py`` walks a file's YAML nodes with it; ``policy/loader.py``
adds the checks that need the whole file (citations resolve, grades descend, …) and builds the model.

Reading this file is the quickest way to learn what a pack may contain; ``docs/adding-a-rule.md``
explains each section.
"""

from __future__ import annotations

import re

from ecredit.policy import checker as k
from ecredit.policy.model import NATURES, ROLES

ARTICLE_REF = k.Str(pattern=k.REF, hint='条文编号写作 "8" 或 "10.4"')
CITES = k.ListOf(k.Ref("article", k.Str()), min_items=1, empty="必须引用条文")
NATIONAL_CITES = k.ListOf(k.Ref("national", k.Str()), min_items=1, empty="不能为空列表")
INDICATOR_CODE = k.Str(pattern=k.CODE, hint="小写字母、数字和下划线，以点分段，如 quality.sample_failed")
GRADE_CODE = k.Str()
ROLE = k.Enum(ROLES, what="角色")


def _period_fields(unit_values: tuple[str, ...]) -> dict[str, k.Field | k.Spec]:
    return {
        "value": k.Field(k.Int(minimum=0), required=False),
        "unit": k.Enum(unit_values, what="单位"),
        "cites": k.Field(CITES, missing="期限必须引用条文"),
        "national_value": k.Field(k.Int(minimum=0), required=False),
        "national_cites": k.Field(NATIONAL_CITES, required=False),
        "note": k.Field(k.Str(), required=False),
    }


PERIOD = k.Obj(_period_fields(("days", "working_days", "months", "years")))

# The random draw's risk weight (sampling.draw_weight): 1 + negative credit events in the last
# ``lookback_months``, at most ``max``.
DRAW_WEIGHT = k.Obj(
    {
        "max": k.Int(minimum=1),
        "lookback_months": k.Int(minimum=1),
        "cites": k.Field(CITES, missing="抽取权重必须引用条文"),
        "note": k.Field(k.Str(), required=False),
    }
)

INDICATOR = k.Obj(
    {
        "code": k.Def("indicator", INDICATOR_CODE, what="指标代码"),
        "label": k.Str(),
        "cites": k.Field(
            k.ListOf(k.Ref("article", k.Str()), min_items=1, empty="指标必须引用条文"), missing="指标必须引用条文"
        ),
        "roles": k.ListOf(ROLE, min_items=1, empty="至少适用一种角色"),
        "points": k.Number(),
        "cap": k.Nullable(k.Number()),
        "window_months": k.Nullable(k.Int(minimum=1)),
        "full_weight_months": k.Nullable(k.Int(minimum=1)),
        "kind": k.Field(k.Enum(("event", "clean_record"), what="指标类型"), required=False),
        "ended_by": k.Field(k.ListOf(k.Ref("indicator", INDICATOR_CODE)), required=False),
        "repair_months": k.Field(k.Nullable(k.Int(minimum=0)), required=False),
        "public": k.Field(k.Bool(), required=False),
        "severity": k.Field(k.Enum(("light", "general", "severe"), what="严重程度"), required=False),
        "advice": k.Field(k.Str(), required=False),
    }
)

VETO = k.Obj(
    {
        "code": k.Def("veto", INDICATOR_CODE, what="否决项代码"),
        "label": k.Str(),
        "cites": k.Field(CITES, missing="否决项必须引用条文"),
        "triggers": k.ListOf(k.Ref("indicator", INDICATOR_CODE), min_items=1, empty="至少需要一个触发指标"),
        "grade": k.Ref("grade", GRADE_CODE),
        "window_months": k.Int(minimum=1),
    }
)

EVENT = k.Obj(
    {
        "id": k.Field(k.Int(minimum=1), required=False),
        "indicator": k.Ref("indicator", INDICATOR_CODE),
        "occurred_on": k.Date(),
        "withdrawn_on": k.Field(k.Date(), required=False),
        "repaired_from": k.Field(k.Date(), required=False),
    }
)

REASON = k.Either(
    k.Ref("indicator", INDICATOR_CODE),
    k.Obj(
        {
            "indicator": k.Ref("indicator", INDICATOR_CODE),
            "points": k.Field(k.Number(), required=False),
            "count": k.Field(k.Int(minimum=0), required=False),
        }
    ),
)

# Monitoring (issue 8): return categories and the scan's term lists.
RETURN_EXCEPTION_REF = k.Ref("return_exception", k.Str(pattern=k.KEY, hint="小写字母和下划线"))
RETURN_CATEGORY = k.Obj(
    {
        "code": k.Def("return_category", k.Str(pattern=k.KEY, hint="小写字母和下划线"), what="退货品类代码"),
        "label": k.Str(),
        "exceptions": k.ListOf(RETURN_EXCEPTION_REF),
        "inherent": k.ListOf(RETURN_EXCEPTION_REF),
        "intact": k.Str(),
        "intact_cites": NATIONAL_CITES,
    }
)
TERM = k.Either(
    k.Str(),
    k.Obj(
        {
            "term": k.Str(),
            "except_categories": k.ListOf(
                k.Ref("return_category", k.Str(pattern=k.KEY, hint="小写字母和下划线")), min_items=1
            ),
        }
    ),
)
TERM_LIST = k.Obj(
    {
        "code": k.Def("term_list", k.Str(pattern=k.KEY, hint="小写字母和下划线"), what="词表代码"),
        "label": k.Str(),
        "cites": k.Field(CITES, missing="词表必须引用条文"),
        "national_cites": k.Field(NATIONAL_CITES, required=False),
        "indicator": k.Ref("indicator", INDICATOR_CODE),
        "denies_returns": k.Field(k.Bool(), required=False),
        "terms": k.ListOf(TERM, min_items=1, empty="词表不能为空"),
    }
)

CASE = k.Obj(
    {
        "name": k.Str(),
        "role": ROLE,
        "as_of": k.Date(),
        "events": k.ListOf(EVENT),
        "expect": k.Obj(
            {
                "score": k.Field(k.Number(), required=False),
                "grade": k.Field(k.Ref("grade", GRADE_CODE), required=False),
                "reasons": k.Field(k.ListOf(REASON), required=False),
                "veto": k.Field(k.Nullable(k.Ref("veto", INDICATOR_CODE)), required=False),
            }
        ),
    }
)
CASES = k.ListOf(CASE)

INDICATOR_REF = k.Ref("indicator", INDICATOR_CODE)
SEVERITY = k.Enum(("light", "general", "severe"), what="严重程度")
PENALTY_TYPE = k.Enum(("warning", "fine", "confiscation", "suspension", "revocation"), what="处罚种类")

# 执法办案 (Art. 15-19, 22-24): case and publication periods, and which indicator each outcome records.
ENFORCEMENT = k.Obj(
    {
        "cites": CITES,
        "note": k.Field(k.Str(), required=False),
        "decision": PERIOD,
        "extension": PERIOD,
        "publish": PERIOD,
        "published_light": PERIOD,
        "published_other": PERIOD,
        "review": PERIOD,
        "litigation": PERIOD,
        "not_published": k.ListOf(PENALTY_TYPE),
        "not_published_cites": NATIONAL_CITES,
        "penalty_indicators": k.Obj({"light": INDICATOR_REF, "general": INDICATOR_REF, "severe": INDICATOR_REF}),
        "food_drug_indicator": INDICATOR_REF,
        "obstruction_indicator": INDICATOR_REF,
        "untruthful_indicator": INDICATOR_REF,
        "suspension_ignored_indicator": INDICATOR_REF,
        "website_closed_indicator": INDICATOR_REF,
        "transfer_indicator": INDICATOR_REF,
    }
)

PACK = k.Obj(
    {
        "id": k.Str(pattern=re.compile(r"^[a-z0-9][a-z0-9-]*$"), hint="小写字母、数字和连字符"),
        "title": k.Str(),
        "issuer": k.Str(),
        "jurisdiction": k.Obj(
            {"name": k.Str(), "division_code": k.Str(pattern=re.compile(r"^\d{6}$"), hint="六位行政区划代码")}
        ),
        "in_force": k.Obj({"from": k.Date(), "until": k.Date(), "cites": k.Field(CITES, required=False)}),
        "articles": k.MapOf(
            k.Def("article", ARTICLE_REF, what="条文编号"),
            k.Obj(
                {
                    "title": k.Str(),
                    "nature": k.Enum(NATURES, what="性质"),
                    "note": k.Field(k.Str(), required=False),
                    "text": k.Str(),
                }
            ),
            min_items=1,
        ),
        "score": k.Obj(
            {"base": k.Int(), "floor": k.Int(), "ceiling": k.Int(), "bonus_cap": k.Int(minimum=0), "notice": k.Str()}
        ),
        "grades": k.ListOf(
            k.Obj({"code": k.Def("grade", GRADE_CODE, what="等级代码"), "label": k.Str(), "min": k.Int()}),
            min_items=1,
        ),
        "indicators": k.ListOf(INDICATOR, min_items=1),
        "vetoes": k.ListOf(VETO),
        "retention": k.ListOf(
            k.Obj(
                {
                    "what": k.Def("retention", k.Str(pattern=k.KEY, hint="小写字母、数字和下划线"), what="保存对象"),
                    "start": k.Enum(("completed", "deregistered", "recorded"), what="起算点"),
                    "period": k.Obj(_period_fields(("days", "years"))),
                }
            )
        ),
        "procedure": k.Obj(
            {
                "objection_decision": PERIOD,
                "repair_decision": PERIOD,
                "warning_grades": k.ListOf(k.Ref("grade", GRADE_CODE)),
                "warning_drop": k.Int(minimum=1),
            }
        ),
        "sampling": k.Field(
            k.Obj(
                {
                    "cites": CITES,
                    "note": k.Field(k.Str(), required=False),
                    "annual_ratio": k.MapOf(
                        k.Ref("grade_or_unrated", GRADE_CODE), k.Number(minimum=0, maximum=1), min_items=1
                    ),
                    "retest": PERIOD,
                    "publish": PERIOD,
                    "rectification": k.Field(PERIOD, required=False),
                    "repeat_failure": k.Field(PERIOD, required=False),
                    "draw_weight": k.Field(DRAW_WEIGHT, required=False),
                }
            ),
            required=False,
        ),
        "returns": k.Field(
            k.Obj(
                {
                    "cites": CITES,
                    "national_cites": k.Field(NATIONAL_CITES, required=False),
                    "note": k.Field(k.Str(), required=False),
                    "window": PERIOD,
                    "from": k.Enum(("received",), what="起算点"),
                    "refund": k.Field(PERIOD, required=False),
                    "exceptions": k.ListOf(
                        k.Obj(
                            {
                                "code": k.Def(
                                    "return_exception", k.Str(pattern=k.KEY, hint="小写字母和下划线"), what="例外代码"
                                ),
                                "label": k.Str(),
                                "needs_confirmation": k.Bool(),
                            }
                        )
                    ),
                    "exception_cites": k.Field(
                        k.MapOf(k.Ref("return_exception", k.Str()), NATIONAL_CITES), required=False
                    ),
                    "intact": k.Field(k.Obj({"text": k.Str(), "national_cites": NATIONAL_CITES}), required=False),
                    "categories": k.Field(k.ListOf(RETURN_CATEGORY, min_items=1), required=False),
                }
            ),
            required=False,
        ),
        "listing_disclosure": k.Field(
            k.Obj(
                {
                    "cites": CITES,
                    "national_cites": k.Field(NATIONAL_CITES, required=False),
                    "required": k.MapOf(k.Str(pattern=k.KEY, hint="小写字母和下划线"), k.Str(), min_items=1),
                    "free_shipping": k.Field(k.ListOf(k.Str(), min_items=1), required=False),
                }
            ),
            required=False,
        ),
        "enforcement": k.Field(ENFORCEMENT, required=False),
        "conduct": k.Field(k.MapOf(k.Ref("conduct", ARTICLE_REF), k.Str(), min_items=1), required=False),
        "term_lists": k.Field(k.ListOf(TERM_LIST, min_items=1), required=False),
        "complaints": k.Field(
            k.Obj(
                {
                    "cites": CITES,
                    "accept": PERIOD,
                    "respond": PERIOD,
                    "indicator": k.Ref("indicator", INDICATOR_CODE),
                }
            ),
            required=False,
        ),
        "incidents": k.Field(
            k.Obj({"cites": CITES, "report": PERIOD, "indicator": k.Ref("indicator", INDICATOR_CODE)}),
            required=False,
        ),
        "cases": k.Field(CASES, required=False),
    }
)
