"""Every change to the registry: validated, written in one transaction, audited.

Views, the API, the CLI, the importer and tests all come through here."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from django.core import signing
from django.db import models, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from ecredit.accounts.actors import Actor
from ecredit.accounts.models import Organisation
from ecredit.accounts.roles import Action
from ecredit.audit import services as audit
from ecredit.credit import services as credit
from ecredit.credit.models import CreditEvent, SourceKind
from ecredit.crypto import lookup_digest
from ecredit.errors import DomainError, ErrorCode
from ecredit.policy.packs import active_pack
from ecredit.registry import codes
from ecredit.registry.models import (
    Badge,
    Entity,
    EntityKind,
    EntityRole,
    Filing,
    FilingCounter,
    FilingStatus,
    FilingVersion,
    Permit,
    PermitKind,
    Storefront,
    Website,
    WebsiteKind,
)

# What this module implements of the regulation, read by `ecredit policy coverage` (docs/adding-a-rule.md).
IMPLEMENTS = {
    "2": "登记电子商务经营主体的类型（自然人、个体工商户、法人、其他经济组织）与角色（网络商品经营者、平台、基础服务经营者）",
    "8": "备案登记事项的填报、经营者对真实性的声明、审核、变更、暂停、撤销与注销；营业执照电子链接标识的签发、吊销与核验",
    "9": "自然人以居民身份证号码登记真实身份",
    "9.1": "记录自然人的经营范围是否涉及前置许可，据以判断其应否依法登记注册",
    "9.2": "记录自然人是否以企业、个体工商户名义经营，据以判断其应否依法登记注册",
    "10.1": "登记前置许可及其有效期，列出已过期或即将到期的许可",
    "12.2": "自备案注销之日起计算经营者身份信息的保存期限（政策包中较严格的期限）",
}

KINDS = frozenset(EntityKind.values)
ROLES = frozenset(EntityRole.values)
WEBSITE_KINDS = frozenset(WebsiteKind.values)


def _choices(choices: type[models.TextChoices]) -> str:
    """``legal_person（法人）、…`` for a message that says what is accepted."""
    return "、".join(f"{value}（{label}）" for value, label in choices.choices)


def _too_long(errors: dict[str, str], field: str, value: str, limit: int, label: str) -> None:
    if len(value) > limit:
        errors[field] = f"{label}不能超过 {limit} 个字符（现为 {len(value)} 个）。"


ORGANISATION_KINDS = frozenset({EntityKind.INDIVIDUAL_BUSINESS, EntityKind.LEGAL_PERSON, EntityKind.OTHER_ORG})
BADGE_SALT = "ecredit.registry.badge"


def tidy(raw: str) -> str:
    """Prose as typed, trimmed, with runs of spaces (ideographic ones too) made one. Unlike
    ``codes.normalise_text`` it keeps full-width Chinese punctuation (，（）：) as written."""
    return " ".join(raw.replace("\u3000", " ").split())


def _require(actor: Actor, action: Action) -> None:
    if not actor.can(action):
        raise DomainError(ErrorCode.FORBIDDEN)


def _invalid(details: Mapping[str, str], message: str = "") -> DomainError:
    first = next(iter(details.values()), "")
    return DomainError(ErrorCode.VALIDATION, message or first or None, dict(details))


def owns(actor: Actor, entity: Entity) -> bool:
    """An operator's users act for the entities linked to their organisation."""
    return actor.organisation_id is not None and entity.organisation_id == actor.organisation_id


def may_view(actor: Actor, entity: Entity) -> bool:
    return actor.can(Action.REGISTRY_VIEW) or (actor.can(Action.FILING_OWN) and owns(actor, entity))


def _may_act_for(actor: Actor, entity: Entity) -> None:
    if actor.can(Action.REGISTRY_MANAGE) or (actor.can(Action.FILING_OWN) and owns(actor, entity)):
        return
    raise DomainError(ErrorCode.FORBIDDEN)


# --- identity codes -------------------------------------------------------------------------------


def check_uscc(raw: str) -> codes.CodeCheck:
    return codes.check_uscc(raw, active_pack().division_code)


def check_code(raw: str) -> codes.CodeCheck:
    """The one check behind ``ecredit registry check``, the forms, the API and the importer."""
    return codes.check_code(raw, active_pack().division_code)


@dataclass
class EntityData:
    name: str
    kind: str
    roles: list[str]
    uscc: str = ""
    resident_id: str = ""
    address: str = ""
    industry: str = ""
    township: str = ""
    sells_permit_goods: bool = False
    trades_in_enterprise_name: bool = False
    uscc_override_reason: str = ""


@dataclass
class CleanEntity:
    name: str
    name_key: str
    kind: str
    roles: frozenset[str]
    uscc: str | None
    division_code: str
    in_jurisdiction: bool
    checksum_failed: bool
    resident_id: str
    address: str
    industry: str
    township: str
    sells_permit_goods: bool
    trades_in_enterprise_name: bool
    uscc_override_reason: str


