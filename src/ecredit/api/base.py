"""The API's shared pieces: authentication, the permission declaration, the one error shape."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Router
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import PageNumberPagination
from ninja.security import HttpBearer, SessionAuth
from ninja.security.base import AuthBase

from ecredit.accounts.access import ACTION_ATTR, request_actor
from ecredit.accounts.actors import Actor
from ecredit.accounts.roles import Action
from ecredit.accounts.services import actor_for_token, authenticate_token
from ecredit.errors import DEFAULT_MESSAGES, HTTP_STATUS, DomainError, ErrorCode

F = TypeVar("F", bound=Callable[..., Any])
FORBIDDEN_MESSAGE = "此令牌或角色无权调用该接口。"


def _permitted(actor: Actor | None, action: Action | None) -> Actor | None:
    if actor is not None and action is not None and not actor.can(action):
        raise DomainError(ErrorCode.FORBIDDEN, FORBIDDEN_MESSAGE)
    return actor


class TokenAuth(HttpBearer):
    """An organisation's API token. Given an ``action`` (see ``needs``), a caller whose scopes lack it
    is refused with 403 right after authentication, before ninja reads the path, query or body —
    so a caller without the right cannot learn from a 422 what the operation expects."""

    openapi_description = "机构 API 令牌：Authorization: Bearer ect_…"

    def __init__(self, action: Action | None = None) -> None:
        super().__init__()
        self.action = action

    def authenticate(self, request: HttpRequest, token: str) -> Actor:
        actor = actor_for_token(authenticate_token(token))
        _permitted(actor, self.action)
        return actor


class BrowserSessionAuth(SessionAuth):
    """A signed-in person using the API from the browser (CSRF-checked for unsafe methods)."""

    def __init__(self, action: Action | None = None) -> None:
        super().__init__()
        self.action = action

    def authenticate(self, request: HttpRequest, key: str | None) -> Actor | None:
        return _permitted(request_actor(request), self.action)


def allows(action: Action) -> Callable[[F], F]:
    """Declare the action an operation needs; refuse callers whose roles or scopes lack it."""

    def decorate(func: F) -> F:
        @wraps(func)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            actor = getattr(request, "auth", None)
            if not isinstance(actor, Actor) or not actor.can(action):
                raise DomainError(ErrorCode.FORBIDDEN, FORBIDDEN_MESSAGE)
            return func(request, *args, **kwargs)

        setattr(wrapped, ACTION_ATTR, action)
        return wrapped  # type: ignore[return-value]

    return decorate


def needs(action: Action) -> list[AuthBase]:
    """The ``auth=`` of an operation decorated with ``@allows(action)``: both ways in, each checking
    the action before any input is read (``check_declarations`` keeps the two in step)."""
    return [TokenAuth(action), BrowserSessionAuth(action)]


def check_declarations(router: Router) -> None:
    """Refuse to start when an operation's early check (``auth=needs(...)``) and its ``@allows``
    name different actions."""
    for path, view in router.path_operations.items():
        for operation in view.operations:
            declared = getattr(operation.view_func, ACTION_ATTR, None)
            checked = {getattr(auth, "action", None) for auth in operation.auth_callbacks}
            if declared is None or checked != {declared}:
                raise ImproperlyConfigured(f"API {path}: auth= 与 @allows 声明的操作不一致")


class Pagination(PageNumberPagination):
    """``?page=N&page_size=M`` (at most 200); the answer is ``{items, count}``."""

    max_page_size = 200


def error(
    api: NinjaAPI, request: HttpRequest, code: ErrorCode, message: str | None = None, details: Any = None
) -> HttpResponse:
    body = {"code": code.value, "message": message or DEFAULT_MESSAGES[code], "details": details}
    return api.create_response(request, body, status=HTTP_STATUS[code])


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(DomainError)
    def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        return error(api, request, exc.code, exc.message, exc.details)

    @api.exception_handler(AuthenticationError)
    def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return error(api, request, ErrorCode.UNAUTHENTICATED)

    @api.exception_handler(NinjaValidationError)
    def on_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        details = [
            {"loc": [str(part) for part in item.get("loc", [])], "message": str(item.get("msg", ""))}
            for item in exc.errors
        ]
        return error(api, request, ErrorCode.VALIDATION, None, details)

    @api.exception_handler(Http404)
    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error(api, request, ErrorCode.NOT_FOUND)

    @api.exception_handler(HttpError)
    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        by_status = {status: code for code, status in HTTP_STATUS.items()}
        code = by_status.get(exc.status_code, ErrorCode.INTERNAL)
        return error(api, request, code)
