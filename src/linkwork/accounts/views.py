"""Web pages for staff, teams, personal API tokens and two-factor authentication. Rules live in services
and selectors."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import django_otp
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from linkwork.accounts import selectors, services, two_factor
from linkwork.accounts.forms import (
    OrganisationSettingsForm,
    StaffCreateForm,
    StaffForm,
    TeamForm,
    TokenForm,
    TwoFactorCodeForm,
    TwoFactorSettingForm,
)
from linkwork.accounts.lockout import (
    account_locked_until,
    count_failed_code,
    locked_out_response,
    sign_in_locked,
)
from linkwork.accounts.models import Team, User
from linkwork.core.errors import DomainError
from linkwork.core.policies import Action, authorize, can
from linkwork.web.forms import add_service_errors, form_page
from linkwork.web.http import StaffRequest


@login_required
def staff_list(request: StaffRequest) -> HttpResponse:
    include_inactive = request.GET.get("show") == "all"
    staff = selectors.staff_list(actor=request.user, include_inactive=include_inactive)
    may_add = can(request.user, Action.CREATE, User(organisation_id=request.user.organisation_id))
    context = {"staff": staff, "may_add": may_add, "include_inactive": include_inactive}
    return render(request, "accounts/staff_list.html", context)


@login_required
def staff_detail(request: StaffRequest, staff_id: int) -> HttpResponse:
    staff = selectors.staff_get(actor=request.user, staff_id=staff_id)
    may_edit = can(request.user, Action.UPDATE, staff)
    locked_until = account_locked_until(staff.username) if may_edit else None
    context = {
        "staff": staff,
        "may_edit": may_edit,
        "locked_until": locked_until,
        "two_factor": two_factor.two_factor_status(staff) if may_edit else None,
        "two_factor_required": two_factor.two_factor_required(staff),
    }
    return render(request, "accounts/staff_detail.html", context)


@login_required
@require_POST
def staff_two_factor_reset(request: StaffRequest, staff_id: int) -> HttpResponse:
    staff = selectors.staff_get(actor=request.user, staff_id=staff_id, action=Action.UPDATE)
    try:
        two_factor.two_factor_reset(actor=request.user, staff=staff)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            f"{staff}'s authenticator app and recovery codes have been removed, and they have been signed "
            "out. They will set up two-factor authentication again the next time they sign in.",
        )
    return redirect("staff_detail", staff_id=staff.pk)


@login_required
@require_POST
def staff_unlock(request: StaffRequest, staff_id: int) -> HttpResponse:
    staff = selectors.staff_get(actor=request.user, staff_id=staff_id, action=Action.UPDATE)
    services.staff_unlock(actor=request.user, staff=staff)
    messages.success(request, f"{staff} can sign in again now.")
    return redirect("staff_detail", staff_id=staff.pk)


@login_required
def account(request: StaffRequest) -> HttpResponse:
    history = selectors.sign_in_history(actor=request.user)
    context = {
        "history": history,
        "two_factor": two_factor.two_factor_status(request.user),
        "two_factor_required": two_factor.two_factor_required(request.user),
    }
    return render(request, "accounts/account.html", context)


def _next_url(request: HttpRequest) -> str:
    """Where to go once the second factor is given: the page asked for, if it is one of ours."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return resolve_url("home")


def _with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


@never_cache
@login_required
def two_factor_set_up(request: StaffRequest) -> HttpResponse:
    next_url = _next_url(request)
    if two_factor.has_two_factor(request.user):
        return redirect(_with_next("two_factor_verify", next_url))
    device = two_factor.set_up_device(user=request.user)
    form = TwoFactorCodeForm(
        request.POST or None,
        label="Code from the app",
        help_text="The 6-digit code the app shows for linkwork now.",
    )
    if request.method == "POST" and form.is_valid():
        try:
            codes = two_factor.set_up_confirm(
                user=request.user, device=device, code=form.cleaned_data["code"]
            )
        except DomainError as error:
            add_service_errors(form, error)
        else:
            django_otp.login(request, device)  # type: ignore[no-untyped-call]
            # A new session key once verified, so a key seen before sign-in is worth nothing.
            request.session.cycle_key()
            return render(
                request, "accounts/two_factor_recovery_codes.html", {"codes": codes, "next": next_url}
            )
    context = {
        "form": form,
        "next": next_url,
        "qr_code": two_factor.qr_code_svg(device),
        "secret": two_factor.secret_text(device),
        "required": two_factor.two_factor_required(request.user),
    }
    return render(request, "accounts/two_factor_set_up.html", context)


