"""Web pages for connections: making one, its page with the next steps and history, the forms for
moves that need details, the provider link, and the provider's own page (public, no account)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from linkwork.core.errors import DomainError, InvalidTransition, NotFound, ValidationFailed
from linkwork.core.policies import Action
from linkwork.matching import connection_selectors as selectors
from linkwork.matching import connections as services
from linkwork.matching.lifecycle import (
    ACTION_LABELS,
    NEXT_STEP,
    PROVIDER_STAGES,
    STAFF_ACTIONS,
    staff_actions,
)
from linkwork.matching.models.connections import (
    Accompaniment,
    Connection,
    ConnectionStatus,
    ProviderAnswer,
    ReferralMethod,
    StopReason,
)
from linkwork.web.forms import add_service_errors, form_page
from linkwork.web.http import StaffRequest

DATE_HINT = "For example, 2026-11-01"


class ConnectionForm(forms.Form):
    service_id = forms.CharField(
        label="Directory entry",
        help_text="The entry's id from the directory. Use the recommendations or the directory to find it.",
    )
    status = forms.ChoiceField(
        label="Where are you up to?",
        choices=[
            (ConnectionStatus.SUGGESTED.value, "I am suggesting it"),
            (ConnectionStatus.DISCUSSED.value, "We have talked it over"),
        ],
        widget=forms.RadioSelect,
        initial=ConnectionStatus.SUGGESTED.value,
    )
    note = forms.CharField(label="Note (optional)", widget=forms.Textarea, required=False)


class DeclineForm(forms.Form):
    reason = forms.CharField(label="Why did they say no?", widget=forms.Textarea, max_length=500)
    note = forms.CharField(label="Note (optional)", required=False, max_length=500)


class StopForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why did they stop?", choices=StopReason.choices, widget=forms.RadioSelect
    )
    detail = forms.CharField(
        label="Tell us more",
        help_text="Needed for “other” and “the provider could not help”",
        widget=forms.Textarea,
        required=False,
        max_length=500,
    )


class ReferForm(forms.Form):
    referral_method = forms.ChoiceField(
        label="What did you do?",
        choices=ReferralMethod.choices,
        widget=forms.RadioSelect,
        initial=ReferralMethod.REFERRED.value,
    )
    note = forms.CharField(label="Note (optional)", required=False, max_length=500)


class PlanVisitForm(forms.Form):
    accompanied_by = forms.ChoiceField(
        label="Who goes with them?", choices=Accompaniment.choices, widget=forms.RadioSelect
    )
    visit_on = forms.DateField(
        label="Date of the first visit (optional)", help_text=DATE_HINT, required=False
    )
    visit_arrangements = forms.CharField(
        label="Arrangements (optional)",
        help_text="For example, where to meet. The volunteer going with them can see this.",
        required=False,
        max_length=300,
    )


class NoteForm(forms.Form):
    note = forms.CharField(label="Note (optional)", required=False, max_length=500)


ACTION_FORMS: dict[str, type[forms.Form]] = {
    "decline": DeclineForm,
    "stop": StopForm,
    "refer": ReferForm,
    "plan_visit": PlanVisitForm,
}


class ProviderLinkForm(forms.Form):
    request = forms.CharField(
        label="What are you asking the provider?",
        help_text="The provider sees this, with the person's first name only. For example, "
        "“Could Mary join the Tuesday walk? She would like someone to meet her at the gate.”",
        widget=forms.Textarea,
        max_length=1000,
    )
    contact_name = forms.CharField(label="Your name", max_length=200)
    contact_details = forms.CharField(
        label="Your work e-mail address or phone number",
        help_text="The provider can use it to reach you.",
        max_length=200,
    )


class ProviderAnswerForm(forms.Form):
    answer = forms.ChoiceField(
        label="What happened?", choices=ProviderAnswer.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label="If you could not help, why not?",
        widget=forms.Textarea,
        required=False,
        max_length=500,
    )


@login_required
def connection_create(request: StaffRequest, person_id: int) -> HttpResponse:
    person = selectors.person_for_connection(actor=request.user, person_id=person_id)
    form = ConnectionForm(request.POST or None, initial={"service_id": request.GET.get("service_id", "")})

    def save(data: dict[str, Any]) -> HttpResponse:
        try:
            service = selectors.connection_service_get(actor=request.user, service_id=data["service_id"])
        except NotFound:
            message = "There is no directory entry with that id. Check it and try again."
            raise ValidationFailed(message, fields={"service_id": message}) from None
        connection = services.connection_create(
            actor=request.user, person=person, service=service, status=data["status"], note=data["note"]
        )
        messages.success(request, f"The connection to {connection.service_name} has been saved.")
        return redirect("connection_detail", connection_id=connection.pk)

    intro = ""
    if request.method == "GET" and request.GET.get("service_id"):
        try:
            chosen = selectors.connection_service_get(
                actor=request.user, service_id=request.GET["service_id"]
            )
        except NotFound:
            pass
        else:
            intro = f"Connecting {person.first_name} with {chosen.name}."
    return form_page(
        request,
        form,
        save,
        title="Make a connection",
        caption=str(person),
        submit_label="Save the connection",
        back_url=reverse("person_detail", args=[person.pk]),
        intro=intro,
    )


def _reason(reason: str, detail: str) -> str:
    label = StopReason(reason).label if reason in StopReason.values else reason
    return ": ".join(part for part in (label, detail) if part)


def _history(request: StaffRequest, connection: Connection) -> list[dict[str, Any]]:
    rows = []
    for move in selectors.connection_history(actor=request.user, connection=connection):
        if move.by_provider:
            who = "The provider, through their link"
        elif move.moved_by is not None:
            who = move.moved_by.get_full_name() or move.moved_by.username
        else:
            who = "linkwork"
        stage = ConnectionStatus(move.to_status).label.lower()
        text = f"{ACTION_LABELS.get(move.action, move.action)}. Now: {stage}"
        reason = _reason(move.reason, str(move.detail.get("reason_detail", "")))
        if reason:
            text += f". Why: {reason}"
        if move.detail.get("note"):
            text += f". Note: {move.detail['note']}"
        if move.detail.get("no_change"):
            text += ". It was already recorded, so nothing changed"
        rows.append({"at": move.moved_at, "who": who, "text": text + "."})
    return rows


@login_required
def connection_detail(request: StaffRequest, connection_id: int) -> HttpResponse:
    try:
        connection = selectors.connection_get(actor=request.user, connection_id=connection_id)
    except NotFound:
        practical = selectors.connection_get(
            actor=request.user, connection_id=connection_id, action=Action.VIEW_PRACTICAL
        )
        return render(
            request, "matching/connections/practical.html", {"connection": selectors.practical(practical)}
        )
    may_edit = selectors.connection_may_edit(actor=request.user, connection=connection)
    actions = staff_actions(connection.status) if may_edit else []
    context = {
        "connection": connection,
        "status_label": ConnectionStatus(connection.status).label,
        "next_step": NEXT_STEP[ConnectionStatus(connection.status)],
        "actions": [(action, ACTION_LABELS[action], action in ACTION_FORMS) for action in actions],
        "history": _history(request, connection),
        "reason": _reason(connection.reason, connection.reason_detail),
        "links": selectors.provider_links(actor=request.user, connection=connection),
        "may_link": may_edit and connection.status in PROVIDER_STAGES,
        "may_edit": may_edit,
    }
    return render(request, "matching/connections/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def connection_action(request: StaffRequest, connection_id: int, action: str) -> HttpResponse:
    connection = selectors.connection_get(
        actor=request.user, connection_id=connection_id, action=Action.UPDATE
    )
    if action not in STAFF_ACTIONS:
        raise NotFound()
    back = reverse("connection_detail", args=[connection.pk])
    form_class = ACTION_FORMS.get(action, NoteForm)
    if action not in staff_actions(connection.status):
        stage = ConnectionStatus(connection.status).label.lower()
        messages.error(request, f"A connection that is {stage} cannot be {action.replace('_', ' ')}.")
        return redirect(back)
    if action not in ACTION_FORMS and request.method == "GET":
        return redirect(back)
    form = form_class(request.POST if request.method == "POST" else None)

    def save(data: dict[str, Any]) -> HttpResponse:
        try:
            services.connection_move(actor=request.user, connection=connection, action=action, **data)
        except InvalidTransition as error:
            messages.error(request, error.message)
            return redirect(back)
        messages.success(request, f"Saved: {ConnectionStatus(connection.status).label.lower()}.")
        return redirect(back)

    return form_page(
        request,
        form,
        save,
        title=ACTION_LABELS[action],
        caption=f"{connection.person.first_name}: {connection.service_name}",
        submit_label="Save",
        back_url=back,
    )


@login_required
def connection_provider_link(request: StaffRequest, connection_id: int) -> HttpResponse:
    connection = selectors.connection_get(
        actor=request.user, connection_id=connection_id, action=Action.UPDATE
    )
    back = reverse("connection_detail", args=[connection.pk])
    form = ProviderLinkForm(
        request.POST or None,
        initial={"contact_name": request.user.get_full_name(), "contact_details": request.user.email},
    )
    if request.method == "POST" and form.is_valid():
        try:
            link, token = services.provider_link_create(
                actor=request.user, connection=connection, **form.cleaned_data
            )
        except DomainError as error:
            add_service_errors(form, error)
        else:
            url = request.build_absolute_uri(reverse("provider_confirm", args=[token]))
            return render(
                request,
                "matching/connections/link_made.html",
                {"connection": connection, "link": link, "url": url, "back_url": back},
            )
    return form_page(
        request,
        form,
        lambda data: redirect(back),
        title="Ask the provider to confirm",
        caption=f"{connection.person.first_name}: {connection.service_name}",
        submit_label="Make the link",
        back_url=back,
        intro=(
            f"The provider opens the link without an account and tells you if they received the referral, "
            f"if the person came, or if they could not help. It works for {services.LINK_DAYS} days. "
            f"Making a new link stops any earlier one working."
        ),
    )


@never_cache
@require_http_methods(["GET", "POST"])
def provider_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The provider's page: no sign-in; the person's first name and the request only."""
    try:
        shown = services.provider_request_get(token)
    except NotFound:
        return render(request, "matching/connections/provider_invalid.html", status=404)
    if shown.answered:
        return render(request, "matching/connections/provider_answered.html", status=410)
    form = ProviderAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.provider_confirm(token=token, **form.cleaned_data)
        except InvalidTransition:
            return render(request, "matching/connections/provider_answered.html", status=410)
        except NotFound:
            return render(request, "matching/connections/provider_invalid.html", status=404)
        except DomainError as error:
            add_service_errors(form, error)
        else:
            return render(
                request,
                "matching/connections/provider_done.html",
                {"shown": shown, "answer": ProviderAnswer(form.cleaned_data["answer"]).label},
            )
    response = render(request, "matching/connections/provider_confirm.html", {"form": form, "shown": shown})
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response