def clean_entity(data: EntityData, *, may_override: bool) -> tuple[CleanEntity | None, dict[str, str]]:
    """Validate an entity's fields; return the cleaned values or ``{field: Chinese reason}``."""
    errors: dict[str, str] = {}
    name = tidy(data.name)
    if not name:
        errors["name"] = "名称不能为空。"
    elif len(name) > 200:
        errors["name"] = "名称不能超过 200 个字符。"
    if data.kind not in KINDS:
        errors["kind"] = f"主体类型“{data.kind}”无效，应为：{_choices(EntityKind)}。"
    roles = frozenset(codes.normalise_text(role) for role in data.roles if role.strip())
    unknown = sorted(roles - ROLES)
    if unknown:
        errors["roles"] = f"角色“{'、'.join(unknown)}”无效，应为：{_choices(EntityRole)}。"
    elif not roles:
        errors["roles"] = "至少选择一种角色（seller、platform、infrastructure）。"
    uscc: str | None = None
    division = ""
    in_jurisdiction = True
    checksum_failed = False
    resident_id = ""
    override = tidy(data.uscc_override_reason)
    if data.kind == EntityKind.NATURAL_PERSON:
        if data.uscc.strip():
            errors["uscc"] = "自然人不填写统一社会信用代码；请填写居民身份证号码。"
        check = codes.check_resident_id(data.resident_id)
        if not data.resident_id.strip():
            errors["resident_id"] = "自然人必须填写居民身份证号码（第九条）。"
        elif not check.valid:
            errors["resident_id"] = check.reason
        else:
            resident_id = check.code
    elif data.kind in KINDS:
        if data.resident_id.strip():
            errors["resident_id"] = "只有自然人填写居民身份证号码。"
        check = check_uscc(data.uscc)
        if not data.uscc.strip():
            errors["uscc"] = "请填写统一社会信用代码。"
        elif check.valid or (check.checksum_failed and override and may_override):
            uscc = check.code
            division = check.division_code
            in_jurisdiction = bool(check.in_jurisdiction)
            checksum_failed = check.checksum_failed
        elif check.checksum_failed and override:
            errors["uscc"] = f"{check.reason} 只有信用管理员可以登记例外。"
        elif check.checksum_failed:
            errors["uscc"] = f"{check.reason} 如确为登记机关核发的代码，请由信用管理员填写例外理由后登记。"
        else:
            errors["uscc"] = check.reason
    for key, limit, label in (("address", 300, "地址"), ("industry", 60, "行业"), ("township", 60, "乡镇（街道）")):
        _too_long(errors, key, tidy(getattr(data, key)), limit, label)
    if errors:
        return None, errors
    return (
        CleanEntity(
            name=name,
            name_key=codes.normalise_name(name),
            kind=data.kind,
            roles=roles,
            uscc=uscc,
            division_code=division,
            in_jurisdiction=in_jurisdiction,
            checksum_failed=checksum_failed,
            resident_id=resident_id,
            address=tidy(data.address),
            industry=tidy(data.industry),
            township=tidy(data.township),
            sells_permit_goods=data.sells_permit_goods,
            trades_in_enterprise_name=data.trades_in_enterprise_name,
            uscc_override_reason=override if checksum_failed else "",
        ),
        {},
    )


def entity_from_clean(clean: CleanEntity, *, organisation: Organisation | None, actor: Actor) -> Entity:
    resident = clean.resident_id
    return Entity(
        name=clean.name,
        name_key=clean.name_key,
        kind=clean.kind,
        is_seller=EntityRole.SELLER in clean.roles,
        is_platform=EntityRole.PLATFORM in clean.roles,
        is_infrastructure=EntityRole.INFRASTRUCTURE in clean.roles,
        uscc=clean.uscc,
        uscc_override_reason=clean.uscc_override_reason,
        uscc_override_by=actor.label if clean.uscc_override_reason else "",
        division_code=clean.division_code if clean.uscc else resident[:6],
        in_jurisdiction=clean.in_jurisdiction,
        resident_id=resident,
        resident_id_digest=lookup_digest("resident_id", resident) if resident else None,
        resident_id_masked=codes.mask_resident_id(resident) if resident else "",
        address=clean.address,
        industry=clean.industry,
        township=clean.township,
        sells_permit_goods=clean.sells_permit_goods,
        trades_in_enterprise_name=clean.trades_in_enterprise_name,
        organisation=organisation,
    )


ENTITY_AUDIT_FIELDS = (
    "name",
    "kind",
    "is_seller",
    "is_platform",
    "is_infrastructure",
    "uscc",
    "uscc_override_reason",
    "division_code",
    "in_jurisdiction",
    "resident_id_masked",
    "address",
    "industry",
    "township",
    "sells_permit_goods",
    "trades_in_enterprise_name",
    "organisation_id",
)


