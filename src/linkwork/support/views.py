"""Web pages for support episodes: the episode page and every action on it, caseloads,
extensions waiting for a supervisor, meet-ups and programmes."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from linkwork.accounts.roles import Role
from linkwork.accounts.selectors import organisation_get, staff_with_role
from linkwork.core.errors import EditConflict
from linkwork.core.policies import Action, authorize, can
from linkwork.core.time import local_today, now
from linkwork.outcomes.selectors import measure_changes, measure_list, measures_due, story_list
from linkwork.support import selectors, services
from linkwork.support.forms import (
    AssignForm,
    BudgetForm,
    CloseForm,
    ContactForm,
    ConversationForm,
    ExtensionDecisionForm,
    ExtensionForm,
    FollowUpForm,
    GoalForm,
    GoalUpdateForm,
    MeetUpForm,
    PauseForm,
    PlanEndingForm,
    ProgrammeForm,
    ResumeForm,
    VolunteerContactForm,
)
from linkwork.support.models import Contact, EpisodeStatus, MeetUp, Programme, SupportEpisode
from linkwork.support.transitions import EPISODE_LIFECYCLE
from linkwork.web.conflicts import show_edit_conflict
from linkwork.web.forms import form_page
from linkwork.web.http import StaffRequest

# Pages whose form carries the version it was loaded with, with room to show both versions of an
# edit refused because someone saved a change in between.
VERSIONED_FORM = "people/versioned_form.html"
STATUS_WORDS = {"status": dict(EpisodeStatus.choices)}


def _conflict_page(
    request: StaffRequest, form: forms.Form, conflict: EditConflict, context: dict[str, Any]
) -> HttpResponse:
    rows = show_edit_conflict(form, conflict, STATUS_WORDS)
    page = {**context, "form": form, "conflict": conflict, "conflict_rows": rows}
    return render(request, VERSIONED_FORM, page, status=409)


def _pence(pounds: Decimal) -> int:
    return int((pounds * 100).to_integral_value())


@login_required
def caseload(request: StaffRequest) -> HttpResponse:
    authorize(request.user, Action.CREATE, SupportEpisode)
    rows = selectors.caseload_list(actor=request.user)
    return render(request, "support/caseload.html", {"rows": rows})


@login_required
def team_caseloads(request: StaffRequest) -> HttpResponse:
    authorize(request.user, Action.APPROVE, SupportEpisode)
    context = {
        "caseloads": selectors.team_caseloads(actor=request.user),
        "extensions": selectors.extensions_waiting(actor=request.user),
    }
    return render(request, "support/team.html", context)


@login_required
def episode_detail(request: StaffRequest, episode_id: int) -> HttpResponse:
    episode = selectors.episode_get(actor=request.user, episode_id=episode_id)
    progress = selectors.episode_progress(episode)
    context = {
        "episode": episode,
        "person": episode.person,
        "progress": progress,
        "risks": selectors.ending_risks(episode)
        if progress.prompt_ending or episode.status == "ending_planned"
        else [],
        "actions": EPISODE_LIFECYCLE.allowed_actions(episode.status),
        "goals": episode.goals.prefetch_related("updates"),
        "contacts": selectors.contact_list(actor=request.user, episode=episode)[:20],
        "conversation": episode.conversations.order_by("-version").first(),
        "extensions": episode.extensions.all(),
        "may_approve": can(request.user, Action.APPROVE, episode),
        "measures_due": measures_due(episode),
        "measures": measure_list(actor=request.user, episode=episode),
        "changes": measure_changes(actor=request.user, episode=episode),
        "stories": story_list(actor=request.user, episode=episode),
    }
    return render(request, "support/episode_detail.html", context)


def _episode_action(
    request: StaffRequest,
    episode_id: int,
    form: forms.Form,
    title: str,
    act: Callable[[SupportEpisode, dict[str, Any]], object],
    done: str,
    **extra: Any,
) -> HttpResponse:
    episode = selectors.episode_get(actor=request.user, episode_id=episode_id, action=Action.UPDATE)
    if "version" in form.fields:
        form.initial["version"] = episode.version
    page = {
        "title": title,
        "caption": str(episode.person),
        "back_url": reverse("episode_detail", args=[episode.pk]),
        **extra,
    }

    def save(data: dict[str, Any]) -> HttpResponse:
        try:
            act(episode, data)
        except EditConflict as conflict:
            return _conflict_page(request, form, conflict, page)
        messages.success(request, done)
        return redirect("episode_detail", episode_id=episode.pk)

    return form_page(request, form, save, template=VERSIONED_FORM, **page)


@login_required
def episode_assign(request: StaffRequest, episode_id: int) -> HttpResponse:
    episode = selectors.episode_get(actor=request.user, episode_id=episode_id, action=Action.UPDATE)
    form = AssignForm(
        request.POST or None,
        initial={"connector": episode.connector_id, "volunteers": list(episode.volunteers.all())},
        connectors=staff_with_role(actor=request.user, role=Role.CONNECTOR),
        volunteers=staff_with_role(actor=request.user, role=Role.VOLUNTEER),
    )

    def act(episode: SupportEpisode, data: dict[str, Any]) -> object:
        return services.episode_assign(
            actor=request.user,
            episode=episode,
            connector=data["connector"],
            volunteers=data["volunteers"],
            expected_version=data["version"],
        )

    return _episode_action(
        request, episode_id, form, "Who supports them", act, "The support team has been saved."
    )


@login_required
def episode_pause(request: StaffRequest, episode_id: int) -> HttpResponse:
    def act(episode: SupportEpisode, data: dict[str, Any]) -> object:
        return services.episode_pause(
            actor=request.user,
            episode=episode,
            reason=data["reason"],
            note=data["note"],
            expected_version=data["version"],
        )

    return _episode_action(
        request,
        episode_id,
        PauseForm(request.POST or None),
        "Pause support",
        act,
        "Support is paused. Their place is kept.",
        submit_label="Pause support",
    )


@login_required
def episode_resume(request: StaffRequest, episode_id: int) -> HttpResponse:
    def act(episode: SupportEpisode, data: dict[str, Any]) -> object:
        return services.episode_resume(
            actor=request.user, episode=episode, on=data["on"], expected_version=data["version"]
        )

    form = ResumeForm(request.POST or None, initial={"on": local_today()})
    return _episode_action(
        request,
        episode_id,
        form,
        "Resume support",
        act,
        "Support has resumed. The paused time has been added to the end date.",
        submit_label="Resume support",
    )


@login_required
def extension_request(request: StaffRequest, episode_id: int) -> HttpResponse:
    def act(episode: SupportEpisode, data: dict[str, Any]) -> object:
        return services.extension_request(
            actor=request.user,
            episode=episode,
            new_end_on=data["new_end_on"],
            extra_contacts=data["extra_contacts"],
            reason=data["reason"],
            expected_version=data["version"],
        )

    return _episode_action(
        request,
        episode_id,
        ExtensionForm(request.POST or None),
        "Ask for an extension",
        act,
        "The extension request has gone to a supervisor.",
        submit_label="Send request",
    )


@login_required
def extension_decide(request: StaffRequest, extension_id: int) -> HttpResponse:
    extension = selectors.extension_get(actor=request.user, extension_id=extension_id)
    authorize(request.user, Action.APPROVE, extension.episode)
    form = ExtensionDecisionForm(request.POST or None)

    def save(data: dict[str, Any]) -> HttpResponse:
        services.extension_decide(
            actor=request.user, extension=extension, approve=data["decision"] == "approve", note=data["note"]
        )
        messages.success(
            request, f"The extension for {extension.episode.person} has been {extension.status}."
        )
        return redirect("episode_detail", episode_id=extension.episode_id)

    intro = (
        f"New end date {extension.new_end_on:%d %B %Y}, {extension.extra_contacts} extra contacts. "
        f"Reason: {extension.reason}"
    )
    return form_page(
        request,
        form,
        save,
        title="Decide on an extension",
        caption=str(extension.episode.person),
        intro=intro,
        back_url=reverse("episode_detail", args=[extension.episode_id]),
    )


@login_required
def episode_plan_ending(request: StaffRequest, episode_id: int) -> HttpResponse:
    def act(episode: SupportEpisode, data: dict[str, Any]) -> object:
        plan = {name: value for name, value in data.items() if name != "version"}
        return services.episode_plan_ending(
            actor=request.user, episode=episode, expected_version=data["version"], **plan
        )

    return _episode_action(
        request,
        episode_id,
        PlanEndingForm(request.POST or None),
        "Plan the ending",
        act,
        "The ending is planned.",
        intro="Plan the ending together: what carries on, who they "
        "can turn to, and when you will check in afterwards.",
    )


@login_required
def episode_close(request: StaffRequest, episode_id: int) -> HttpResponse:
    def act(episode: SupportEpisode, data: dict[str, Any]) -> object:
        return services.episode_close(
            actor=request.user,
            episode=episode,
            outcome=data["outcome"],
            note=data["note"],
            on=data["on"],
            expected_version=data["version"],
        )

    form = CloseForm(request.POST or None, initial={"on": local_today()})
    return _episode_action(
        request, episode_id, form, "Close support", act, "Support has ended.", submit_label="Close support"
    )


@login_required
def episode_follow_up(request: StaffRequest, episode_id: int) -> HttpResponse:
    def act(episode: SupportEpisode, data: dict[str, Any]) -> object:
        return services.episode_record_follow_up(
            actor=request.user, episode=episode, note=data["note"], expected_version=data["version"]
        )

    return _episode_action(
        request,
        episode_id,
        FollowUpForm(request.POST or None),
        "Record the follow-up",
        act,
        "The follow-up has been recorded.",
    )


@login_required
def conversation_record(request: StaffRequest, episode_id: int) -> HttpResponse:
    episode = selectors.episode_get(actor=request.user, episode_id=episode_id, action=Action.UPDATE)
    latest = episode.conversations.order_by("-version").first()
    initial: dict[str, Any] = {"version": latest.version if latest else 0}
    if latest is not None:
        initial |= {name: getattr(latest, name) for name in ConversationForm.base_fields if name != "version"}
        initial["interests_now"] = ", ".join(latest.interests_now)
        initial["interests_past"] = ", ".join(latest.interests_past)
        wants_company = latest.wants_company_first_visit
        initial["wants_company_first_visit"] = (
            "" if wants_company is None else ("yes" if wants_company else "no")
        )
        for key, entry in latest.participation_factors.items():
            initial[f"factor_{key}"], initial[f"factor_{key}_note"] = (
                entry.get("rating", ""),
                entry.get("note", ""),
            )
        for key, entry in latest.civic_profile.items():
            initial[f"civic_{key}"], initial[f"civic_{key}_note"] = (
                entry.get("rating", ""),
                entry.get("note", ""),
            )
    form = ConversationForm(request.POST or None, initial=initial)

    page = {
        "title": "What matters to them",
        "caption": str(episode.person),
        "back_url": reverse("episode_detail", args=[episode.pk]),
        "intro": "Not a checklist: record what you heard, in their words where you can.",
    }

    def save(data: dict[str, Any]) -> HttpResponse:
        try:
            services.conversation_record(
                actor=request.user,
                episode=episode,
                data=form.conversation_data(),
                expected_version=data["version"],
            )
        except EditConflict as conflict:
            return _conflict_page(request, form, conflict, page)
        messages.success(request, "The conversation has been saved. Earlier versions are kept.")
        return redirect("episode_detail", episode_id=episode.pk)

    return form_page(request, form, save, template=VERSIONED_FORM, **page)


@login_required
def goal_add(request: StaffRequest, episode_id: int) -> HttpResponse:
    def act(episode: SupportEpisode, data: dict[str, Any]) -> object:
        return services.goal_create(actor=request.user, episode=episode, **data)

    return _episode_action(
        request, episode_id, GoalForm(request.POST or None), "Set a goal", act, "The goal has been set."
    )


@login_required
def goal_update(request: StaffRequest, goal_id: int) -> HttpResponse:
    goal = selectors.goal_get(actor=request.user, goal_id=goal_id)
    initial = {
        "title": goal.title,
        "steps": goal.steps,
        "status": goal.status,
        "progress": goal.progress,
        "version": goal.version,
    }
    form = GoalUpdateForm(request.POST or None, initial=initial)
    page = {
        "title": "Update a goal",
        "caption": str(goal.episode.person),
        "back_url": reverse("episode_detail", args=[goal.episode_id]),
    }

    def save(data: dict[str, Any]) -> HttpResponse:
        changes = {name: value for name, value in data.items() if name != "version"}
        try:
            services.goal_update(actor=request.user, goal=goal, expected_version=data["version"], **changes)
        except EditConflict as conflict:
            return _conflict_page(request, form, conflict, page)
        messages.success(request, "The goal has been updated. Its history is kept.")
        return redirect("episode_detail", episode_id=goal.episode_id)

    return form_page(request, form, save, template=VERSIONED_FORM, **page)


@login_required
def contact_add(request: StaffRequest, episode_id: int) -> HttpResponse:
    """Connectors log contacts on their cases; volunteers on the episodes they are assigned to."""
    episode = selectors.episode_get(actor=request.user, episode_id=episode_id, action=Action.VIEW_PRACTICAL)
    authorize(request.user, Action.CREATE, Contact(episode=episode, staff=request.user))
    full = can(request.user, Action.VIEW, episode)
    form_class = ContactForm if full else VolunteerContactForm
    form = form_class(request.POST or None, initial={"occurred_at": now()})

    def save(data: dict[str, Any]) -> HttpResponse:
        services.contact_log(actor=request.user, episode=episode, **data)
        messages.success(request, "The contact has been logged.")
        if full:
            return redirect("episode_detail", episode_id=episode.pk)
        return redirect("person_practical", person_id=episode.person_id)

    back = reverse(
        "episode_detail" if full else "person_practical", args=[episode.pk if full else episode.person_id]
    )
    progress = selectors.episode_progress(episode) if full else None
    return form_page(
        request,
        form,
        save,
        title="Log a contact",
        caption=str(episode.person.first_name),
        back_url=back,
        intro=progress.summary if progress else "",
    )


@login_required
def budget(request: StaffRequest, episode_id: int) -> HttpResponse:
    episode = selectors.episode_get(actor=request.user, episode_id=episode_id, action=Action.UPDATE)
    form = BudgetForm(request.POST or None, initial={"spent_on": local_today()})

    def save(data: dict[str, Any]) -> HttpResponse:
        services.budget_spend(
            actor=request.user,
            episode=episode,
            amount_pence=_pence(data["amount"]),
            purpose=data["purpose"],
            spent_on=data["spent_on"],
            receipt_reference=data["receipt_reference"],
        )
        messages.success(request, "The spending has been recorded.")
        return redirect("episode_budget", episode_id=episode.pk)

    context = {
        "episode": episode,
        "entries": episode.budget_entries.select_related("approved_by"),
        "progress": selectors.episode_progress(episode),
    }
    return form_page(
        request,
        form,
        save,
        title="Budget",
        caption=str(episode.person),
        template="support/budget.html",
        back_url=reverse("episode_detail", args=[episode.pk]),
        submit_label="Record spending",
        **context,
    )


@login_required
def meetup_add(request: StaffRequest) -> HttpResponse:
    organisation = organisation_get(actor=request.user)
    authorize(request.user, Action.CREATE, MeetUp(organisation=organisation))
    form = MeetUpForm(request.POST or None, episodes=selectors.open_episodes(actor=request.user))

    def save(data: dict[str, Any]) -> HttpResponse:
        services.meetup_record(
            actor=request.user,
            organisation=organisation,
            held_at=data["held_at"],
            place=data["place"],
            topic=data["topic"],
            attendee_episodes=data["attendees"],
        )
        messages.success(request, "The meet-up has been recorded.")
        return redirect("caseload")

    return form_page(request, form, save, title="Record a meet-up", back_url=reverse("caseload"))


@login_required
def programme_list(request: StaffRequest) -> HttpResponse:
    organisation = organisation_get(actor=request.user)
    may_add = can(request.user, Action.CREATE, Programme(organisation=organisation))
    form = ProgrammeForm(request.POST or None)

    def save(data: dict[str, Any]) -> HttpResponse:
        authorize(request.user, Action.CREATE, Programme(organisation=organisation))
        budget_pence = _pence(data.pop("budget"))
        services.programme_create(
            actor=request.user, organisation=organisation, budget_pence=budget_pence, **data
        )
        messages.success(request, "The programme has been set up.")
        return redirect("programme_list")

    return form_page(
        request,
        form,
        save,
        title="Programmes",
        template="support/programmes.html",
        submit_label="Add programme",
        programmes=selectors.programme_list(actor=request.user),
        may_add=may_add,
        hide_form=not may_add,
    )
