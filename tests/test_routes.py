"""Walk every URL and API route with every role and an anonymous visitor, against the table."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from ecredit.accounts import services
from ecredit.accounts.access import ACTION_ATTR
from ecredit.accounts.actors import SYSTEM
from ecredit.accounts.models import Organisation
from ecredit.accounts.roles import API_SCOPES, PERMISSIONS, ROLE_ORG_KINDS, Action, OrgKind, Role
from ecredit.api.api import api
from tests.cast import make_user

SAMPLE_KWARGS = {"app_label": "accounts", "url": "nothing-here", "object_id": "1", "content_type_id": "1"}
ADMIN_NAMESPACE = "admin"


def walk(resolver: URLResolver, namespace: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else entry.namespace or namespace
            yield from walk(entry, inner)
        else:
            yield namespace, entry


NOBODY = "nobody"  # the read-only admin's add and delete pages: refused to every role
HANDOVER = "handover"  # the admin's login page sends everyone to the one login page


def declared_action(namespace: str, pattern: URLPattern) -> Action | str | None:
    if namespace == ADMIN_NAMESPACE:
        # The admin site asks the table itself (EcreditAdminSite.has_permission) and is read-only.
        name = pattern.name or ""
        if name == "login":
            return HANDOVER
        if name == "logout":
            return Action.PUBLIC
        if name == "autocomplete":
            return NOBODY  # answers only the admin's own widgets' queries; refused when called bare
        return NOBODY if name.endswith(("_add", "_delete")) else Action.ADMIN_SITE
    return getattr(pattern.callback, ACTION_ATTR, None)


def page_routes() -> list[tuple[str, Action | str]]:
    routes = []
    for namespace, pattern in walk(get_resolver()):
        if namespace == "api":
            continue  # walked operation by operation below
        action = declared_action(namespace, pattern)
        assert action is not None, f"route {pattern.pattern} ({pattern.name}) declares no action"
        if not pattern.name:
            # Only the admin has unnamed routes (redirects and its catch-all); its site checks the table.
            assert namespace == ADMIN_NAMESPACE, f"route {pattern.pattern} has no name"
            continue
        name = f"{namespace}:{pattern.name}" if namespace else pattern.name
        kwargs = {key: SAMPLE_KWARGS.get(key, "1") for key in pattern.pattern.regex.groupindex}
        routes.append((reverse(name, kwargs=kwargs), action))
    return routes


def api_operations() -> list[tuple[str, str, Action]]:
    found = []
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                action = getattr(operation.view_func, ACTION_ATTR, None)
                assert action is not None, f"API operation {path} declares no action"
                url = "/api/v1" + (prefix + path).replace("//", "/")
                for method in operation.methods:
                    found.append((method, url, action))
    return found


def org_for(role: Role) -> OrgKind:
    return sorted(ROLE_ORG_KINDS[role])[0]


@pytest.fixture
def role_users(db: None) -> dict[Role, object]:
    users = {}
    for role in Role:
        org = services.create_organisation(actor=SYSTEM, name=f"机构-{role.value}", kind=org_for(role))
        users[role] = make_user(org, f"user-{role.value}", role)
    return users


def test_it_requires_every_route_to_declare_an_action() -> None:
    assert len(page_routes()) >= 10
    assert {action for _method, _url, action in api_operations()} >= {Action.API_ME}


def refused(response: object, *, anonymous: bool) -> bool:
    status = response.status_code
    location = response.get("Location", "") if status in (301, 302) else ""
    to_login = "/accounts/login/" in location or "/admin/login/" in location
    if anonymous:
        return to_login or status in (401, 403)
    return status == 403 or to_login


@pytest.mark.django_db
def test_it_walks_every_page_with_every_role_and_anonymous(role_users: dict[Role, object]) -> None:
    routes = page_routes()
    mismatches = []
    for url, action in routes:
        response = Client().get(url)
        if action == HANDOVER:
            assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
            continue
        if (action == Action.PUBLIC) == refused(response, anonymous=True):
            mismatches.append(("anonymous", url, response.status_code))
        for role, user in role_users.items():
            client = Client()
            client.force_login(user)
            response = client.get(url)
            allowed = action == Action.PUBLIC or action in PERMISSIONS[role]
            if allowed == refused(response, anonymous=False):
                mismatches.append((role.value, url, response.status_code))
            if allowed:
                assert response.status_code < 500, (role, url)
    assert mismatches == [], "\n".join(map(str, mismatches))


@pytest.mark.django_db
def test_it_walks_every_api_operation_with_every_role_and_anonymous(role_users: dict[Role, object]) -> None:
    mismatches = []
    tokens = {}
    for role, user in role_users.items():
        scopes = sorted(scope.value for scope in API_SCOPES if scope in PERMISSIONS[role])
        _token, raw = services.issue_token(actor=SYSTEM, creator=user, name="walk", scopes=scopes)
        tokens[role] = raw
    for method, url, action in api_operations():
        response = Client().generic(method, url)
        if action == Action.PUBLIC:
            if response.status_code in (401, 403):
                mismatches.append(("anonymous", method, url, response.status_code))
        elif response.status_code != 401 or response.json()["code"] != "unauthenticated":
            mismatches.append(("anonymous", method, url, response.status_code))
        for role, raw in tokens.items():
            response = Client().generic(method, url, HTTP_AUTHORIZATION=f"Bearer {raw}")
            allowed = action == Action.PUBLIC or action in PERMISSIONS[role]
            if allowed != (response.status_code not in (401, 403)):
                mismatches.append((role.value, method, url, response.status_code))
            if not allowed:
                assert response.json()["code"] == "forbidden"
        for role, user in role_users.items():
            client = Client()
            client.force_login(user)
            response = client.generic(method, url)
            allowed = action == Action.PUBLIC or action in PERMISSIONS[role]
            if allowed != (response.status_code not in (401, 403)):
                mismatches.append((f"session:{role.value}", method, url, response.status_code))
    assert mismatches == [], "\n".join(map(str, mismatches))


def test_it_gives_every_role_an_organisation_kind_and_a_label() -> None:
    assert set(ROLE_ORG_KINDS) == set(Role) == set(PERMISSIONS)
    assert all(isinstance(kind, OrgKind) for kinds in ROLE_ORG_KINDS.values() for kind in kinds)
    assert Organisation._meta.get_field("kind").choices