def register_entity(actor: Actor, data: EntityData, *, organisation: Organisation | None = None) -> Entity:
    """Register an entity. An operator registers only for its own organisation; a code whose check
    character fails is accepted only from a credit officer with a reason, and the override is audited."""
    if not actor.can(Action.REGISTRY_MANAGE):
        _require(actor, Action.FILING_OWN)
        if organisation is None or organisation.pk != actor.organisation_id:
            raise DomainError(ErrorCode.FORBIDDEN, "经营者只能登记本单位的主体。")
    clean, errors = clean_entity(data, may_override=actor.can(Action.REGISTRY_MANAGE))
    if clean is None:
        raise _invalid(errors)
    with transaction.atomic():
        _refuse_duplicate(clean)
        entity = entity_from_clean(clean, organisation=organisation, actor=actor)
        entity.save(force_insert=True)
        audit.record(
            actor=actor,
            action="registry.entity.register",
            target=entity,
            changes={name: [None, value] for name, value in audit.snapshot(entity, ENTITY_AUDIT_FIELDS).items()},
        )
        if clean.uscc_override_reason:
            audit.record(
                actor=actor,
                action="registry.entity.uscc_override",
                target=entity,
                changes={"uscc": [None, clean.uscc], "reason": [None, clean.uscc_override_reason]},
            )
    return entity


def _refuse_duplicate(clean: CleanEntity) -> None:
    if clean.uscc and Entity.objects.filter(uscc=clean.uscc).exists():
        raise _invalid({"uscc": f"统一社会信用代码 {clean.uscc} 已登记。"})
    if (
        clean.resident_id
        and Entity.objects.filter(resident_id_digest=lookup_digest("resident_id", clean.resident_id)).exists()
    ):
        raise _invalid({"resident_id": "该居民身份证号码已登记。"})


def reveal_identity(actor: Actor, entity: Entity, reason: str) -> str:
    """The full 居民身份证号码, for an officer who states why; the look itself is audited."""
    _require(actor, Action.IDENTITY_REVEAL)
    reason = tidy(reason)
    if len(reason) < 4:
        raise _invalid({"reason": "请填写查看完整身份证号码的理由（至少 4 个字）。"})
    if not entity.resident_id:
        raise _invalid({"reason": "该主体没有登记居民身份证号码。"})
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="registry.identity.reveal",
            target=entity,
            changes={"field": [None, "resident_id"], "reason": [None, reason]},
        )
    return str(entity.resident_id)


def link_organisation(actor: Actor, entity: Entity, organisation: Organisation | None) -> Entity:
    """Let an operator organisation's users act for this entity (officers only)."""
    _require(actor, Action.REGISTRY_MANAGE)
    with transaction.atomic():
        before = entity.organisation_id
        entity.organisation = organisation
        entity.save(update_fields=["organisation", "updated_at"])
        audit.record(
            actor=actor,
            action="registry.entity.link",
            target=entity,
            changes={"organisation_id": [before, entity.organisation_id]},
        )
    return entity


def search_entities(query: str, *, base: QuerySet[Entity] | None = None) -> QuerySet[Entity]:
    """Find entities by name (Chinese substring, width- and space-insensitive), code, domain,
    ICP number or storefront URL."""
    entities = base if base is not None else Entity.objects.all()
    text = codes.normalise_text(query)
    if not text:
        return entities
    key = codes.normalise_name(text)
    code = codes.normalise_code(text)
    condition = Q(name_key__contains=key) | Q(uscc=code)
    if len(code) >= 4:
        condition |= Q(uscc__startswith=code)
    if len(code) == 18:
        check = codes.check_resident_id(code)
        if check.valid:
            condition |= Q(resident_id_digest=lookup_digest("resident_id", check.code))
    with contextlib.suppress(codes.InvalidValue):
        condition |= Q(websites__domain=codes.clean_domain(text))
    lowered = text.lower()
    condition |= Q(websites__domain__contains=lowered) if "." in lowered else Q()
    for cleaner in (codes.clean_icp_filing, codes.clean_icp_licence):
        try:
            value = cleaner(text)
        except codes.InvalidValue:
            continue
        condition |= Q(websites__icp_filing=value) | Q(websites__icp_licence=value)
        condition |= Q(websites__icp_filing__startswith=value.split("-")[0] + "-")
    if lowered.startswith(("http://", "https://")) or "/" in lowered:
        condition |= Q(storefronts__shop_url_key__startswith=shop_url_key(text))
    return entities.filter(condition).distinct()


def shop_url_key(url: str) -> str:
    """A storefront URL without scheme, ``www.``, query and trailing slash, lower-case: what people paste."""
    text = codes.normalise_text(url).strip().lower()
    for prefix in ("https://", "http://"):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    if text.startswith("www."):
        text = text[4:]
    return text.split("#")[0].split("?")[0].rstrip("/")


# --- filings --------------------------------------------------------------------------------------

WEBSITE_KEYS = ("name", "domain", "ip", "kind", "icp_filing", "icp_licence", "isp", "server_room")


@dataclass
class FilingData:
    """The Art. 8 items an operator declares."""

    subject_name: str
    subject_kind: str
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    address: str = ""
    websites: list[dict[str, str]] = field(default_factory=list)
    other_items: dict[str, str] = field(default_factory=dict)


