"""Web pages for staff, teams and personal API tokens. Rules live in services and selectors."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from linkwork.accounts import selectors, services
from linkwork.accounts.forms import OrganisationSettingsForm, StaffCreateForm, StaffForm, TeamForm, TokenForm
from linkwork.accounts.lockout import account_locked_until
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
    context = {"staff": staff, "may_edit": may_edit, "locked_until": locked_until}
    return render(request, "accounts/staff_detail.html", context)


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
    return render(request, "accounts/account.html", {"history": history})


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

    return form_page(request, form, save, title="Organisation settings")


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
