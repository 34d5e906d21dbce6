"""Web pages for questionnaires (asked by staff or answered by the person through a one-time
link), safeguarding alerts, stories and programme schedules."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from linkwork.core.errors import DomainError
from linkwork.core.policies import Action, authorize
from linkwork.outcomes import selectors, services
from linkwork.outcomes.definitions import instrument_get
from linkwork.outcomes.forms import (
    AlertActionForm,
    LinkForm,
    QuestionnaireForm,
    ScheduleForm,
    SkipForm,
    StoryForm,
)
from linkwork.outcomes.models import Measure, TimePoint
from linkwork.support.selectors import episode_get, programme_get
from linkwork.web.forms import add_service_errors, form_page
from linkwork.web.http import StaffRequest

WHY_WE_ASK = (
    "We ask everyone the same few questions at the start, at the end and a while afterwards, so we can see "
    "whether what we do helps. There are no right or wrong answers, and any question can be left out."
)


def _months(request: HttpRequest) -> int | None:
    raw = request.GET.get("months", "")
    return int(raw) if raw.isdigit() else None


@login_required
def measure_take(
    request: StaffRequest, episode_id: int, instrument_code: str, time_point: str
) -> HttpResponse:
    episode = episode_get(actor=request.user, episode_id=episode_id, action=Action.UPDATE)
    authorize(request.user, Action.CREATE, Measure(episode=episode))
    instrument = instrument_get(instrument_code)
    months = _months(request)
    form = QuestionnaireForm(request.POST or None, instrument=instrument)

    def save(data: dict[str, Any]) -> HttpResponse:
        measure = services.measure_record(
            actor=request.user,
            episode=episode,
            instrument=instrument.code,
            time_point=time_point,
            answers=form.answers(),
            months_after_ending=months,
        )
        summary = f"total {measure.total:g}" if measure.total is not None else "no total"
        messages.success(
            request, f"{instrument.name}: {summary}{f' ({measure.band})' if measure.band else ''}."
        )
        return redirect("episode_detail", episode_id=episode.pk)

    return form_page(
        request,
        form,
        save,
        title=instrument.name,
        caption=str(episode.person),
        template="outcomes/questionnaire.html",
        back_url=reverse("episode_detail", args=[episode.pk]),
        instrument=instrument,
        why=WHY_WE_ASK,
        submit_label="Save answers",
    )


@login_required
def measure_skip(
    request: StaffRequest, episode_id: int, instrument_code: str, time_point: str
) -> HttpResponse:
    episode = episode_get(actor=request.user, episode_id=episode_id, action=Action.UPDATE)
    form = SkipForm(request.POST or None)

    def save(data: dict[str, Any]) -> HttpResponse:
        services.measure_skip(
            actor=request.user,
            episode=episode,
            instrument=instrument_code,
            time_point=time_point,
            reason=data["reason"],
            months_after_ending=_months(request),
        )
        messages.success(request, "Skipped. It will not be asked again for this time point.")
        return redirect("episode_detail", episode_id=episode.pk)

    return form_page(
        request,
        form,
        save,
        title="Skip a questionnaire",
        caption=str(episode.person),
        back_url=reverse("episode_detail", args=[episode.pk]),
        submit_label="Skip it",
        intro="Questionnaires are never forced. Say why this one is not being asked.",
    )


@login_required
def measure_link_new(request: StaffRequest, episode_id: int) -> HttpResponse:
    episode = episode_get(actor=request.user, episode_id=episode_id, action=Action.UPDATE)
    form = LinkForm(
        request.POST or None,
        instruments=services.instruments_for_choice(),
        initial={"time_point": TimePoint.BASELINE},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            _, raw = services.measure_link_create(
                actor=request.user,
                episode=episode,
                instrument=data["instrument"],
                time_point=data["time_point"],
                months_after_ending=data["months_after_ending"],
            )
        except DomainError as error:
            add_service_errors(form, error)
        else:
            link = request.build_absolute_uri(reverse("measure_answer", args=[raw]))
            return render(request, "outcomes/link_made.html", {"episode": episode, "link": link})
    return form_page(
        request,
        form,
        lambda data: redirect("episode_detail", episode_id=episode.pk),
        title="Send a questionnaire link",
        caption=str(episode.person),
        submit_label="Make the link",
        back_url=reverse("episode_detail", args=[episode.pk]),
        intro="The person can answer on their own phone or computer. The link works once, for 7 days.",
    )


def measure_answer(request: HttpRequest, token: str) -> HttpResponse:
    """The person's own page: no sign-in, no details about them, one use."""
    link = services.measure_link_get(token)
    instrument = instrument_get(link.instrument)
    form = QuestionnaireForm(request.POST or None, instrument=instrument)
    if request.method == "POST" and form.is_valid():
        try:
            services.measure_link_answer(raw=token, answers=form.answers())
        except DomainError as error:
            add_service_errors(form, error)
        else:
            return render(request, "outcomes/answer_done.html", {"organisation": link.episode.organisation})
    context = {
        "form": form,
        "instrument": instrument,
        "why": WHY_WE_ASK,
        "title": instrument.name,
        "submit_label": "Send my answers",
        "organisation": link.episode.organisation,
    }
    return render(request, "outcomes/questionnaire.html", context)