def clean_website(raw: Mapping[str, Any], prefix: str = "") -> tuple[dict[str, str], dict[str, str]]:
    errors: dict[str, str] = {}
    site = {key: tidy(str(raw.get(key) or "")) for key in WEBSITE_KEYS}
    unknown = sorted(set(raw) - set(WEBSITE_KEYS))
    if unknown:
        errors[prefix + unknown[0]] = f"未知的网站字段：{'、'.join(unknown)}。"
    if not site["name"]:
        errors[prefix + "name"] = "请填写网站名称。"
    for key, cleaner, required in (
        ("domain", codes.clean_domain, True),
        ("ip", codes.clean_ip, False),
        ("icp_filing", codes.clean_icp_filing, False),
        ("icp_licence", codes.clean_icp_licence, False),
    ):
        if not site[key]:
            if required:
                errors[prefix + key] = "请填写网站域名。"
            continue
        try:
            site[key] = cleaner(site[key])
        except codes.InvalidValue as exc:
            errors[prefix + key] = exc.message
    if not site["kind"]:
        site["kind"] = WebsiteKind.OWN_SHOP
    elif site["kind"] not in WEBSITE_KINDS:
        errors[prefix + "kind"] = f"网站类型“{site['kind']}”无效，应为：{_choices(WebsiteKind)}。"
    for key, limit, label in (
        ("name", 200, "网站名称"),
        ("isp", 200, "ISP提供商"),
        ("server_room", 300, "服务器机房地址"),
    ):
        _too_long(errors, prefix + key, site[key], limit, label)
    return site, errors


def clean_filing(data: FilingData) -> tuple[FilingData | None, dict[str, str]]:
    errors: dict[str, str] = {}
    clean = FilingData(
        subject_name=tidy(data.subject_name),
        subject_kind=data.subject_kind,
        contact_name=tidy(data.contact_name),
        contact_phone="",
        contact_email="",
        address=tidy(data.address),
        websites=[],
        other_items={tidy(k): tidy(str(v)) for k, v in data.other_items.items()},
    )
    if not clean.subject_name:
        errors["subject_name"] = "请填写主体名称。"
    for key, limit, label in (
        ("subject_name", 200, "主体名称"),
        ("contact_name", 60, "联系人"),
        ("address", 300, "住所（经营场所）"),
    ):
        _too_long(errors, key, getattr(clean, key), limit, label)
    if clean.subject_kind not in KINDS:
        errors["subject_kind"] = f"主体类型“{data.subject_kind}”无效。"
    for key, cleaner in (("contact_phone", codes.clean_phone), ("contact_email", codes.clean_email)):
        raw = getattr(data, key)
        if raw and raw.strip():
            try:
                setattr(clean, key, cleaner(raw))
            except codes.InvalidValue as exc:
                errors[key] = exc.message
    if not (clean.contact_phone or clean.contact_email) and "contact_phone" not in errors:
        errors.setdefault("contact_phone", "请至少填写一种联系方式（电话或电子邮箱）。")
    domains: set[str] = set()
    for index, raw_site in enumerate(data.websites, start=1):
        site, site_errors = clean_website(raw_site, prefix=f"websites.{index}.")
        errors.update(site_errors)
        if site["domain"] in domains:
            errors[f"websites.{index}.domain"] = f"网站域名 {site['domain']} 重复。"
        domains.add(site["domain"])
        clean.websites.append(site)
    return (None, errors) if errors else (clean, {})


def _mask_phone(phone: str) -> str:
    digits = phone.removeprefix("+86")
    return digits[:3] + "*" * max(len(digits) - 7, 0) + digits[-4:] if len(digits) > 7 else "*" * len(digits)


def _version_values(data: FilingData) -> dict[str, Any]:
    values = asdict(data)
    values["contact_phone_masked"] = _mask_phone(data.contact_phone) if data.contact_phone else ""
    return values


VERSION_FIELDS = tuple(f.name for f in fields(FilingData))


def version_data(version: FilingVersion) -> FilingData:
    return FilingData(**{name: getattr(version, name) for name in VERSION_FIELDS})


def _public_version(version: FilingVersion) -> dict[str, Any]:
    """A version's items as the audit log and the comparison show them: the phone masked."""
    values = {name: getattr(version, name) for name in VERSION_FIELDS}
    values["contact_phone"] = version.contact_phone_masked
    return values


def next_filing_numbers(count: int, *, year: int | None = None) -> list[str]:
    """``NA-<year>-<6 digits>``, consecutive per year; call inside a transaction."""
    year = year or timezone.localdate().year
    counter = FilingCounter.objects.select_for_update().filter(year=year).first()
    if counter is None:
        FilingCounter.objects.bulk_create([FilingCounter(year=year, last=0)], ignore_conflicts=True)
        counter = FilingCounter.objects.select_for_update().get(year=year)
    start = counter.last + 1
    FilingCounter.objects.filter(pk=counter.pk).update(last=F("last") + count)
    return [f"NA-{year}-{n:06d}" for n in range(start, start + count)]


def create_filing(actor: Actor, entity: Entity, data: FilingData) -> Filing:
    """Open a filing for an entity with a first draft version."""
    _may_act_for(actor, entity)
    clean, errors = clean_filing(data)
    if clean is None:
        raise _invalid(errors)
    with transaction.atomic():
        if Filing.objects.filter(entity=entity).exists():
            raise DomainError(ErrorCode.CONFLICT, "该主体已有备案登记，请提交变更。")
        filing = Filing.objects.create(entity=entity, number=next_filing_numbers(1)[0])
        version = FilingVersion.objects.create(
            filing=filing, number=1, created_by=actor.label, **_version_values(clean)
        )
        filing.current_version = version
        filing.save(update_fields=["current_version"])
        audit.record(
            actor=actor,
            action="registry.filing.create",
            target=filing,
            changes={k: [None, v] for k, v in _public_version(version).items()},
        )
    return filing


