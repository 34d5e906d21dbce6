"""Pages where an organisation admin manages webhook endpoints. Rules live in services and selectors."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from linkwork.accounts.selectors import organisation_get
from linkwork.core.errors import DomainError
from linkwork.core.policies import Action, authorize
from linkwork.web.forms import add_service_errors
from linkwork.web.http import StaffRequest
from linkwork.webhooks import selectors, services
from linkwork.webhooks.delivery import DISABLE_AFTER_GIVEN_UP, MAX_ATTEMPTS
from linkwork.webhooks.forms import EndpointForm
from linkwork.webhooks.models import WebhookEndpoint

DELIVERIES_SHOWN = 50


def _authorize_manage(request: StaffRequest) -> None:
    organisation = organisation_get(actor=request.user)
    authorize(request.user, Action.CREATE, WebhookEndpoint(organisation=organisation))


@login_required
def webhook_list(request: StaffRequest) -> HttpResponse:
    _authorize_manage(request)
    endpoints = list(selectors.endpoint_list(actor=request.user))
    context = {
        "endpoints": endpoints,
        "switched_off": [endpoint for endpoint in endpoints if endpoint.auto_disabled],
        "failing": [endpoint for endpoint in endpoints if endpoint.active and endpoint.consecutive_failures],
        "disable_after": DISABLE_AFTER_GIVEN_UP,
    }
    return render(request, "webhooks/webhook_list.html", context)


@login_required
def webhook_create(request: StaffRequest) -> HttpResponse:
    organisation = organisation_get(actor=request.user)
    authorize(request.user, Action.CREATE, WebhookEndpoint(organisation=organisation))
    form = EndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            endpoint, secret = services.endpoint_create(
                actor=request.user,
                organisation=organisation,
                url=data["url"],
                events=data["events"],
                description=data["description"],
            )
        except DomainError as error:
            add_service_errors(form, error)
        else:
            # Rendered, not redirected: the secret is shown this once and never stored in a session.
            return render(request, "webhooks/webhook_secret.html", {"endpoint": endpoint, "secret": secret})
    return render(request, "webhooks/webhook_form.html", {"form": form})


@login_required
def webhook_detail(request: StaffRequest, webhook_id: int) -> HttpResponse:
    endpoint = selectors.endpoint_get(actor=request.user, webhook_id=webhook_id)
    deliveries = selectors.delivery_list(endpoint=endpoint)[:DELIVERIES_SHOWN]
    context = {
        "endpoint": endpoint,
        "deliveries": deliveries,
        "shown": DELIVERIES_SHOWN,
        "max_attempts": MAX_ATTEMPTS,
        "disable_after": DISABLE_AFTER_GIVEN_UP,
    }
    return render(request, "webhooks/webhook_detail.html", context)


def _set_active(request: StaffRequest, webhook_id: int, *, active: bool) -> HttpResponse:
    endpoint = selectors.endpoint_get(actor=request.user, webhook_id=webhook_id, action=Action.UPDATE)
    services.endpoint_set_active(actor=request.user, endpoint=endpoint, active=active)
    if active:
        messages.success(request, "The endpoint is on again. Events held while it was off are being sent.")
    else:
        messages.success(request, "The endpoint is paused. Events are held until you resume it.")
    return redirect("webhook_detail", webhook_id=endpoint.pk)


@login_required
@require_POST
def webhook_pause(request: StaffRequest, webhook_id: int) -> HttpResponse:
    return _set_active(request, webhook_id, active=False)


@login_required
@require_POST
def webhook_resume(request: StaffRequest, webhook_id: int) -> HttpResponse:
    return _set_active(request, webhook_id, active=True)


@login_required
@require_POST
def webhook_rotate_secret(request: StaffRequest, webhook_id: int) -> HttpResponse:
    endpoint = selectors.endpoint_get(actor=request.user, webhook_id=webhook_id, action=Action.UPDATE)
    secret = services.endpoint_rotate_secret(actor=request.user, endpoint=endpoint)
    context = {"endpoint": endpoint, "secret": secret, "rotated": True}
    return render(request, "webhooks/webhook_secret.html", context)


@login_required
@require_POST
def webhook_send_test(request: StaffRequest, webhook_id: int) -> HttpResponse:
    endpoint = selectors.endpoint_get(actor=request.user, webhook_id=webhook_id, action=Action.UPDATE)
    try:
        services.endpoint_send_test(actor=request.user, endpoint=endpoint)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "A test event is on its way. Its result appears in the log below.")
    return redirect("webhook_detail", webhook_id=endpoint.pk)


@login_required
def webhook_delete(request: StaffRequest, webhook_id: int) -> HttpResponse:
    endpoint = selectors.endpoint_get(actor=request.user, webhook_id=webhook_id, action=Action.DELETE)
    if request.method == "POST":
        services.endpoint_delete(actor=request.user, endpoint=endpoint)
        messages.success(request, f"The endpoint {endpoint.url} has been removed. It gets no more events.")
        return redirect("webhook_list")
    return render(request, "webhooks/webhook_delete.html", {"endpoint": endpoint})


@login_required
@require_POST
def delivery_retry(request: StaffRequest, webhook_id: int, delivery_id: int) -> HttpResponse:
    delivery = selectors.delivery_get(actor=request.user, webhook_id=webhook_id, delivery_id=delivery_id)
    try:
        services.delivery_retry_now(actor=request.user, delivery=delivery)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "The delivery is being tried again now.")
    return redirect("webhook_detail", webhook_id=webhook_id)
