"""Web pages for shortlists: add from the results or the person page, the staff page (notes, order,
remove, links), the printable page, making a private link, and the person's page behind that link."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from linkwork.core.errors import DomainError, ValidationFailed
from linkwork.core.time import local_today, to_london
from linkwork.directory.words import long_date
from linkwork.matching import shortlist_selectors as selectors
from linkwork.matching import shortlists as services
from linkwork.matching.models import NOTE_MAX_LENGTH
from linkwork.web.http import StaffRequest

ITEM_ACTIONS = ("remove", "up", "down", "note")


def _next_or(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _item_id(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("item_id", ""))
    except ValueError:
        raise ValidationFailed("Choose an activity on the shortlist.") from None


@login_required
@require_POST
def shortlist_add(request: StaffRequest, person_id: int) -> HttpResponse:
    person = selectors.shortlist_person_get(actor=request.user, person_id=person_id)
    detail = reverse("shortlist_detail", args=[person.pk])
    try:
        item = services.shortlist_add(
            actor=request.user,
            person=person,
            service_id=request.POST.get("service_id", ""),
            note=request.POST.get("note", ""),
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"“{item.service.name}” is on {person.first_name}'s shortlist.")
    return redirect(_next_or(request, detail))


def _item_action(request: StaffRequest, person_id: int) -> None:
    person = selectors.shortlist_person_get(actor=request.user, person_id=person_id)
    shortlist = selectors.shortlist_get(actor=request.user, person=person, audit=False)
    if shortlist is None:
        raise ValidationFailed("There is no shortlist yet.")
    action = request.POST.get("action", "")
    if action == "revoke":
        try:
            link_id = int(request.POST.get("link_id", ""))
        except ValueError:
            raise ValidationFailed("Choose a link.") from None
        link = selectors.shortlist_link_get(actor=request.user, shortlist=shortlist, link_id=link_id)
        services.shortlist_link_revoke(actor=request.user, link=link)
        messages.success(request, "The link has been withdrawn. It no longer opens the shortlist.")
        return
    if action not in ITEM_ACTIONS:
        raise ValidationFailed("Choose what to do.")
    item = selectors.shortlist_item_get(actor=request.user, shortlist=shortlist, item_id=_item_id(request))
    if action == "remove":
        services.shortlist_item_remove(actor=request.user, item=item)
        messages.success(request, f"“{item.service.name}” has been taken off the shortlist.")
    elif action == "note":
        services.shortlist_item_note(actor=request.user, item=item, note=request.POST.get("note", ""))
        messages.success(request, f"The note for “{item.service.name}” has been saved.")
    else:
        services.shortlist_item_move(actor=request.user, item=item, direction=action)


@login_required
@require_http_methods(["GET", "POST"])
def shortlist_detail(request: StaffRequest, person_id: int) -> HttpResponse:
    if request.method == "POST":
        try:
            _item_action(request, person_id)
        except ValidationFailed as error:
            messages.error(request, next(iter(error.fields.values()), error.message))
        return redirect("shortlist_detail", person_id=person_id)
    person = selectors.shortlist_person_get(actor=request.user, person_id=person_id)
    shortlist = selectors.shortlist_get(actor=request.user, person=person)
    context = {
        "person": person,
        "shortlist": shortlist,
        "activities": selectors.activities(shortlist, local_today(), public_only=False) if shortlist else [],
        "links": list(selectors.shortlist_links(actor=request.user, shortlist=shortlist))
        if shortlist
        else [],
        "district": selectors.person_district(person),
        "note_max": NOTE_MAX_LENGTH,
        "link_days": services.link_days_default(),
        "journey_note": selectors.JOURNEY_NOTE,
    }
    return render(request, "matching/shortlists/detail.html", context)


@login_required
@require_GET
def shortlist_print(request: StaffRequest, person_id: int) -> HttpResponse:
    """The page to print and hand over: what the private link shows, on paper."""
    person = selectors.shortlist_person_get(actor=request.user, person_id=person_id)
    shortlist = selectors.shortlist_get(actor=request.user, person=person, via="print")
    context = {
        "person": person,
        "first_name": person.first_name,
        "district": selectors.person_district(person),
        "activities": selectors.activities(shortlist, local_today(), public_only=True) if shortlist else [],
        "organisation_name": request.user.organisation.name if request.user.organisation else "",
        "journey_note": selectors.JOURNEY_NOTE,
    }
    return render(request, "matching/shortlists/print.html", context)


@login_required
@require_POST
def shortlist_link(request: StaffRequest, person_id: int) -> HttpResponse:
    person = selectors.shortlist_person_get(actor=request.user, person_id=person_id)
    shortlist = selectors.shortlist_get(actor=request.user, person=person, audit=False)
    if shortlist is None:
        messages.error(request, "Add an activity to the shortlist before making a link.")
        return redirect("shortlist_detail", person_id=person.pk)
    days_text = request.POST.get("days", "").strip()
    try:
        days = int(days_text) if days_text else None
        link, raw = services.shortlist_link_create(actor=request.user, shortlist=shortlist, days=days)
    except ValueError:
        messages.error(request, services.DAYS_RANGE)
        return redirect("shortlist_detail", person_id=person.pk)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("shortlist_detail", person_id=person.pk)
    context = {
        "person": person,
        "link": request.build_absolute_uri(reverse("shortlist_public", args=[raw])),
        "expires_on": long_date(to_london(link.expires_at).date()),
    }
    response = render(request, "matching/shortlists/link_made.html", context)
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def shortlist_public(request: HttpRequest, token: str) -> HttpResponse:
    """The person's own page: no sign-in, first name only, no full postcode; expires and can be withdrawn."""
    shown = selectors.public_shortlist(token, local_today())
    response = render(
        request,
        "matching/shortlists/public.html",
        {"shortlist": shown, "journey_note": selectors.JOURNEY_NOTE},
    )
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response