def _locked(filing: Filing) -> Filing:
    return Filing.objects.select_for_update(of=("self",)).select_related("entity", "current_version").get(pk=filing.pk)


def _current(filing: Filing) -> FilingVersion:
    if filing.current_version is None:  # every filing is created with its first version
        raise DomainError(ErrorCode.CONFLICT, f"备案 {filing.number} 没有版本。")
    return filing.current_version


def _transition(
    actor: Actor, filing: Filing, allowed_from: Iterable[str], to: str, action: str, reason: str = ""
) -> Filing:
    locked = _locked(filing)
    if locked.status not in allowed_from:
        raise DomainError(
            ErrorCode.CONFLICT,
            f"备案 {locked.number} 当前状态为“{locked.get_status_display()}”，不能执行此操作。",
            {"status": locked.status},
        )
    before = locked.status
    locked.status = to
    locked.status_reason = reason
    locked.save(update_fields=["status", "status_reason", "updated_at"])
    audit.record(
        actor=actor,
        action=action,
        target=locked,
        changes={"status": [before, to], **({"reason": [None, reason]} if reason else {})},
    )
    return locked


_CURRENT, _LAPSED = "filing.current", "filing.lapsed"


def _tell_ledger(actor: Actor, filing: Filing, indicator: str, *, on: dt.date | None = None) -> None:
    """Record in the credit ledger that ``filing`` has come into force (``filing.current``) or stopped
    being in force (``filing.lapsed``), in the caller's transaction, so a transition and its credit
    event commit or roll back together.

    The ledger mirrors the filing: nothing is recorded when its latest filing event already says so
    (an amendment approved while the filing counts, a revocation after a suspension, a draft
    deregistered before it was ever approved), nor when the pack does not apply the indicator to the
    entity's roles. The fact is the registry's own: the system records it, labelled with the person
    or client whose step caused it (who may hold no credit right, e.g. an operator deregistering)."""
    entity = filing.entity
    rule = active_pack().indicators.get(indicator)
    if rule is None or not rule.roles & set(entity.roles):
        return
    mine = CreditEvent.objects.filter(entity=entity, indicator__in=(_CURRENT, _LAPSED))
    latest = mine.order_by("-occurred_on", "-pk").values_list("indicator", flat=True).first()
    if latest == indicator or (latest is None and indicator == _LAPSED):
        return
    earlier = mine.filter(indicator=indicator, source_kind=SourceKind.FILING).count()
    # One source records an indicator once: a reinstatement is the filing's second "current".
    ref = filing.number if earlier == 0 else f"{filing.number}#{earlier + 1}"
    system = dataclasses.replace(
        actor, label=f"{actor.label}（备案联动）", via="system", roles=frozenset(), scopes=None
    )
    today = timezone.localdate()
    credit.record_event(
        system,
        entity,
        indicator,
        min(on or today, today),  # a deregistration dated ahead takes effect in the registry at once
        source_kind=SourceKind.FILING,
        source_ref=ref,
    )


def update_draft(actor: Actor, filing: Filing, data: FilingData) -> Filing:
    """Change the version being prepared (never one already submitted)."""
    _may_act_for(actor, filing.entity)
    clean, errors = clean_filing(data)
    if clean is None:
        raise _invalid(errors)
    with transaction.atomic():
        locked = _locked(filing)
        version = _current(locked)
        if version.frozen:
            raise DomainError(ErrorCode.CONFLICT, "该版本已提交，不能修改；请提交变更。")
        before = _public_version(version)
        for name, value in _version_values(clean).items():
            setattr(version, name, value)
        version.save()
        audit.record(
            actor=actor,
            action="registry.filing.edit",
            target=locked,
            changes=audit.changes_between(before, _public_version(version)),
        )
    return locked


def submit_filing(actor: Actor, filing: Filing, *, declaration: bool) -> Filing:
    """The operator declares the filing true (Art. 8, last sentence) and sends it for review."""
    _may_act_for(actor, filing.entity)
    if not declaration:
        raise _invalid(
            {"declaration": "请确认备案信息真实、准确、完整（第八条：经营者对其备案登记信息的真实性负责）。"}
        )
    with transaction.atomic():
        locked = _transition(
            actor,
            filing,
            (FilingStatus.DRAFT, FilingStatus.RETURNED, FilingStatus.AMENDED),
            FilingStatus.SUBMITTED,
            "registry.filing.submit",
        )
        version = _current(locked)
        if version.frozen:
            raise DomainError(ErrorCode.CONFLICT, "该版本已被退回，请先修改（提交变更）后再提交。")
        version.declared_by = actor.label
        version.declared_at = timezone.now()
        version.save(update_fields=["declared_by", "declared_at"])
    return locked