@login_required
def alert_action(request: StaffRequest, alert_id: int) -> HttpResponse:
    alert = selectors.alert_get(actor=request.user, alert_id=alert_id)
    form = AlertActionForm(request.POST or None)

    def save(data: dict[str, Any]) -> HttpResponse:
        services.alert_record_action(actor=request.user, alert=alert, action_taken=data["action_taken"])
        messages.success(request, "The action has been recorded and the alert closed.")
        return redirect("home")

    return form_page(
        request,
        form,
        save,
        title="Safeguarding alert",
        caption=str(alert.episode.person),
        template="outcomes/alert_action.html",
        alert=alert,
        guidance=alert.organisation.crisis_guidance,
        submit_label="Record the action",
    )


@login_required
def story_add(request: StaffRequest, episode_id: int) -> HttpResponse:
    episode = episode_get(actor=request.user, episode_id=episode_id, action=Action.UPDATE)
    form = StoryForm(request.POST or None)

    def save(data: dict[str, Any]) -> HttpResponse:
        story = services.story_create(actor=request.user, episode=episode, **data)
        messages.success(request, "The story has been saved.")
        return redirect("story_detail", story_id=story.pk)

    return form_page(
        request,
        form,
        save,
        title="Record a story",
        caption=str(episode.person),
        back_url=reverse("episode_detail", args=[episode.pk]),
    )


@login_required
def story_detail(request: StaffRequest, story_id: int) -> HttpResponse:
    story = selectors.story_get(actor=request.user, story_id=story_id)
    return render(
        request, "outcomes/story.html", {"story": story, "anonymised": services.story_anonymised(story)}
    )


@login_required
def programme_schedule(request: StaffRequest, programme_id: int) -> HttpResponse:
    programme = programme_get(actor=request.user, programme_id=programme_id)
    authorize(request.user, Action.UPDATE, programme)
    initial: dict[str, list[str]] = {}
    for entry in programme.measure_schedule.all():
        initial.setdefault(ScheduleForm.field_name(entry.time_point, entry.months_after_ending), []).append(
            entry.instrument
        )
    form = ScheduleForm(request.POST or None, instruments=services.instruments_for_choice(), initial=initial)

    def save(data: dict[str, Any]) -> HttpResponse:
        services.schedule_set(actor=request.user, programme=programme, entries=form.entries())
        messages.success(request, f"The questionnaires for {programme.name} have been saved.")
        return redirect("programme_list")

    return form_page(
        request,
        form,
        save,
        title=f"Questionnaires for {programme.name}",
        back_url=reverse("programme_list"),
        intro="Choose what is asked at the start, at the end and at each follow-up.",
    )
