from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from ecredit.accounts import services
from ecredit.accounts.access import actor_of, public, requires
from ecredit.accounts.forms import TokenForm
from ecredit.accounts.models import ApiToken, User
from ecredit.accounts.roles import ROLE_LABELS, Action
from ecredit.audit.models import AuditEntry
from ecredit.errors import DomainError

login = public(auth_views.LoginView.as_view(template_name="accounts/login.html", redirect_authenticated_user=True))
logout = public(auth_views.LogoutView.as_view())


@requires(Action.DASHBOARD_VIEW)
def dashboard(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    roles = [{"code": role.value, "label": ROLE_LABELS[role]} for role in sorted(actor.roles)]
    recent = AuditEntry.objects.filter(actor_user_id=actor.user_id).order_by("-seq")[:10]
    return render(request, "accounts/dashboard.html", {"roles": roles, "recent": recent})


@requires(Action.TOKENS_MANAGE)
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    form = TokenForm(request.POST or None)
    raw_token = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, raw_token = services.issue_token(
                actor=actor,
                creator=user,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                days=form.cleaned_data["days"],
            )
            form = TokenForm()
        except DomainError as exc:
            form.add_error(None, exc.message)
    listed = ApiToken.objects.filter(organisation_id=actor.organisation_id or 0).select_related("created_by")
    status = 422 if request.method == "POST" and raw_token is None else 200
    return render(
        request, "accounts/tokens.html", {"form": form, "tokens": listed, "raw_token": raw_token}, status=status
    )


@requires(Action.TOKENS_MANAGE)
@require_POST
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    actor = actor_of(request)
    token = ApiToken.objects.filter(pk=token_id, organisation_id=actor.organisation_id or 0).first()
    if token is None:
        return render(request, "404.html", status=404)
    services.revoke_token(actor=actor, token=token)
    return redirect("accounts:tokens")