def _review(actor: Actor, version: FilingVersion, decision: str, reasons: str) -> None:
    version.review_decision = decision
    version.review_reasons = reasons
    version.reviewed_by = actor.label
    version.reviewed_at = timezone.now()
    version.save(update_fields=["review_decision", "review_reasons", "reviewed_by", "reviewed_at"])


def approve_filing(actor: Actor, filing: Filing, *, note: str = "") -> Filing:
    """Approve the submitted version: it becomes the one in force, the websites follow it, and the
    entity gets a badge if it has none."""
    _require(actor, Action.FILING_REVIEW)
    note = tidy(note)
    with transaction.atomic():
        locked = _transition(
            actor, filing, (FilingStatus.SUBMITTED,), FilingStatus.APPROVED, "registry.filing.approve", note
        )
        version = _current(locked)
        _review(actor, version, "approved", note)
        locked.approved_version = version
        locked.first_approved_on = locked.first_approved_on or timezone.localdate()
        locked.save(update_fields=["approved_version", "first_approved_on"])
        _sync_websites(locked.entity, version)
        if not locked.entity.badges.filter(revoked_at__isnull=True).exists():
            _issue_badge(actor, locked.entity)
        _tell_ledger(actor, locked, _CURRENT)
    return locked


def _sync_websites(entity: Entity, version: FilingVersion) -> None:
    entity.websites.all().delete()
    Website.objects.bulk_create(
        [Website(entity=entity, **{key: site.get(key, "") for key in WEBSITE_KEYS}) for site in version.websites]
    )


def return_filing(actor: Actor, filing: Filing, *, reasons: str) -> Filing:
    """Send the submitted version back with reasons the operator can act on."""
    _require(actor, Action.FILING_REVIEW)
    reasons = tidy(reasons)
    if len(reasons) < 4:
        raise _invalid({"reasons": "退回时必须写明理由（至少 4 个字），以便经营者修改。"})
    with transaction.atomic():
        locked = _transition(
            actor, filing, (FilingStatus.SUBMITTED,), FilingStatus.RETURNED, "registry.filing.return", reasons
        )
        version = _current(locked)
        _review(actor, version, "returned", reasons)
    return locked


def amend_filing(actor: Actor, filing: Filing, data: FilingData) -> Filing:
    """A new version after a return or an approval; earlier versions are kept for comparison."""
    _may_act_for(actor, filing.entity)
    clean, errors = clean_filing(data)
    if clean is None:
        raise _invalid(errors)
    with transaction.atomic():
        locked = _transition(
            actor,
            filing,
            (FilingStatus.APPROVED, FilingStatus.RETURNED),
            FilingStatus.AMENDED,
            "registry.filing.amend",
        )
        previous = _current(locked)
        version = FilingVersion.objects.create(
            filing=locked, number=previous.number + 1, created_by=actor.label, **_version_values(clean)
        )
        locked.current_version = version
        locked.save(update_fields=["current_version"])
        audit.record(
            actor=actor,
            action="registry.filing.version",
            target=locked,
            changes={
                "version": [previous.number, version.number],
                **audit.changes_between(_public_version(previous), _public_version(version)),
            },
        )
    return locked


def _reason(reason: str) -> str:
    reason = tidy(reason)
    if len(reason) < 4:
        raise _invalid({"reason": "请写明理由（至少 4 个字）。"})
    return reason


LIVE = (FilingStatus.APPROVED, FilingStatus.AMENDED, FilingStatus.SUBMITTED)


def suspend_filing(actor: Actor, filing: Filing, *, reason: str) -> Filing:
    _require(actor, Action.FILING_REVIEW)
    reason = _reason(reason)
    with transaction.atomic():
        if _locked(filing).approved_version_id is None:
            raise DomainError(ErrorCode.CONFLICT, "尚未通过审核的备案不能暂停。")
        locked = _transition(actor, filing, LIVE, FilingStatus.SUSPENDED, "registry.filing.suspend", reason)
        _tell_ledger(actor, locked, _LAPSED)
    return locked


def reinstate_filing(actor: Actor, filing: Filing, *, reason: str) -> Filing:
    _require(actor, Action.FILING_REVIEW)
    reason = _reason(reason)
    with transaction.atomic():
        locked = _transition(
            actor, filing, (FilingStatus.SUSPENDED,), FilingStatus.APPROVED, "registry.filing.reinstate", reason
        )
        _tell_ledger(actor, locked, _CURRENT)
    return locked


def revoke_filing(actor: Actor, filing: Filing, *, reason: str) -> Filing:
    """Revoke the filing; its badges are revoked with it."""
    _require(actor, Action.FILING_REVIEW)
    reason = _reason(reason)
    with transaction.atomic():
        locked = _transition(
            actor, filing, (*LIVE, FilingStatus.SUSPENDED), FilingStatus.REVOKED, "registry.filing.revoke", reason
        )
        for badge in locked.entity.badges.filter(revoked_at__isnull=True):
            _revoke_badge(actor, badge, f"备案撤销：{reason}")
        _tell_ledger(actor, locked, _LAPSED)
    return locked