@never_cache
@login_required
def two_factor_verify(request: StaffRequest) -> HttpResponse:
    next_url = _next_url(request)
    if two_factor.session_verified(request):
        return redirect(next_url)
    if not two_factor.has_two_factor(request.user):
        return redirect(_with_next("two_factor_set_up", next_url))
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        username = request.user.username
        if sign_in_locked(request, username):
            logout(request)
            return locked_out_response(request, None, {"username": username})
        try:
            device = two_factor.verify_code(user=request.user, code=form.cleaned_data["code"])
        except DomainError as error:
            add_service_errors(form, error)
            if count_failed_code(request, username):
                logout(request)
                return locked_out_response(request, None, {"username": username})
        else:
            django_otp.login(request, device)  # type: ignore[no-untyped-call]
            request.session.cycle_key()
            if two_factor.is_recovery_code(device):
                left = two_factor.recovery_codes_left(request.user)
                messages.warning(
                    request,
                    f"You signed in with a recovery code, which cannot be used again. You have {left} left. "
                    "If you have lost your phone, ask your organisation admin to reset your two-factor "
                    "authentication.",
                )
            return redirect(next_url)
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": next_url})


@login_required
@require_POST
def sign_out_everywhere(request: StaffRequest) -> HttpResponse:
    services.sign_out_everywhere(actor=request.user)
    # This browser stays signed in: only the user's other sessions end.
    update_session_auth_hash(request, request.user)
    messages.success(request, "You have been signed out everywhere else. This browser is still signed in.")
    return redirect("account")


