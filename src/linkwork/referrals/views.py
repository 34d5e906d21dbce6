"""Web pages for the intake queue, a referral's contact attempts and decisions, and the public
self-referral form."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from linkwork.accounts.roles import Role
from linkwork.accounts.selectors import organisation_by_slug, staff_with_role
from linkwork.core.errors import DomainError, RateLimited
from linkwork.core.http import client_ip
from linkwork.core.policies import Action, authorize
from linkwork.core.time import local_today
from linkwork.people.forms import SelfReferralForm
from linkwork.referrals import selectors, services
from linkwork.referrals.forms import AcceptForm, AttemptForm, DecisionNoteForm, NotAppropriateForm
from linkwork.referrals.models import Referral
from linkwork.referrals.transitions import REFERRAL_LIFECYCLE
from linkwork.support.selectors import programme_list
from linkwork.support.services import episode_start
from linkwork.web.forms import add_service_errors, form_page
from linkwork.web.http import StaffRequest


@login_required
def referral_list(request: StaffRequest) -> HttpResponse:
    authorize(request.user, Action.CREATE, Referral(organisation=request.user.organisation))
    referrals = selectors.referral_list(actor=request.user, open_only=True)
    rows = [(referral, services.referral_suggests_closing(referral)) for referral in referrals]
    return render(request, "referrals/referral_list.html", {"rows": rows})


@login_required
def referral_detail(request: StaffRequest, referral_id: int) -> HttpResponse:
    referral = selectors.referral_get(actor=request.user, referral_id=referral_id)
    waiting = services.referral_waiting_time(referral)
    context = {
        "referral": referral,
        "attempt_form": AttemptForm(),
        "suggests_closing": services.referral_suggests_closing(referral),
        "waiting_days": waiting.days if waiting is not None else None,
        "actions": REFERRAL_LIFECYCLE.allowed_actions(referral.status),
    }
    return render(request, "referrals/referral_detail.html", context)


@login_required
@require_POST
def attempt_add(request: StaffRequest, referral_id: int) -> HttpResponse:
    referral = selectors.referral_get(actor=request.user, referral_id=referral_id, action=Action.UPDATE)
    form = AttemptForm(request.POST)
    if form.is_valid():
        try:
            services.referral_attempt_contact(actor=request.user, referral=referral, **form.cleaned_data)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "The contact attempt has been logged.")
    else:
        messages.error(request, "Choose how you tried to make contact and what happened.")
    return redirect("referral_detail", referral_id=referral.pk)


@login_required
def referral_accept(request: StaffRequest, referral_id: int) -> HttpResponse:
    referral = selectors.referral_get(actor=request.user, referral_id=referral_id, action=Action.UPDATE)
    form = AcceptForm(
        request.POST or None,
        initial={"started_on": local_today(), "connector": request.user.pk},
        programmes=programme_list(actor=request.user),
        connectors=staff_with_role(actor=request.user, role=Role.CONNECTOR),
        volunteers=staff_with_role(actor=request.user, role=Role.VOLUNTEER),
    )

    def save(data: dict[str, Any]) -> HttpResponse:
        episode = episode_start(
            actor=request.user,
            referral=referral,
            programme=data["programme"],
            connector=data["connector"],
            volunteers=data["volunteers"],
            started_on=data["started_on"],
        )
        messages.success(request, f"Support for {referral.person} has started.")
        return redirect("episode_detail", episode_id=episode.pk)

    back = reverse("referral_detail", args=[referral.pk])
    return form_page(
        request,
        form,
        save,
        title="Accept and start support",
        caption=referral.reference,
        back_url=back,
        submit_label="Start support",
    )


def _decision(
    request: StaffRequest, referral_id: int, form_class: type, title: str, decide: Any
) -> HttpResponse:
    referral = selectors.referral_get(actor=request.user, referral_id=referral_id, action=Action.UPDATE)
    form = form_class(request.POST or None)

    def save(data: dict[str, Any]) -> HttpResponse:
        decide(actor=request.user, referral=referral, **data)
        messages.success(request, f"Referral {referral.reference}: {referral.get_status_display().lower()}.")
        return redirect("referral_detail", referral_id=referral.pk)

    back = reverse("referral_detail", args=[referral.pk])
    return form_page(request, form, save, title=title, caption=referral.reference, back_url=back)


@login_required
def referral_decline(request: StaffRequest, referral_id: int) -> HttpResponse:
    return _decision(request, referral_id, DecisionNoteForm, "The person declined", services.referral_decline)


@login_required
def referral_unable(request: StaffRequest, referral_id: int) -> HttpResponse:
    return _decision(
        request,
        referral_id,
        DecisionNoteForm,
        "Close: unable to contact",
        services.referral_close_unable_to_contact,
    )


@login_required
def referral_not_appropriate(request: StaffRequest, referral_id: int) -> HttpResponse:
    return _decision(
        request,
        referral_id,
        NotAppropriateForm,
        "Not appropriate: redirect",
        services.referral_mark_not_appropriate,
    )


@login_required
def outcome_letter(request: StaffRequest, referral_id: int, message_id: int) -> HttpResponse:
    referral = selectors.referral_get(actor=request.user, referral_id=referral_id)
    message = get_object_or_404(referral.outcome_messages, pk=message_id)
    return render(request, "referrals/outcome_letter.html", {"referral": referral, "message": message})


def self_referral(request: HttpRequest, organisation_slug: str) -> HttpResponse:
    """The public form: no sign-in, a plain-English privacy notice, a honeypot and a rate limit."""
    organisation = organisation_by_slug(organisation_slug)
    form = SelfReferralForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["website"]:
            # Only automated spam fills the hidden field: pretend it worked and store nothing.
            return render(
                request,
                "referrals/self_referral_done.html",
                {"organisation": organisation, "reference": None},
            )
        details = {
            key: data[key]
            for key in (
                "first_name",
                "last_name",
                "phone",
                "email",
                "postcode",
                "preferred_contact_method",
                "preferred_contact_times",
            )
        }
        try:
            referral = services.referral_self_submit(
                organisation=organisation,
                person_details=details,
                needs=data["needs"],
                agreed_to_support=data["agreed_to_support"],
                agreed_to_share_with_gp=data["agreed_to_share_with_gp"],
                ip_address=client_ip(request),
            )
        except DomainError as error:
            add_service_errors(form, error)
            status = error.status if isinstance(error, RateLimited) else 200
            return render(
                request,
                "referrals/self_referral.html",
                {"organisation": organisation, "form": form},
                status=status,
            )
        context = {"organisation": organisation, "reference": referral.reference}
        return render(request, "referrals/self_referral_done.html", context)
    return render(request, "referrals/self_referral.html", {"organisation": organisation, "form": form})