def deregister_filing(actor: Actor, filing: Filing, *, reason: str, on: dt.date | None = None) -> Filing:
    """Deregistration (注销) by the operator or an officer. Starts the retention clock of the identity
    records: kept at least the pack's period from this day (Art. 12 (2))."""
    if not actor.can(Action.FILING_REVIEW):
        _may_act_for(actor, filing.entity)
    reason = _reason(reason)
    day = on or timezone.localdate()
    rule = active_pack().retention_for("licence_or_identity")
    with transaction.atomic():
        locked = _transition(
            actor,
            filing,
            (*LIVE, FilingStatus.SUSPENDED, FilingStatus.RETURNED, FilingStatus.DRAFT),
            FilingStatus.DEREGISTERED,
            "registry.filing.deregister",
            reason,
        )
        locked.deregistered_on = day
        locked.retain_until = rule.until(day)
        locked.save(update_fields=["deregistered_on", "retain_until"])
        audit.record(
            actor=actor,
            action="registry.filing.retention",
            target=locked,
            changes={"retain_until": [None, locked.retain_until.isoformat()], "cites": [None, list(rule.cites)]},
        )
        for badge in locked.entity.badges.filter(revoked_at__isnull=True):
            _revoke_badge(actor, badge, "备案已注销")
        _tell_ledger(actor, locked, _LAPSED, on=day)
    return locked


def compare_versions(filing: Filing, a: int, b: int) -> list[tuple[str, Any, Any]]:
    """Rows ``(field, value in a, value in b)`` for every Art. 8 item, to show two versions side by side."""
    versions = {v.number: v for v in filing.versions.filter(number__in=[a, b])}
    if a not in versions or b not in versions:
        raise DomainError(ErrorCode.NOT_FOUND, "没有该版本。")
    left, right = _public_version(versions[a]), _public_version(versions[b])
    return [(name, left[name], right[name]) for name in left]


# --- storefronts and permits ----------------------------------------------------------------------


def add_storefront(
    actor: Actor, entity: Entity, *, platform: Entity, shop_name: str, shop_url: str, shop_id: str
) -> Storefront:
    _may_act_for(actor, entity)
    errors: dict[str, str] = {}
    if not platform.is_platform:
        errors["platform"] = f"“{platform.name}”不是登记的平台服务经营者。"
    shop_name = tidy(shop_name)
    shop_id = codes.normalise_text(shop_id)
    url = codes.normalise_text(shop_url)
    if not shop_name:
        errors["shop_name"] = "请填写店铺名称。"
    if not shop_id:
        errors["shop_id"] = "请填写店铺在平台上的编号。"
    if not url.lower().startswith(("http://", "https://")):
        errors["shop_url"] = "店铺网址应以 http:// 或 https:// 开头。"
    else:
        try:
            codes.clean_domain(url)
        except codes.InvalidValue as exc:
            errors["shop_url"] = exc.message
    if errors:
        raise _invalid(errors)
    with transaction.atomic():
        if Storefront.objects.filter(platform=platform, shop_id=shop_id).exists():
            raise _invalid({"shop_id": f"平台“{platform.name}”上的店铺编号 {shop_id} 已登记。"})
        storefront = Storefront.objects.create(
            entity=entity,
            platform=platform,
            shop_name=shop_name,
            shop_url=url,
            shop_url_key=shop_url_key(url),
            shop_id=shop_id,
        )
        audit.record(
            actor=actor,
            action="registry.storefront.add",
            target=storefront,
            changes={"entity": [None, entity.pk], "platform": [None, platform.pk], "shop_url": [None, url]},
        )
    return storefront


def storefronts_on(actor: Actor, platform: Entity) -> QuerySet[Storefront]:
    """The storefronts that claim to be on a platform: for that platform's users and for officers."""
    if not (actor.can(Action.REGISTRY_VIEW) or (actor.can(Action.FILING_OWN) and owns(actor, platform))):
        raise DomainError(ErrorCode.FORBIDDEN)
    return Storefront.objects.filter(platform=platform).select_related("entity")


def add_permit(
    actor: Actor,
    entity: Entity,
    *,
    kind: str,
    number: str,
    issuer: str,
    valid_from: dt.date,
    valid_until: dt.date,
) -> Permit:
    _may_act_for(actor, entity)
    errors: dict[str, str] = {}
    number = codes.normalise_text(number)
    issuer = tidy(issuer)
    if kind not in PermitKind.values:
        errors["kind"] = f"许可类型“{kind}”无效。"
    if not number:
        errors["number"] = "请填写许可证编号。"
    if not issuer:
        errors["issuer"] = "请填写发证机关。"
    if valid_until < valid_from:
        errors["valid_until"] = "有效期截止日不能早于起始日。"
    if errors:
        raise _invalid(errors)
    with transaction.atomic():
        if Permit.objects.filter(kind=kind, number=number).exists():
            raise _invalid({"number": f"许可证编号 {number} 已登记。"})
        permit = Permit.objects.create(
            entity=entity, kind=kind, number=number, issuer=issuer, valid_from=valid_from, valid_until=valid_until
        )
        audit.record(
            actor=actor,
            action="registry.permit.add",
            target=permit,
            changes={"entity": [None, entity.pk], "number": [None, number], "valid_until": [None, valid_until]},
        )
    return permit


