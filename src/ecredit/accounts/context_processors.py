from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ecredit.accounts.access import request_actor
from ecredit.accounts.roles import ROLE_LABELS, Action

# The menu: label, URL name, the action it needs. Items a role may not use are not shown.
NAVIGATION: list[tuple[str | Promise, str, Action]] = [
    (_("工作台"), "accounts:dashboard", Action.DASHBOARD_VIEW),
    (_("经营主体"), "registry:entities", Action.REGISTRY_VIEW),
    (_("备案审核"), "registry:queue", Action.FILING_REVIEW),
    (_("批量导入"), "registry:import", Action.REGISTRY_IMPORT),
    (_("我的备案"), "registry:mine", Action.FILING_OWN),
    (_("信用档案"), "credit:index", Action.CREDIT_VIEW),
    (_("异议与修复"), "credit_procedures:objections", Action.CREDIT_CORRECT),
    (_("我的信用"), "credit:mine", Action.FILING_OWN),
    (_("抽查检验"), "inspections:index", Action.INSPECTIONS_VIEW),
    (_("待检样品"), "inspections:lab", Action.TEST_REPORT_RECORD),
    (_("我的抽检"), "inspections:mine", Action.INSPECTIONS_OWN),
    (_("执法办案"), "enforcement:cases", Action.CASE_VIEW),
    (_("执法通知"), "enforcement:notices", Action.NOTICE_RECEIVE),
    (_("我的执法文书"), "enforcement:mine", Action.CASE_OWN),
    (_("电子证据"), "evidence:index", Action.EVIDENCE_VIEW),
    (_("涉及本单位的电子证据"), "evidence:mine", Action.EVIDENCE_CONFIRM_OWN),
    (_("监测发现"), "monitoring:findings", Action.MONITORING_VIEW),
    (_("数据批次"), "monitoring:batches", Action.MONITORING_VIEW),
    (_("上传数据"), "monitoring:upload", Action.MONITORING_SUBMIT),
    (_("投诉与事故"), "monitoring:complaints", Action.MONITORING_VIEW),
    (_("投诉与事故报告"), "monitoring:mine", Action.INCIDENT_REPORT),
    (_("审计日志"), "audit:log", Action.AUDIT_VIEW),
    (_("API 令牌"), "accounts:tokens", Action.TOKENS_MANAGE),
    (_("后台管理"), "admin:index", Action.ADMIN_SITE),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    actor = request_actor(request)
    if actor is None:
        return {"nav_items": [], "actor": None, "role_labels": []}
    items = [{"label": label, "url": reverse(name)} for label, name, action in NAVIGATION if actor.can(action)]
    return {
        "nav_items": items,
        "actor": actor,
        "role_labels": [ROLE_LABELS[role] for role in sorted(actor.roles)],
    }
