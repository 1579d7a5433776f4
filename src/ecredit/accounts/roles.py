"""Who may do what: the one declarative table of roles and the actions they may take.

Every view, API operation and command declares the action it needs; ``can`` reads this table.
A later issue adds its actions here and grants them to roles here, nowhere else.
"""

from __future__ import annotations

from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Role(StrEnum):
    CREDIT_OFFICER = "credit_officer"
    INSPECTOR = "inspector"
    DEPARTMENT_OFFICER = "department_officer"
    LAB_ANALYST = "lab_analyst"
    ASSOCIATION_OFFICER = "association_officer"
    OPERATOR_USER = "operator_user"
    PLATFORM_SYSTEM = "platform_system"
    DEPARTMENT_HEAD = "department_head"
    AUDITOR = "auditor"
    ADMIN = "admin"


ROLE_LABELS: dict[Role, str | Promise] = {
    Role.CREDIT_OFFICER: _("信用管理员（商务局）"),
    Role.INSPECTOR: _("执法检查人员（市场监管）"),
    Role.DEPARTMENT_OFFICER: _("部门工作人员"),
    Role.LAB_ANALYST: _("检验人员（检验机构）"),
    Role.ASSOCIATION_OFFICER: _("协会工作人员"),
    Role.OPERATOR_USER: _("经营者用户"),
    Role.PLATFORM_SYSTEM: _("平台数据对接"),
    Role.DEPARTMENT_HEAD: _("部门负责人（审批）"),
    Role.AUDITOR: _("审计员"),
    Role.ADMIN: _("系统管理员"),
}


class OrgKind(StrEnum):
    COMMERCE_BUREAU = "commerce_bureau"
    MARKET_SUPERVISION = "market_supervision"
    DEPARTMENT = "department"
    LABORATORY = "laboratory"
    ASSOCIATION = "association"
    OPERATOR = "operator"
    PLATFORM = "platform"


ORG_KIND_LABELS: dict[OrgKind, str | Promise] = {
    OrgKind.COMMERCE_BUREAU: _("商务局"),
    OrgKind.MARKET_SUPERVISION: _("市场监督管理局"),
    OrgKind.DEPARTMENT: _("其他部门"),
    OrgKind.LABORATORY: _("检验机构"),
    OrgKind.ASSOCIATION: _("电子商务协会"),
    OrgKind.OPERATOR: _("经营主体"),
    OrgKind.PLATFORM: _("平台"),
}

GOVERNMENT = frozenset({OrgKind.COMMERCE_BUREAU, OrgKind.MARKET_SUPERVISION, OrgKind.DEPARTMENT})

# A role may be held only by users of these kinds of organisation.
ROLE_ORG_KINDS: dict[Role, frozenset[OrgKind]] = {
    Role.CREDIT_OFFICER: frozenset({OrgKind.COMMERCE_BUREAU}),
    Role.INSPECTOR: frozenset({OrgKind.MARKET_SUPERVISION, OrgKind.DEPARTMENT}),
    Role.DEPARTMENT_OFFICER: GOVERNMENT,
    Role.LAB_ANALYST: frozenset({OrgKind.LABORATORY}),
    Role.ASSOCIATION_OFFICER: frozenset({OrgKind.ASSOCIATION}),
    Role.OPERATOR_USER: frozenset({OrgKind.OPERATOR, OrgKind.PLATFORM}),
    Role.PLATFORM_SYSTEM: frozenset({OrgKind.PLATFORM}),
    Role.DEPARTMENT_HEAD: frozenset({OrgKind.MARKET_SUPERVISION, OrgKind.DEPARTMENT, OrgKind.COMMERCE_BUREAU}),
    Role.AUDITOR: GOVERNMENT,
    Role.ADMIN: GOVERNMENT,
}


