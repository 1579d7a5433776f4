"""Declaring who may use a view. Every view is wrapped in ``requires(action)`` (``PUBLIC`` for
pages anyone may read); the route walk test fails on a view that declares nothing."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _

from ecredit.accounts.actors import Actor
from ecredit.accounts.models import User
from ecredit.accounts.roles import Action
from ecredit.accounts.services import actor_for_user

ViewFunc = TypeVar("ViewFunc", bound=Callable[..., HttpResponseBase])

ACTION_ATTR = "ecredit_action"


def request_actor(request: HttpRequest) -> Actor | None:
    user = getattr(request, "user", None)  # absent when a page is rendered before the middleware ran
    if user is None or not user.is_authenticated or not isinstance(user, User):
        return None
    cached: Actor | None = getattr(request, "_ecredit_actor", None)
    if cached is None:
        cached = actor_for_user(user)
        request._ecredit_actor = cached  # type: ignore[attr-defined]
    return cached


def actor_of(request: HttpRequest) -> Actor:
    """The actor of a request that ``requires`` already let through."""
    actor = request_actor(request)
    if actor is None:
        raise PermissionDenied
    return actor


def forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "403.html", {"message": _("您的角色无权访问此页面。")}, status=403)


def requires(action: Action) -> Callable[[ViewFunc], ViewFunc]:
    def decorate(view: ViewFunc) -> ViewFunc:
        if action is Action.PUBLIC:
            setattr(view, ACTION_ATTR, action)
            return view

        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            actor = request_actor(request)
            if actor is None:
                return redirect_to_login(request.get_full_path())
            if not actor.can(action):
                return forbidden(request)
            return view(request, *args, **kwargs)

        setattr(wrapped, ACTION_ATTR, action)
        return wrapped  # type: ignore[return-value]

    return decorate


public = requires(Action.PUBLIC)
