"""Pages for the loneliness summary (to read, print, download and share) and the downloads of the
messages back to the GP and referrer (the letter as a PDF, the FHIR form)."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from linkwork.interop import summary_services as services
from linkwork.interop.messages import letter_pdf
from linkwork.people.choices import ConsentPurpose
from linkwork.people.services import consent_in_force
from linkwork.web.forms import form_page
from linkwork.web.http import StaffRequest

FHIR_JSON = "application/fhir+json"


class ShareForm(forms.Form):
    recipient_kind = forms.ChoiceField(
        label="Who are you sharing with?",
        choices=list(services.RECIPIENT_KINDS.items()),
        widget=forms.RadioSelect,
    )
    recipient_name = forms.CharField(
        label="Their name or their practice's name",
        max_length=services.RECIPIENT_NAME_MAX_LENGTH,
        help_text="For example, Dr Ada Shah, Riverside Surgery",
    )


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@never_cache
@login_required
@require_GET
def summary_page(request: StaffRequest, episode_id: int) -> HttpResponse:
    episode, summary = services.summary_view(actor=request.user, episode_id=episode_id, as_format="html")
    may_share = consent_in_force(episode.person, ConsentPurpose.SHARE_WITH_GP_REFERRER)
    return render(
        request, "interop/summary.html", {"episode": episode, "summary": summary, "may_share": may_share}
    )


@never_cache
@login_required
@require_GET
def summary_pdf(request: StaffRequest, episode_id: int) -> HttpResponse:
    episode, summary = services.summary_view(actor=request.user, episode_id=episode_id, as_format="pdf")
    pdf = services.summary_pdf(episode=episode, summary=summary)
    return _download(pdf, "application/pdf", f"loneliness-summary-{episode.pk}.pdf")


@never_cache
@login_required
def summary_share(request: StaffRequest, episode_id: int) -> HttpResponse:
    episode = services.summary_episode(actor=request.user, episode_id=episode_id)
    referral = episode.referral
    initial = {}
    if referral is not None and referral.referrer_name:
        initial = {"recipient_kind": "referrer", "recipient_name": referral.referrer_name}
    form = ShareForm(request.POST or None, initial=initial)

    def save(data: dict[str, Any]) -> HttpResponse:
        share = services.summary_share(actor=request.user, episode_id=episode.pk, **data)
        messages.success(
            request,
            f"Sharing with {share.recipient_name} has been recorded. Download the PDF and send it to them.",
        )
        return redirect("summary_page", episode_id=episode.pk)

    return form_page(
        request,
        form,
        save,
        title="Share the summary with the GP or referrer",
        caption=str(episode.person),
        back_url=reverse("summary_page", args=[episode.pk]),
        submit_label="Record the share",
        template="interop/summary_share.html",
        may_share=consent_in_force(episode.person, ConsentPurpose.SHARE_WITH_GP_REFERRER),
        first_name=episode.person.first_name,
    )


@never_cache
@login_required
@require_GET
def message_pdf(request: StaffRequest, referral_id: int, message_id: int) -> HttpResponse:
    message = services.message_export(
        actor=request.user, referral_id=referral_id, message_id=message_id, as_format="pdf"
    )
    return _download(
        letter_pdf(message), "application/pdf", f"letter-{message.referral.reference}-{message.pk}.pdf"
    )


@never_cache
@login_required
@require_GET
def message_fhir(request: StaffRequest, referral_id: int, message_id: int) -> HttpResponse:
    message = services.message_export(
        actor=request.user, referral_id=referral_id, message_id=message_id, as_format="fhir"
    )
    content = json.dumps(message.fhir, indent=2).encode()
    return _download(content, FHIR_JSON, f"message-{message.referral.reference}-{message.pk}.fhir.json")


@login_required
@require_POST
def message_acknowledge(request: StaffRequest, referral_id: int) -> HttpResponse:
    try:
        message = services.message_acknowledge(actor=request.user, referral_id=referral_id)
    except services.MessageRefused as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"The letter is ready: {message.subject}.")
    return redirect("referral_detail", referral_id=referral_id)
