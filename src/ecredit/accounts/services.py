"""Every change to organisations, users, roles and API tokens; each writes its audit entry."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ecredit.accounts.actors import Actor
from ecredit.accounts.models import ApiToken, Organisation, RoleGrant, User
from ecredit.accounts.roles import (
    API_SCOPES,
    ORG_KIND_LABELS,
    ROLE_LABELS,
    ROLE_ORG_KINDS,
    Action,
    OrgKind,
    Role,
    actions_for,
)
from ecredit.audit import services as audit
from ecredit.errors import DomainError, ErrorCode

TOKEN_PREFIX = "ect_"  # noqa: S105 -- a public marker, not a secret


def roles_of(user: User) -> frozenset[Role]:
    cached: frozenset[Role] | None = getattr(user, "_ecredit_roles", None)
    if cached is None:
        cached = frozenset(Role(code) for code in user.role_grants.values_list("role", flat=True))
        user._ecredit_roles = cached  # type: ignore[attr-defined]
    return cached


def actor_for_user(user: User, *, via: str = "web") -> Actor:
    org = user.organisation
    return Actor(
        label=f"{user.display_name or user.username}（{user.username}）",
        user_id=user.pk,
        organisation_id=org.pk if org else None,
        organisation_name=org.name if org else "",
        via=via,
        roles=roles_of(user),
    )


def actor_for_token(token: ApiToken) -> Actor:
    org = token.organisation
    creator_roles = roles_of(token.created_by)
    scopes = frozenset(Action(code) for code in token.scopes) & actions_for(creator_roles)
    return Actor(
        label=f"API 令牌 {token.name}（{token.prefix}…）",
        user_id=None,
        organisation_id=org.pk,
        organisation_name=org.name,
        via="api",
        roles=creator_roles,
        scopes=scopes,
        token_id=token.pk,
    )


def _require(actor: Actor, action: Action) -> None:
    if not actor.can(action):
        raise DomainError(ErrorCode.FORBIDDEN)


@transaction.atomic
def create_organisation(*, actor: Actor, name: str, kind: str, uscc: str = "") -> Organisation:
    _require(actor, Action.ADMIN_SITE)
    name = name.strip()
    if not name:
        raise DomainError(ErrorCode.VALIDATION, "机构名称不能为空。", {"field": "name"})
    try:
        org_kind = OrgKind(kind)
    except ValueError:
        raise DomainError(ErrorCode.VALIDATION, f"未知的机构类别：{kind}", {"field": "kind"}) from None
    if Organisation.objects.filter(name=name).exists():
        raise DomainError(ErrorCode.CONFLICT, f"机构“{name}”已存在。", {"field": "name"})
    org = Organisation.objects.create(name=name, kind=org_kind.value, uscc=uscc)
    audit.record(
        actor=actor,
        action="accounts.organisation.create",
        target=org,
        changes={"name": [None, name], "kind": [None, org_kind.value], "uscc": [None, uscc]},
    )
    return org


@transaction.atomic
def create_user(
    *,
    actor: Actor,
    organisation: Organisation,
    username: str,
    password: str,
    roles: list[str],
    display_name: str = "",
    email: str = "",
) -> User:
    _require(actor, Action.ADMIN_SITE)
    username = username.strip()
    if not username:
        raise DomainError(ErrorCode.VALIDATION, "用户名不能为空。", {"field": "username"})
    if User.objects.filter(username=username).exists():
        raise DomainError(ErrorCode.CONFLICT, f"用户名“{username}”已被使用。", {"field": "username"})
    parsed = _parse_roles(roles, organisation)
    user = User(username=username, organisation=organisation, display_name=display_name, email=email)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise DomainError(
            ErrorCode.VALIDATION, "密码不符合要求：" + "；".join(exc.messages), {"field": "password"}
        ) from None
    user.set_password(password)
    user.is_staff = Role.ADMIN in parsed
    user.save()
    RoleGrant.objects.bulk_create([RoleGrant(user=user, role=role.value) for role in sorted(parsed)])
    audit.record(
        actor=actor,
        action="accounts.user.create",
        target=user,
        changes={
            "username": [None, username],
            "organisation": [None, organisation.name],
            "roles": [None, sorted(parsed)],
        },
    )
    return user


def _parse_roles(roles: list[str], organisation: Organisation) -> set[Role]:
    parsed: set[Role] = set()
    for code in roles:
        try:
            role = Role(code)
        except ValueError:
            raise DomainError(ErrorCode.VALIDATION, f"未知的角色：{code}", {"field": "roles"}) from None
        if OrgKind(organisation.kind) not in ROLE_ORG_KINDS[role]:
            kind_label = ORG_KIND_LABELS[OrgKind(organisation.kind)]
            raise DomainError(
                ErrorCode.VALIDATION,
                f"“{ROLE_LABELS[role]}”角色不能授予{kind_label}的用户。",
                {"field": "roles"},
            )
        parsed.add(role)
    if not parsed:
        raise DomainError(ErrorCode.VALIDATION, "至少需要一个角色。", {"field": "roles"})
    return parsed


@transaction.atomic
def set_roles(*, actor: Actor, user: User, roles: list[str]) -> None:
    _require(actor, Action.ADMIN_SITE)
    if user.organisation is None:
        raise DomainError(ErrorCode.VALIDATION, "用户未归属任何机构。")
    before = sorted(roles_of(user))
    parsed = _parse_roles(roles, user.organisation)
    RoleGrant.objects.filter(user=user).exclude(role__in=[r.value for r in parsed]).delete()
    existing = set(RoleGrant.objects.filter(user=user).values_list("role", flat=True))
    RoleGrant.objects.bulk_create(
        [RoleGrant(user=user, role=r.value) for r in sorted(parsed) if r.value not in existing]
    )
    user.is_staff = Role.ADMIN in parsed
    user.save(update_fields=["is_staff"])
    user.__dict__.pop("_ecredit_roles", None)
    audit.record(
        actor=actor, action="accounts.user.set_roles", target=user, changes={"roles": [before, sorted(parsed)]}
    )


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def issue_token(
    *, actor: Actor, creator: User, name: str, scopes: list[str], days: int | None = None
) -> tuple[ApiToken, str]:
    """Create a token for the creator's organisation; the raw value is returned once and never stored."""
    _require(actor, Action.TOKENS_MANAGE)
    if creator.organisation is None:
        raise DomainError(ErrorCode.VALIDATION, "用户未归属任何机构，不能申请令牌。")
    name = name.strip()
    if not name:
        raise DomainError(ErrorCode.VALIDATION, "令牌名称不能为空。", {"field": "name"})
    allowed = actions_for(roles_of(creator)) & API_SCOPES
    parsed: set[Action] = set()
    for code in scopes:
        try:
            scope = Action(code)
        except ValueError:
            raise DomainError(ErrorCode.VALIDATION, f"未知的权限范围：{code}", {"field": "scopes"}) from None
        if scope not in allowed:
            raise DomainError(ErrorCode.VALIDATION, f"您无权授予权限范围：{code}", {"field": "scopes"})
        parsed.add(scope)
    if not parsed:
        raise DomainError(ErrorCode.VALIDATION, "至少选择一个权限范围。", {"field": "scopes"})
    lifetime = days if days is not None else settings.API_TOKEN_DAYS
    if not 1 <= lifetime <= 3650:
        raise DomainError(ErrorCode.VALIDATION, "有效期应在 1 至 3650 天之间。", {"field": "days"})
    prefix = secrets.token_hex(4)
    raw = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        organisation=creator.organisation,
        name=name,
        prefix=prefix,
        digest=_digest(raw),
        scopes=sorted(parsed),
        created_by=creator,
        expires_at=timezone.now() + timedelta(days=lifetime),
    )
    audit.record(
        actor=actor,
        action="accounts.token.issue",
        target=token,
        changes={"name": [None, name], "scopes": [None, sorted(parsed)], "expires_at": [None, token.expires_at]},
    )
    return token, raw


@transaction.atomic
def revoke_token(*, actor: Actor, token: ApiToken) -> None:
    _require(actor, Action.TOKENS_MANAGE)
    if token.revoked_at is not None:
        return
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(
        actor=actor, action="accounts.token.revoke", target=token, changes={"revoked_at": [None, token.revoked_at]}
    )


def authenticate_token(raw: str) -> ApiToken:
    """The token behind a raw value, or a ``DomainError`` that says why not (without leaking more)."""
    if not raw.startswith(TOKEN_PREFIX):
        raise DomainError(ErrorCode.UNAUTHENTICATED, "API 令牌无效。")
    token = ApiToken.objects.select_related("organisation", "created_by").filter(digest=_digest(raw)).first()
    if token is None or not token.organisation.is_active or not token.created_by.is_active:
        raise DomainError(ErrorCode.UNAUTHENTICATED, "API 令牌无效。")
    now = timezone.now()
    if token.revoked_at is not None:
        raise DomainError(ErrorCode.TOKEN_REVOKED)
    if token.expires_at <= now:
        raise DomainError(ErrorCode.TOKEN_EXPIRED)
    # Last use is bookkeeping, not a change of rights: not audited, written at most once a minute.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
