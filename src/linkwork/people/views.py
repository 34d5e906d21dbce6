"""Web pages for people: the list, intake with duplicate check, the record, consent, and the
volunteer's practical view. Rules live in services and selectors."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from linkwork.accounts.selectors import organisation_get
from linkwork.core.errors import DomainError, EditConflict
from linkwork.core.policies import Action, authorize, visible_to
from linkwork.matching.connection_selectors import connection_may_create, person_connections
from linkwork.matching.selectors import recommendations_for_person
from linkwork.matching.shortlist_selectors import person_shortlist_summary
from linkwork.people import selectors, services
from linkwork.people.forms import ConsentForm, IntakeForm, PersonEditForm
from linkwork.people.models import Person
from linkwork.referrals.selectors import referral_list
from linkwork.referrals.services import referral_create
from linkwork.support.selectors import episode_list_for_person, practical_arrangements
from linkwork.web.conflicts import show_edit_conflict
from linkwork.web.forms import add_service_errors, form_page
from linkwork.web.http import StaffRequest

# Edit pages whose form carries a version, with room to show both versions of a refused edit.
VERSIONED_FORM = "people/versioned_form.html"

# The person's page shows this many recommendations; the recommendations page shows the rest.
PERSON_PAGE_RECOMMENDATIONS = 3


@login_required
def person_list(request: StaffRequest) -> HttpResponse:
    authorize(request.user, Action.CREATE, Person(organisation=request.user.organisation))
    search = request.GET.get("q", "").strip()
    people = selectors.person_list(actor=request.user, search=search)[:100]
    return render(request, "people/person_list.html", {"people": people, "search": search})


@login_required
def people_supported(request: StaffRequest) -> HttpResponse:
    people = selectors.person_list_practical(actor=request.user)
    return render(request, "people/people_supported.html", {"people": people})


@login_required
def intake(request: StaffRequest) -> HttpResponse:
    """A new referral. Likely duplicates are offered for linking before a second record is made."""
    organisation = organisation_get(actor=request.user)
    authorize(request.user, Action.CREATE, Person(organisation=organisation))
    form = IntakeForm(request.POST or None)
    duplicates: list[services.PossibleDuplicate] = []
    if request.method == "POST" and form.is_valid():
        details = form.person_details()
        duplicates = services.person_find_duplicates(
            organisation=organisation,
            details=details,
            candidates=visible_to(request.user, Action.UPDATE, Person),
        )
        match = request.POST.get("match", "")
        if duplicates and not match:
            form.add_duplicate_choice(
                [(str(d.person.pk), f"{d.person} ({', '.join(d.reasons)})") for d in duplicates]
            )
        else:
            try:
                return _create_referral(request, form, organisation, match, details)
            except DomainError as error:
                add_service_errors(form, error)
    return render(request, "people/intake.html", {"form": form, "duplicates": duplicates})


def _create_referral(
    request: StaffRequest, form: IntakeForm, organisation: Any, match: str, details: dict[str, Any]
) -> HttpResponse:
    if match and match != "new":
        person = selectors.person_get(actor=request.user, person_id=int(match), action=Action.UPDATE)
    else:
        person = services.person_create(actor=request.user, organisation=organisation, details=details)
    if form.cleaned_data["consent_to_support"]:
        services.consent_record(
            actor=request.user, person=person, purpose="support", agreed=True, method="verbal"
        )
    referral = referral_create(actor=request.user, person=person, details=form.referral_details())
    messages.success(request, f"Referral {referral.reference} for {person} has been recorded.")
    return redirect("referral_detail", referral_id=referral.pk)


@login_required
def person_detail(request: StaffRequest, person_id: int) -> HttpResponse:
    person = selectors.person_get(actor=request.user, person_id=person_id)
    may_connect = connection_may_create(actor=request.user, person=person)
    context = {
        "person": person,
        "consents": selectors.consent_list(actor=request.user, person=person),
        "referrals": referral_list(actor=request.user).filter(person=person),
        "episodes": episode_list_for_person(actor=request.user, person_id=person.pk),
        "connections": person_connections(actor=request.user, person=person),
        "may_connect": may_connect,
        "shortlist_names": person_shortlist_summary(actor=request.user, person=person),
        # Those who work the person's case see the best few at once, with one-click actions.
        "recommendations": (
            recommendations_for_person(actor=request.user, person=person, limit=PERSON_PAGE_RECOMMENDATIONS)
            if may_connect
            else None
        ),
        "next": request.get_full_path(),
    }
    return render(request, "people/person_detail.html", context)


@login_required
def person_practical(request: StaffRequest, person_id: int) -> HttpResponse:
    """What a volunteer needs: how to reach the person and the arrangements, never notes or measures."""
    person = selectors.person_get(actor=request.user, person_id=person_id, action=Action.VIEW_PRACTICAL)
    arrangements = practical_arrangements(actor=request.user, person=person)
    return render(request, "people/person_practical.html", {"person": person, "arrangements": arrangements})


@login_required
def person_edit(request: StaffRequest, person_id: int) -> HttpResponse:
    person = selectors.person_get(actor=request.user, person_id=person_id, action=Action.UPDATE)
    initial = {name: getattr(person, name) for name in PersonEditForm.base_fields}
    form = PersonEditForm(request.POST or None, initial=initial)
    page = {"title": f"Change {person}'s details", "back_url": reverse("person_detail", args=[person.pk])}

    def save(data: dict[str, Any]) -> HttpResponse:
        try:
            services.person_update(
                actor=request.user,
                person=person,
                details=form.person_details(),
                expected_version=data["version"],
            )
        except EditConflict as conflict:
            rows = show_edit_conflict(form, conflict)
            context = {**page, "form": form, "conflict": conflict, "conflict_rows": rows}
            return render(request, VERSIONED_FORM, context, status=409)
        messages.success(request, f"{person}'s details have been saved.")
        return redirect("person_detail", person_id=person.pk)

    return form_page(request, form, save, template=VERSIONED_FORM, **page)


@login_required
def consent_add(request: StaffRequest, person_id: int) -> HttpResponse:
    person = selectors.person_get(actor=request.user, person_id=person_id, action=Action.UPDATE)
    form = ConsentForm(request.POST or None)

    def save(data: dict[str, Any]) -> HttpResponse:
        services.consent_record(
            actor=request.user,
            person=person,
            purpose=data["purpose"],
            agreed=data["agreed"],
            method=data["method"],
            note=data["note"],
        )
        messages.success(request, "The consent decision has been recorded.")
        return redirect("person_detail", person_id=person.pk)

    back = reverse("person_detail", args=[person.pk])
    return form_page(request, form, save, title="Record consent", caption=str(person), back_url=back)


@login_required
@require_POST
def consent_withdraw(request: StaffRequest, consent_id: int) -> HttpResponse:
    consent = selectors.consent_get(actor=request.user, consent_id=consent_id)
    try:
        services.consent_withdraw(actor=request.user, consent=consent)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Consent withdrawn: {consent.get_purpose_display().lower()}.")
    return redirect("person_detail", person_id=consent.person_id)