@login_required
def staff_create(request: StaffRequest) -> HttpResponse:
    organisation = selectors.organisation_get(actor=request.user)
    authorize(request.user, Action.CREATE, User(organisation=organisation))
    form = StaffCreateForm(request.POST or None, teams=selectors.team_list(actor=request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            staff = services.staff_create(
                actor=request.user,
                organisation=organisation,
                username=data["username"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                roles=data["roles"],
                team_ids=[team.pk for team in data["teams"]],
            )
        except DomainError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{staff} has been added and sent a link to choose a password.")
            return redirect("staff_detail", staff_id=staff.pk)
    return render(request, "accounts/staff_form.html", {"form": form, "creating": True})


@login_required
def staff_edit(request: StaffRequest, staff_id: int) -> HttpResponse:
    staff = selectors.staff_get(actor=request.user, staff_id=staff_id, action=Action.UPDATE)
    initial = {
        "first_name": staff.first_name,
        "last_name": staff.last_name,
        "email": staff.email,
        "roles": list(staff.roles),
        "teams": list(staff.teams.all()),
    }
    form = StaffForm(request.POST or None, initial=initial, teams=selectors.team_list(actor=request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.staff_update(
                actor=request.user,
                staff=staff,
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                roles=data["roles"],
                team_ids=[team.pk for team in data["teams"]],
            )
        except DomainError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{staff}'s details have been saved.")
            return redirect("staff_detail", staff_id=staff.pk)
    return render(request, "accounts/staff_form.html", {"form": form, "staff": staff, "creating": False})


@login_required
@require_POST
def staff_set_access(request: StaffRequest, staff_id: int) -> HttpResponse:
    active = request.POST.get("access") == "restore"
    staff = selectors.staff_get(actor=request.user, staff_id=staff_id, action=Action.UPDATE)
    try:
        services.staff_set_active(actor=request.user, staff=staff, active=active)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{staff} {'has access again' if active else 'no longer has access'}.")
    return redirect("staff_detail", staff_id=staff.pk)


@login_required
def team_list(request: StaffRequest) -> HttpResponse:
    organisation = selectors.organisation_get(actor=request.user)
    may_manage = can(request.user, Action.CREATE, Team(organisation=organisation))
    form = TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            team = services.team_create(
                actor=request.user, organisation=organisation, name=form.cleaned_data["name"]
            )
        except DomainError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"The team {team.name} has been created.")
            return redirect("team_list")
    teams = selectors.team_list(actor=request.user).prefetch_related("members")
    return render(
        request, "accounts/team_list.html", {"teams": teams, "form": form, "may_manage": may_manage}
    )


@login_required
@require_POST
def team_delete(request: StaffRequest, team_id: int) -> HttpResponse:
    team = selectors.team_get(actor=request.user, team_id=team_id, action=Action.DELETE)
    try:
        services.team_delete(actor=request.user, team=team)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"The team {team.name} has been removed.")
    return redirect("team_list")


@login_required
def organisation_settings(request: StaffRequest) -> HttpResponse:
    organisation = selectors.organisation_get(actor=request.user)
    authorize(request.user, Action.UPDATE, organisation)
    initial = {
        "name": organisation.name,
        "crisis_guidance": organisation.crisis_guidance,
        "anonymise_terms": "\n".join(organisation.anonymise_terms),
    }
    form = OrganisationSettingsForm(request.POST or None, initial=initial)

    def save(data: dict[str, Any]) -> HttpResponse:
        services.organisation_update(
            actor=request.user,
            organisation=organisation,
            name=data["name"],
            crisis_guidance=data["crisis_guidance"],
            anonymise_terms=data["anonymise_terms"].splitlines(),
        )
        messages.success(request, "The organisation's settings have been saved.")
        return redirect("organisation_settings")

    return form_page(
        request,
        form,
        save,
        title="Organisation settings",
        template="accounts/organisation_settings.html",
        organisation=organisation,
    )


@login_required
def organisation_two_factor(request: StaffRequest) -> HttpResponse:
    """A page of its own: switching a protection off is a deliberate act, never a side effect."""
    organisation = selectors.organisation_get(actor=request.user)
    authorize(request.user, Action.UPDATE, organisation)
    initial = {"require_two_factor": "yes" if organisation.require_two_factor else "no"}
    form = TwoFactorSettingForm(request.POST or None, initial=initial)

    def save(data: dict[str, Any]) -> HttpResponse:
        services.organisation_update(
            actor=request.user,
            organisation=organisation,
            name=organisation.name,
            require_two_factor=data["require_two_factor"],
        )
        required = "now required" if organisation.require_two_factor else "no longer required"
        messages.success(request, f"Two-factor authentication is {required}.")
        return redirect("organisation_settings")

    return form_page(
        request,
        form,
        save,
        title="Two-factor authentication",
        back_url=reverse("organisation_settings"),
    )


@login_required
def token_list(request: StaffRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            _, new_token = services.token_create(
                actor=request.user,
                user=request.user,
                name=form.cleaned_data["name"],
                expires_days=form.cleaned_data["expires_days"],
            )
        except DomainError as error:
            add_service_errors(form, error)
        else:
            form = TokenForm()
    tokens = selectors.token_list(actor=request.user)
    return render(
        request, "accounts/token_list.html", {"tokens": tokens, "form": form, "new_token": new_token}
    )


@login_required
@require_POST
def token_revoke(request: StaffRequest, token_id: int) -> HttpResponse:
    token = selectors.token_get(actor=request.user, token_id=token_id, action=Action.DELETE)
    services.token_revoke(actor=request.user, token=token)
    messages.success(request, f"The token “{token.name}” has been revoked and no longer works.")
    return redirect("token_list")
