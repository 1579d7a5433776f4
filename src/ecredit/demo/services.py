"""Loading the demo data, through the same services a person would use (so it is all audited)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Max
from django.urls import reverse
from django.utils import timezone

from ecredit.accounts import services as accounts
from ecredit.accounts.actors import Actor
from ecredit.accounts.models import Organisation, User
from ecredit.accounts.roles import Action
from ecredit.credit import batch as credit_batch
from ecredit.credit import services as credit
from ecredit.credit.models import Evaluation
from ecredit.demo import credit_data, registry_data
from ecredit.demo.data import ACCOUNTS, ORGS
from ecredit.demo.registry_data import DemoEntity, DemoFiling, Fate
from ecredit.enforcement import demo as enforcement_demo
from ecredit.errors import DomainError, ErrorCode
from ecredit.evidence import demo as evidence_demo
from ecredit.inspections import demo as inspections_demo
from ecredit.monitoring import demo as monitoring_demo
from ecredit.policy import services as policy
from ecredit.policy.models import PackExtension
from ecredit.policy.packs import active_pack
from ecredit.registry import services as registry
from ecredit.registry.models import Entity, Filing, FilingStatus
from ecredit.registry.services import EntityData, FilingData

#: Who does the officer's part of the registry demo, and which demo organisations act for their own entities.
OFFICER = "credit"
OPERATORS = {"seller": "seller", "platform": "platform"}  # organisation key → username
#: Who extends the pack past its period, and who records and evaluates the credit history.
ADMIN = "admin"
CREDIT_STAFF = (credit_data.OFFICER, credit_data.INSPECTOR)
#: Who runs the demo sampling inspections (issue 5): role in inspections.demo.load → username.
INSPECTIONS_STAFF = {"officer": "inspector", "chief": "chief", "lab": "lab", "seller": "seller"}


def database_is_empty() -> bool:
    return not (Organisation.objects.exists() or User.objects.exists())


@transaction.atomic
def load_demo(*, actor: Actor, with_registry: bool = True) -> dict[str, str]:
    """Create the demo cast and (unless ``with_registry=False``, for tests that only need the accounts)
    the demo registry; return extra secrets made along the way (the platform's API token)."""
    if not database_is_empty():
        raise DomainError(ErrorCode.CONFLICT, "数据库不为空，拒绝加载演示数据（演示数据只能加载到空数据库）。")
    orgs = {
        org.key: accounts.create_organisation(actor=actor, name=org.name, kind=org.kind.value, uscc=org.uscc)
        for org in ORGS
    }
    users = {
        account.username: accounts.create_user(
            actor=actor,
            organisation=orgs[account.org],
            username=account.username,
            password=account.password,
            roles=[role.value for role in account.roles],
            display_name=account.display_name,
        )
        for account in ACCOUNTS
    }
    _token, raw = accounts.issue_token(
        actor=actor, creator=users["platform"], name="平台数据对接（演示）", scopes=[Action.API_ME.value]
    )
    if with_registry:
        today = timezone.localdate()
        extend_pack(admin=accounts.actor_for_user(users[ADMIN]), today=today)
        specs, entities = load_registry(
            officer=accounts.actor_for_user(users[OFFICER]),
            operators={key: accounts.actor_for_user(users[username]) for key, username in OPERATORS.items()},
            organisations=orgs,
        )
        inspections_demo.load(
            **{role: accounts.actor_for_user(users[name]) for role, name in INSPECTIONS_STAFF.items()},
            organisations=orgs,
            specs=specs,
            entities=entities,
            today=today,
        )
        enforcement_demo.load(
            users={name: accounts.actor_for_user(users[name]) for name in ("inspector", "chief", "platform")},
            entities=entities,
            today=today,
        )
        monitoring_demo.load(
            platform=accounts.actor_for_user(users["platform"]),
            officer=accounts.actor_for_user(users[OFFICER]),
            operator=accounts.actor_for_user(users["seller"]),
            entities=entities,
            today=today,
        )
        load_credit(
            staff={username: accounts.actor_for_user(users[username]) for username in CREDIT_STAFF},
            specs=specs,
            entities=entities,
            today=today,
        )
        evidence_demo.load(
            inspector=accounts.actor_for_user(users["inspector"]),
            seller=accounts.actor_for_user(users["seller"]),
            entity=next((e for e in entities.values() if e.organisation_id == users["seller"].organisation_id), None),
            today=today,
        )
    return {"platform_token": raw}


def _filing_data(entity: DemoEntity, filing: DemoFiling) -> FilingData:
    return FilingData(
        subject_name=entity.name,
        subject_kind=entity.kind,
        contact_name=filing.contact_name,
        contact_phone=filing.contact_phone,
        contact_email=filing.contact_email,
        address=filing.address,
        websites=[dict(site) for site in filing.websites],
        other_items=dict(filing.other_items),
    )


def _play_filing(spec: DemoEntity, entity: Entity, operator: Actor, officer: Actor) -> None:
    """Take the entity's filing through the steps its fate needs: the operator files, declares and
    amends; the officer reviews. An entity with no operator account is filed by the officer."""
    if spec.filing is None or spec.fate is Fate.NONE:
        return
    filing = registry.create_filing(operator, entity, _filing_data(spec, spec.filing))
    if spec.fate is Fate.DRAFT:
        return
    filing = registry.submit_filing(operator, filing, declaration=True)
    if spec.fate is Fate.SUBMITTED:
        return
    if spec.fate in (Fate.RETURNED, Fate.RETURNED_FIXED):
        filing = registry.return_filing(officer, filing, reasons=spec.reason)
    else:
        filing = registry.approve_filing(officer, filing)
    if spec.amendment is not None:
        filing = registry.amend_filing(operator, filing, _filing_data(spec, spec.amendment))
        if spec.fate is Fate.AMENDED_DRAFT:
            return
        filing = registry.submit_filing(operator, filing, declaration=True)
        if spec.fate is Fate.AMENDED_PENDING:
            return
        filing = registry.approve_filing(officer, filing)
    if spec.fate is Fate.SUSPENDED:
        registry.suspend_filing(officer, filing, reason=spec.reason)
    elif spec.fate is Fate.REVOKED:
        registry.revoke_filing(officer, filing, reason=spec.reason)
    elif spec.fate is Fate.DEREGISTERED:
        registry.deregister_filing(officer, filing, reason=spec.reason)


def load_registry(
    *, officer: Actor, operators: dict[str, Actor], organisations: dict[str, Organisation]
) -> tuple[list[DemoEntity], dict[str, Entity]]:
    """The demo registry (``demo.registry_data``): every entity registered, filed, reviewed,
    given its shops and permits through ``registry.services`` (whose approvals put ``filing.current``
    in the credit ledger). Returns the specs and the entities made from them, by key."""
    specs = registry_data.build(timezone.localdate())
    entities: dict[str, Entity] = {}
    acting: dict[str, Actor] = {}
    for spec in specs:
        operator = operators[spec.organisation] if spec.organisation else officer
        data = EntityData(
            name=spec.name,
            kind=spec.kind,
            roles=list(spec.roles),
            uscc=spec.uscc,
            resident_id=spec.resident_id,
            address=spec.address,
            industry=spec.industry,
            township=spec.township,
            sells_permit_goods=spec.sells_permit_goods,
            trades_in_enterprise_name=spec.trades_in_enterprise_name,
        )
        organisation = organisations[spec.organisation] if spec.organisation else None
        entity = registry.register_entity(operator, data, organisation=organisation)
        entities[spec.key] = entity
        acting[spec.key] = operator
        _play_filing(spec, entity, operator, officer)
    for spec in specs:
        entity, operator = entities[spec.key], acting[spec.key]
        for shop in spec.storefronts:
            registry.add_storefront(
                operator,
                entity,
                platform=entities[shop.platform],
                shop_name=shop.shop_name,
                shop_url=shop.shop_url,
                shop_id=shop.shop_id,
            )
        for permit in spec.permits:
            registry.add_permit(
                operator,
                entity,
                kind=permit.kind,
                number=permit.number,
                issuer=permit.issuer,
                valid_from=permit.valid_from,
                valid_until=permit.valid_until,
            )
    return specs, entities


def extend_pack(*, admin: Actor, today: dt.date) -> None:
    """The demo's system administrator keeps the trial pack in use past Art. 25's end, as the bureau would."""
    pack = active_pack()
    if pack.in_force(today):
        return
    until = max(credit_data.EXTENSION_UNTIL, today)
    policy.record_extension(admin, pack.id, until=until, reason=credit_data.EXTENSION_REASON)


def load_credit(
    *, staff: dict[str, Actor], specs: list[DemoEntity], entities: dict[str, Entity], today: dt.date
) -> None:
    """The demo credit archive (``demo.credit_data``): history recorded through ``credit.services``,
    one withdrawal and one repair, then every entity evaluated on 30 June and today."""
    officer = staff[credit_data.OFFICER]
    for item in credit_data.build(specs, today):
        event = credit.record_event(
            staff[item.recorder],
            entities[item.entity],
            item.indicator,
            item.occurred_on,
            source_kind=item.source_kind,
            source_ref=item.source_ref,
            evidence=item.evidence,
            reason=item.reason,
        )
        fix = item.correction
        if fix is None:
            continue
        if fix.kind == "withdrawn":
            credit.withdraw_event(officer, event, reason=fix.reason, effective_on=fix.on, source_ref=fix.source_ref)
        else:
            credit.repair_event(officer, event, from_date=fix.on, reason=fix.reason, source_ref=fix.source_ref)
    for day in (credit_data.mid_year(today), today):
        credit_batch.evaluate_all(officer, day)


@dataclass(frozen=True)
class RegistrySummary:
    """What `ecredit demo` prints about the registry."""

    entities: int
    approved: int
    waiting: int
    seller_badge_path: str  # the demo seller's public verification page, or "" when it has no badge


def registry_summary() -> RegistrySummary:
    seller_org = next(org for org in ORGS if org.key == "seller")
    badge_path = ""
    entity = Entity.objects.filter(organisation__name=seller_org.name).order_by("pk").first()
    if entity is not None:
        badge = entity.badges.filter(revoked_at__isnull=True).first()
        if badge is not None:
            badge_path = reverse("verify", kwargs={"token": registry.badge_token(badge)})
    return RegistrySummary(
        entities=Entity.objects.count(),
        approved=Filing.objects.filter(status=FilingStatus.APPROVED).count(),
        waiting=Filing.objects.filter(status=FilingStatus.SUBMITTED).count(),
        seller_badge_path=badge_path,
    )


@dataclass(frozen=True)
class CreditSummary:
    """What `ecredit demo` prints about the credit archive: the latest day evaluated and its grades."""

    as_of: dt.date | None
    grades: dict[str, int]
    extended_until: dt.date | None

    def line(self) -> str:
        until = (
            f"；政策包已延期至 {self.extended_until} / pack extended to {self.extended_until}"
            if self.extended_until
            else ""
        )
        if self.as_of is None:
            return f"信用评价 / credit: 尚未评价 not evaluated yet{until}"
        grades = "，".join(f"{code} {count}" for code, count in sorted(self.grades.items()))
        return f"信用评价 / credit: {self.as_of} 等级分布 grades {grades}{until}"


def credit_summary() -> CreditSummary:
    runs = Evaluation.objects.filter(batch=True)
    latest = runs.aggregate(day=Max("as_of"))["day"]
    grades: Counter[str] = Counter()
    if latest is not None:
        run = runs.filter(as_of=latest).aggregate(at=Max("created_at"))["at"]  # a run stores one instant
        rows = runs.filter(as_of=latest, created_at=run).values("grade").annotate(n=Count("pk"))
        grades.update({row["grade"]: row["n"] for row in rows})
    extension = PackExtension.objects.filter(pack_id=active_pack().id).order_by("-created_at", "-pk").first()
    return CreditSummary(latest, dict(grades), extension.until if extension else None)
