"""Staff pages for the directory: search with editorial fields, an entry's editorial page with its
lifecycle actions, problem reports and claims, editing, and the directory editors' work queue.

Every member of staff may search and read public entries. Directory editors see their own
organisation's drafts, submissions, rejections and archive, and change, check and approve those
entries. Pages for changes answer 403 to staff who are not editors of the entry's organisation, and
404 for entries they cannot see at all.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from linkwork.core.errors import DomainError
from linkwork.core.policies import Action, authorize, can
from linkwork.core.time import local_today
from linkwork.directory import editing, page_selectors, recurrence, selectors, services
from linkwork.directory.forms import (
    CheckForm,
    ClaimDecisionForm,
    ClosureForm,
    EmptyForm,
    EntryForm,
    LocationForm,
    ProblemCloseForm,
    RejectForm,
    ScheduleForm,
    StaffSearchForm,
)
from linkwork.directory.lifecycle import ENTRY_LIFECYCLE
from linkwork.directory.models import Service
from linkwork.directory.public_views import (
    POSTCODE_ATTRIBUTION,
    category_choices,
    entry_context,
    locations,
    page_number,
    pagination,
    posted,
    query_from,
    result_rows,
    when_words,
)
from linkwork.directory.words import recurrences
from linkwork.web.conflicts import show_edit_conflict
from linkwork.web.forms import add_service_errors, form_page
from linkwork.web.http import StaffRequest

FORM_TEMPLATE = "directory/manage/form.html"


def _entry_url(service: Service) -> str:
    return reverse("directory_manage_entry", args=[service.pk])


def _is_editor(request: StaffRequest) -> bool:
    return can(request.user, Action.CREATE, Service)


def _editable(request: StaffRequest, service_id: uuid.UUID) -> Service:
    """An entry the user may change: 404 if they cannot see it, 403 (audited) if they may only read it."""
    service = page_selectors.staff_entry_get(actor=request.user, service_id=service_id)
    authorize(request.user, Action.UPDATE, service)
    return service


def _with_fields(error: DomainError, names: dict[str, str]) -> DomainError:
    """The error with its field names translated to the form's (HSDS names to the simple form's)."""
    fields: dict[str, str] = {}
    for name, message in error.fields.items():
        fields.setdefault(names.get(name, name), message)
    return DomainError(error.message, fields=fields)


# --- Search --------------------------------------------------------------------------------------------


@login_required
@require_GET
def manage_search(request: StaffRequest) -> HttpResponse:
    editor = _is_editor(request)
    form = StaffSearchForm(request.GET or None, categories=category_choices(), editor=editor)
    page = page_number(request)
    results = None
    if not form.is_bound or form.is_valid():
        data: dict[str, Any] = form.cleaned_data if form.is_bound else {}
        extra: dict[str, Any] = {}
        if data.get("state"):
            extra["states"] = (data["state"],)
        if data.get("ours"):
            extra["owner_id"] = request.user.organisation_id
        try:
            results = selectors.services_for_staff(request.user, query_from(data, page, **extra))
        except DomainError as error:
            add_service_errors(form, error)
    rows = []
    if results is not None:
        entries = page_selectors.staff_entries_by_ids(
            actor=request.user, ids=[hit.service_id for hit in results.hits]
        )
        rows = result_rows(results, entries, local_today())
    context = {
        "form": form,
        "results": results,
        "rows": rows,
        "pagination": pagination(request, page, results.total_pages) if results else None,
        "postcode": form.cleaned_data.get("postcode", "") if form.is_bound and not form.errors else "",
        "editor": editor,
        "editor_filters": editor,
        "staff": True,
        "attribution": POSTCODE_ATTRIBUTION,
        "more_filters_open": bool(
            request.GET.get("category") or request.GET.get("day") or request.GET.getlist("only")
        ),
    }
    return render(request, "directory/manage/search.html", context)


# --- The work queue ---------------------------------------------------------------------------------------


@login_required
@require_GET
def work_queue(request: StaffRequest) -> HttpResponse:
    authorize(request.user, Action.CREATE, Service)
    queue = selectors.work_queue(request.user)
    return render(request, "directory/manage/work_queue.html", {"queue": queue})


# --- An entry --------------------------------------------------------------------------------------------

EDITORIAL_ACTIONS = {
    # action: (title, button, form, success message)
    "submit": ("Send for approval", "Send for approval", EmptyForm, "The entry is waiting for approval."),
    "publish": ("Check and publish", "Publish", CheckForm, "The entry is published."),
    "reject": ("Reject the submission", "Reject", RejectForm, "The submission is rejected."),
    "verify": (
        "Record a check",
        "Record the check",
        CheckForm,
        "The check is recorded; the entry is up to date.",
    ),
    "archive": (
        "Archive the entry",
        "Archive",
        EmptyForm,
        "The entry is archived. The public can no longer see it.",
    ),
    "reopen": ("Reopen as a draft", "Reopen", EmptyForm, "The entry is a draft again."),
}


@login_required
@require_GET
def manage_entry(request: StaffRequest, service_id: uuid.UUID) -> HttpResponse:
    service = page_selectors.staff_entry_get(actor=request.user, service_id=service_id)
    may_edit = can(request.user, Action.UPDATE, service)
    today = local_today()
    actions = []
    if may_edit:
        actions = [
            (action, EDITORIAL_ACTIONS[action][0], EDITORIAL_ACTIONS[action][2] is EmptyForm)
            for action in ENTRY_LIFECYCLE.allowed_actions(service.state)
            if action in EDITORIAL_ACTIONS
        ]
    schedules = [
        (schedule, recurrence.describe(rule, today))
        for schedule, rule in zip(service.schedules.all(), recurrences(service), strict=True)
    ]
    context = entry_context(service, today) | {
        "may_edit": may_edit,
        # Suggesters' and provider contacts' details are for the owner's editors (who alone may edit).
        "own_entry": may_edit,
        "actions": actions,
        "schedules": schedules,
        "closure_rows": list(service.closures.all()),
        "verifications": page_selectors.entry_verifications(actor=request.user, service=service),
        "problems": page_selectors.entry_problem_reports(actor=request.user, service=service),
        "claims": page_selectors.entry_claims(actor=request.user, service=service),
        "is_public": service.is_public,
    }
    return render(request, "directory/manage/entry.html", context)


@login_required
def manage_action(request: StaffRequest, service_id: uuid.UUID, action: str) -> HttpResponse:
    if action not in EDITORIAL_ACTIONS:
        raise Http404
    service = _editable(request, service_id)
    title, button, form_class, done = EDITORIAL_ACTIONS[action]
    form: forms.Form = form_class(posted(request))

    def act(data: dict[str, Any]) -> HttpResponse:
        if action == "submit":
            services.entry_submit(actor=request.user, service=service)
        elif action == "publish":
            services.entry_publish(
                actor=request.user, service=service, method=data["method"], note=data["note"]
            )
        elif action == "reject":
            services.entry_reject(actor=request.user, service=service, reason=data["reason"])
        elif action == "verify":
            services.entry_verify(
                actor=request.user, service=service, method=data["method"], note=data["note"]
            )
        elif action == "archive":
            services.entry_archive(actor=request.user, service=service)
        else:
            services.entry_reopen(actor=request.user, service=service)
        messages.success(request, done)
        return redirect(_entry_url(service))

    return form_page(
        request,
        form,
        act,
        title=title,
        caption=service.name,
        submit_label=button,
        back_url=_entry_url(service),
        template=FORM_TEMPLATE,
    )


@login_required
def manage_new(request: StaffRequest) -> HttpResponse:
    authorize(request.user, Action.CREATE, Service)
    owner = request.user.organisation
    assert owner is not None  # authorize refuses staff without an organisation
    form = EntryForm(posted(request), initial={"status": "active"})
    if request.method == "POST" and form.is_valid():
        try:
            service = editing.service_create(actor=request.user, owner=owner, details=form.details())
        except DomainError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The entry is saved as a draft. Add where and when it happens.")
            return redirect(_entry_url(service))
    return render(
        request, "directory/manage/edit.html", {"form": form, "title": "Add an entry", "service": None}
    )


@login_required
def manage_edit(request: StaffRequest, service_id: uuid.UUID) -> HttpResponse:
    service = _editable(request, service_id)
    form = EntryForm(posted(request), initial=EntryForm.initial_for(service))
    if request.method == "POST" and form.is_valid():
        try:
            editing.service_update(
                actor=request.user,
                service=service,
                details=form.details(),
                expected_version=form.cleaned_data.get("version"),
            )
        except editing.EditConflict as conflict:
            # Keep what they typed, but from the version as it is now: saving again is a choice.
            conflict_rows = show_edit_conflict(form, conflict)
            context = {"form": form, "title": "Change the entry", "service": service, "conflict": conflict}
            context["conflict_rows"] = conflict_rows
            return render(request, "directory/manage/edit.html", context, status=409)
        except DomainError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Your changes are saved.")
            return redirect(_entry_url(service))
    context = {"form": form, "title": "Change the entry", "service": service}
    return render(request, "directory/manage/edit.html", context)


def _location_initial(service: Service) -> dict[str, Any]:
    initial: dict[str, Any] = {"version": service.version}
    location = next(iter(locations(service)), None)
    if location is not None:
        initial |= {"name": location.name, "transportation": location.transportation}
        address = next(iter(location.addresses.all()), None)
        if address is not None:
            initial |= {
                name: getattr(address, name) for name in ("address_1", "address_2", "city", "postal_code")
            }
    return initial


@login_required
def manage_location(request: StaffRequest, service_id: uuid.UUID) -> HttpResponse:
    service = _editable(request, service_id)
    form = LocationForm(posted(request), initial=_location_initial(service))

    def save(data: dict[str, Any]) -> HttpResponse:
        version = data.pop("version", None)
        editing.service_location_set(
            actor=request.user, service=service, details=data, expected_version=version
        )
        messages.success(request, "The address is saved.")
        return redirect(_entry_url(service))

    return form_page(
        request,
        form,
        save,
        title="Where it happens",
        caption=service.name,
        back_url=_entry_url(service),
        template=FORM_TEMPLATE,
    )


@login_required
def manage_schedule_add(request: StaffRequest, service_id: uuid.UUID) -> HttpResponse:
    service = _editable(request, service_id)
    form = ScheduleForm(posted(request))

    def save(data: dict[str, Any]) -> HttpResponse:
        try:
            editing.schedule_add(actor=request.user, service=service, details=form.schedule())
        except DomainError as error:
            raise _with_fields(error, ScheduleForm.FIELD_FOR_PROBLEM) from error
        messages.success(request, "The session time is added.")
        return redirect(_entry_url(service))

    return form_page(
        request,
        form,
        save,
        title="Add a session time",
        caption=service.name,
        intro="Add one line for each different time. For two sessions on one day, add two.",
        submit_label="Add",
        back_url=_entry_url(service),
        template=FORM_TEMPLATE,
    )


@login_required
@require_POST
def manage_schedule_remove(
    request: StaffRequest, service_id: uuid.UUID, schedule_id: uuid.UUID
) -> HttpResponse:
    service = _editable(request, service_id)
    editing.schedule_remove(actor=request.user, service=service, schedule_id=schedule_id)
    messages.success(request, "The session time is removed.")
    return redirect(_entry_url(service))


@login_required
def manage_closure_add(request: StaffRequest, service_id: uuid.UUID) -> HttpResponse:
    service = _editable(request, service_id)
    form = ClosureForm(posted(request))

    def save(data: dict[str, Any]) -> HttpResponse:
        editing.closure_add(actor=request.user, service=service, **data)
        messages.success(request, "The closure is added. Sessions in it are no longer shown.")
        return redirect(_entry_url(service))

    return form_page(
        request,
        form,
        save,
        title="Add a closure",
        caption=service.name,
        intro="A time the service does not run, such as school holidays.",
        submit_label="Add",
        back_url=_entry_url(service),
        template=FORM_TEMPLATE,
    )


@login_required
@require_POST
def manage_closure_remove(request: StaffRequest, service_id: uuid.UUID, closure_id: int) -> HttpResponse:
    service = _editable(request, service_id)
    editing.closure_remove(actor=request.user, service=service, closure_id=closure_id)
    messages.success(request, "The closure is removed.")
    return redirect(_entry_url(service))


# --- Problem reports and claims ---------------------------------------------------------------------------


@login_required
def manage_problem(request: StaffRequest, report_id: int) -> HttpResponse:
    report = page_selectors.problem_report_get(actor=request.user, report_id=report_id)
    form = ProblemCloseForm(posted(request))

    def close(data: dict[str, Any]) -> HttpResponse:
        resolved = data["outcome"] == "resolved"
        services.problem_close(actor=request.user, report=report, resolved=resolved, note=data["note"])
        messages.success(request, "The report is resolved." if resolved else "The report is dismissed.")
        return redirect(_entry_url(report.service))

    rows = [
        ("What is wrong", report.get_kind_display()),
        ("Details", report.details or "None given"),
        ("Reported", when_words(report.reported_at)),
        ("From", report.reporter_name or "Not given"),
        ("E-mail", report.reporter_email or "Not given"),
        ("Status", report.get_status_display()),
    ]
    if report.resolution_note:
        rows.append(("What was done", report.resolution_note))
    return form_page(
        request,
        form,
        close,
        title="Problem report",
        caption=report.service.name,
        submit_label="Close the report",
        back_url=_entry_url(report.service),
        template=FORM_TEMPLATE,
        rows=rows,
        hide_form=report.status != "open",
    )


@login_required
def manage_claim(request: StaffRequest, claim_id: int) -> HttpResponse:
    claim = page_selectors.claim_get(actor=request.user, claim_id=claim_id)
    form = ClaimDecisionForm(posted(request))

    def decide(data: dict[str, Any]) -> HttpResponse:
        approve = data["decision"] == "approve"
        services.claim_decide(actor=request.user, claim=claim, approve=approve, reason=data["reason"])
        messages.success(request, "The claim is approved." if approve else "The claim is rejected.")
        return redirect(_entry_url(claim.service))

    cleared = "Cleared after the decision"
    rows = [
        ("Name", claim.claimant_name or cleared),
        ("Role", claim.claimant_role),
        ("E-mail", claim.claimant_email or cleared),
        ("Phone", claim.claimant_phone or "Not given"),
        ("How to check", claim.evidence or "Not given"),
        ("Claimed", when_words(claim.claimed_at)),
        ("Status", claim.get_status_display()),
    ]
    if claim.reason:
        rows.append(("Reason", claim.reason))
    return form_page(
        request,
        form,
        decide,
        title="Claim on the listing",
        caption=claim.service.name,
        submit_label="Save decision",
        back_url=_entry_url(claim.service),
        template=FORM_TEMPLATE,
        rows=rows,
        hide_form=claim.status != "pending",
    )