class Action(StrEnum):
    """Things a person or an API client may do. ``PUBLIC`` needs no account."""

    PUBLIC = "public"
    DASHBOARD_VIEW = "dashboard.view"
    PROFILE_VIEW = "profile.view"
    TOKENS_MANAGE = "tokens.manage"
    AUDIT_VIEW = "audit.view"
    ADMIN_SITE = "admin.site"
    API_ME = "api.me"
    # Registry (issue 3)
    REGISTRY_VIEW = "registry.view"  # read every entity, filing, storefront and permit
    REGISTRY_MANAGE = "registry.manage"  # register entities, override a code's check character
    REGISTRY_IMPORT = "registry.import"  # bulk import of the city's existing lists
    FILING_REVIEW = "filing.review"  # approve, return, suspend, revoke, deregister filings
    FILING_OWN = "filing.own"  # an operator fills and amends its own filing, storefronts, permits
    IDENTITY_REVEAL = "identity.reveal"  # see a full 居民身份证号码 / phone number, with a recorded reason
    # Policy pack (issue: the policy pack)
    POLICY_EXTEND = "policy.extend"  # keep evaluating with a pack past its period in force (Art. 25)
    # Credit archive (issue 4)
    CREDIT_VIEW = "credit.view"  # read any entity's credit events, evaluations and grade history
    CREDIT_RECORD = "credit.record"  # record a credit event (an inspection result, a case, a manual entry)
    CREDIT_EVALUATE = "credit.evaluate"  # evaluate and store grades (one entity or all), compare packs
    CREDIT_CORRECT = "credit.correct"  # withdraw (objection upheld), repair or reinstate a recorded event
    CREDIT_OBJECT = "credit.object"  # an operator objects to, or asks to repair, its own entities' events
    # Sampling inspections (issue 5)
    INSPECTIONS_VIEW = "inspections.view"  # read plans, draws, samples, reports and rectifications
    INSPECTIONS_MANAGE = "inspections.manage"  # draft plans, draw, record samples, review rectifications
    INSPECTIONS_APPROVE = "inspections.approve"  # approve a sampling plan, decide case proposals
    TEST_REPORT_RECORD = "inspections.test_report"  # a laboratory enters the test report of a sample
    INSPECTIONS_OWN = "inspections.own"  # an operator sees its own samples, asks for a re-test, rectifies
    # Electronic evidence (issue 6)
    EVIDENCE_VIEW = "evidence.view"  # read evidence items, their files and custody logs
    EVIDENCE_CAPTURE = "evidence.capture"  # capture a web page, upload other evidence, export bundles
    EVIDENCE_ATTEST = "evidence.attest"  # record a notarisation, appraisal or platform certificate
    EVIDENCE_CONFIRM_OWN = "evidence.confirm_own"  # a party confirms evidence about itself (Art. 21)
    # Enforcement (issue 7)
    CASE_VIEW = "cases.view"  # read the cases of one's own department (Art. 18)
    CASE_MANAGE = "cases.manage"  # record leads, investigate, draft and issue documents
    CASE_APPROVE = "cases.approve"  # approve filing a case, extending its deadline, a decision
    NOTICE_RECEIVE = "notices.receive"  # a platform or provider reads and acknowledges notices addressed to it
    CASE_OWN = "cases.own"  # a party sees the documents issued in its own cases
    # Monitoring (issue 8)
    MONITORING_VIEW = "monitoring.view"  # read batches, listings, findings, complaints, incidents
    MONITORING_SUBMIT = "monitoring.submit"  # submit a batch (a platform's client, or an officer's upload)
    FINDINGS_REVIEW = "monitoring.review"  # confirm or dismiss scan findings, handle complaints
    INCIDENT_REPORT = "monitoring.incident"  # an operator reports a quality-safety incident, answers complaints
    RETENTION_MANAGE = "retention.manage"  # run the audited purge of personal data past its purpose


_EVERY_ROLE = (Action.DASHBOARD_VIEW, Action.PROFILE_VIEW, Action.API_ME)
_OFFICER = (*_EVERY_ROLE, Action.REGISTRY_VIEW, Action.CREDIT_VIEW)
_SUPERVISION = (Action.INSPECTIONS_VIEW, Action.EVIDENCE_VIEW, Action.CASE_VIEW, Action.MONITORING_VIEW)
_OPERATOR = (
    *_EVERY_ROLE,
    Action.TOKENS_MANAGE,
    Action.FILING_OWN,
    Action.CREDIT_OBJECT,
    Action.INSPECTIONS_OWN,
    Action.EVIDENCE_CONFIRM_OWN,
    Action.CASE_OWN,
    Action.INCIDENT_REPORT,
)

PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.CREDIT_OFFICER: frozenset(
        {
            *_OFFICER,
            Action.REGISTRY_MANAGE,
            Action.REGISTRY_IMPORT,
            Action.FILING_REVIEW,
            Action.IDENTITY_REVEAL,
            Action.CREDIT_RECORD,
            Action.CREDIT_EVALUATE,
            Action.CREDIT_CORRECT,
            Action.INSPECTIONS_VIEW,
            Action.MONITORING_VIEW,
            Action.MONITORING_SUBMIT,
            Action.FINDINGS_REVIEW,
        }
    ),
    Role.INSPECTOR: frozenset(
        {
            *_OFFICER,
            *_SUPERVISION,
            Action.IDENTITY_REVEAL,
            Action.CREDIT_RECORD,
            Action.INSPECTIONS_MANAGE,
            Action.EVIDENCE_CAPTURE,
            Action.EVIDENCE_ATTEST,
            Action.CASE_MANAGE,
            Action.MONITORING_SUBMIT,
            Action.FINDINGS_REVIEW,
        }
    ),
    Role.DEPARTMENT_OFFICER: frozenset(
        {*_OFFICER, *_SUPERVISION, Action.CREDIT_RECORD, Action.EVIDENCE_CAPTURE, Action.CASE_MANAGE}
    ),
    Role.DEPARTMENT_HEAD: frozenset(
        {*_OFFICER, *_SUPERVISION, Action.INSPECTIONS_APPROVE, Action.CASE_APPROVE, Action.IDENTITY_REVEAL}
    ),
    Role.LAB_ANALYST: frozenset({*_EVERY_ROLE, Action.TEST_REPORT_RECORD}),
    Role.ASSOCIATION_OFFICER: frozenset(_EVERY_ROLE),
    Role.OPERATOR_USER: frozenset(_OPERATOR),
    Role.PLATFORM_SYSTEM: frozenset(
        {*_EVERY_ROLE, Action.TOKENS_MANAGE, Action.CREDIT_RECORD, Action.MONITORING_SUBMIT, Action.NOTICE_RECEIVE}
    ),
    Role.AUDITOR: frozenset({*_OFFICER, *_SUPERVISION, Action.AUDIT_VIEW}),
    Role.ADMIN: frozenset(
        {
            *_OFFICER,
            Action.TOKENS_MANAGE,
            Action.AUDIT_VIEW,
            Action.ADMIN_SITE,
            Action.REGISTRY_IMPORT,
            Action.POLICY_EXTEND,
            Action.CREDIT_EVALUATE,
            Action.RETENTION_MANAGE,
        }
    ),
}

# Actions an API token may carry as scopes (the rest only make sense in a browser session).
API_SCOPES = frozenset(
    {
        Action.API_ME,
        Action.AUDIT_VIEW,
        Action.REGISTRY_VIEW,
        Action.REGISTRY_MANAGE,
        Action.REGISTRY_IMPORT,
        Action.FILING_REVIEW,
        Action.FILING_OWN,
        Action.CREDIT_VIEW,
        Action.CREDIT_RECORD,
        Action.CREDIT_EVALUATE,
        Action.CREDIT_CORRECT,
        Action.CREDIT_OBJECT,
        Action.INSPECTIONS_VIEW,
        Action.INSPECTIONS_MANAGE,
        Action.TEST_REPORT_RECORD,
        Action.EVIDENCE_VIEW,
        Action.EVIDENCE_CAPTURE,
        Action.CASE_VIEW,
        Action.NOTICE_RECEIVE,
        Action.MONITORING_VIEW,
        Action.MONITORING_SUBMIT,
    }
)


def actions_for(roles: frozenset[Role] | set[Role]) -> frozenset[Action]:
    granted: set[Action] = {Action.PUBLIC}
    for role in roles:
        granted |= PERMISSIONS[role]
    return frozenset(granted)


def permits(roles: frozenset[Role] | set[Role], action: Action) -> bool:
    return action in actions_for(roles)