@dataclass(frozen=True)
class PermitWarning:
    permit: Permit
    days_left: int

    @property
    def expired(self) -> bool:
        return self.days_left < 0

    @property
    def message(self) -> str:
        kind = self.permit.get_kind_display()
        if self.expired:
            return f"{self.permit.entity.name}的{kind}（{self.permit.number}）已于 {self.permit.valid_until} 过期。"
        return f"{self.permit.entity.name}的{kind}（{self.permit.number}）将于 {self.permit.valid_until} 到期（剩 {self.days_left} 天）。"


PERMIT_WARNING_DAYS = 30


def permit_warnings(
    *, entities: QuerySet[Entity] | None = None, today: dt.date | None = None, within_days: int = PERMIT_WARNING_DAYS
) -> list[PermitWarning]:
    """Permits expired or expiring within ``within_days``: shown to the entity and to the officers."""
    today = today or timezone.localdate()
    permits = Permit.objects.select_related("entity").filter(valid_until__lte=today + dt.timedelta(days=within_days))
    if entities is not None:
        permits = permits.filter(entity__in=entities)
    return [PermitWarning(p, (p.valid_until - today).days) for p in permits.order_by("valid_until", "pk")]


# --- the badge ------------------------------------------------------------------------------------


def _issue_badge(actor: Actor, entity: Entity) -> Badge:
    badge = Badge.objects.create(entity=entity, public_id=secrets.token_urlsafe(16))
    audit.record(actor=actor, action="registry.badge.issue", target=badge, changes={"entity": [None, entity.pk]})
    return badge


def issue_badge(actor: Actor, entity: Entity) -> Badge:
    """A new badge (e.g. after a revoked one). Needs a filing in force."""
    _require(actor, Action.FILING_REVIEW)
    filing = Filing.objects.filter(entity=entity).first()
    if filing is None or not filing.in_force:
        raise DomainError(ErrorCode.CONFLICT, "只有备案有效的主体才能获得电子链接标识。")
    with transaction.atomic():
        return _issue_badge(actor, entity)


def _revoke_badge(actor: Actor, badge: Badge, reason: str) -> None:
    badge.revoked_at = timezone.now()
    badge.revoked_reason = reason
    badge.save(update_fields=["revoked_at", "revoked_reason"])
    audit.record(actor=actor, action="registry.badge.revoke", target=badge, changes={"reason": [None, reason]})


def revoke_badge(actor: Actor, badge: Badge, *, reason: str) -> Badge:
    _require(actor, Action.FILING_REVIEW)
    reason = _reason(reason)
    with transaction.atomic():
        locked = Badge.objects.select_for_update().get(pk=badge.pk)
        if locked.revoked_at is not None:
            raise DomainError(ErrorCode.CONFLICT, "该标识已撤销。")
        _revoke_badge(actor, locked, reason)
    return locked


def badge_token(badge: Badge) -> str:
    """The token in the badge's public address: the random id, signed with the server's key."""
    return signing.Signer(salt=BADGE_SALT).sign(badge.public_id)


def resolve_badge(token: str) -> Badge | None:
    """The badge a token names, or ``None`` for an altered or unknown token (never an exception)."""
    try:
        public_id = signing.Signer(salt=BADGE_SALT).unsign(token)
    except signing.BadSignature:
        return None
    return Badge.objects.select_related("entity").filter(public_id=public_id).first()


class BadgeState:
    VALID = "valid"
    SUSPENDED = "suspended"
    REVOKED = "revoked"


@dataclass(frozen=True)
class BadgeStatus:
    """What the public verification page, the SVG and the API say about a badge."""

    state: str  # valid | suspended | revoked
    label: str
    entity_name: str
    code: str
    kind: str
    filing_number: str
    filing_date: dt.date | None
    filing_status: str
    in_jurisdiction: bool
    checked_at: dt.datetime
    # For the page's public grade; not part of the API answer, which lists its fields.
    entity: Entity = field(repr=False, compare=False)


def badge_status(badge: Badge) -> BadgeStatus:
    entity = badge.entity
    filing = Filing.objects.filter(entity=entity).first()
    if (
        badge.revoked_at is not None
        or filing is None
        or filing.status
        in (
            FilingStatus.REVOKED,
            FilingStatus.DEREGISTERED,
        )
    ):
        state, label = BadgeState.REVOKED, "已撤销"
    elif filing.status == FilingStatus.SUSPENDED:
        state, label = BadgeState.SUSPENDED, "已暂停"
    elif filing.in_force:
        state, label = BadgeState.VALID, "有效"
    else:
        state, label = BadgeState.SUSPENDED, "待审核"
    return BadgeStatus(
        state=state,
        label=label,
        entity_name=entity.name,
        # A natural person's code is shown masked; an organisation's code is public.
        code=entity.code,
        kind=entity.get_kind_display(),
        filing_number=filing.number if filing else "",
        filing_date=filing.first_approved_on if filing else None,
        filing_status=filing.get_status_display() if filing else "",
        in_jurisdiction=entity.in_jurisdiction,
        checked_at=timezone.now(),
        entity=entity,
    )
