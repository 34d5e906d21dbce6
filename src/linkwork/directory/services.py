"""Editorial work on directory entries: the lifecycle, checks, public suggestions, problem reports
and claims. Each function is authorised, atomic and audited; public ones are rate limited instead.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.db.models import Q

from linkwork.accounts.models import Organisation, User
from linkwork.audit.services import audit_record
from linkwork.core.errors import RateLimited, ValidationFailed
from linkwork.core.http import origin_fingerprint
from linkwork.core.policies import Action, Operator, authorize
from linkwork.core.time import local_today, now
from linkwork.directory.lifecycle import ENTRY_LIFECYCLE
from linkwork.directory.models import (
    ClaimStatus,
    EntryState,
    ListingClaim,
    Organization,
    Phone,
    ProblemKind,
    ProblemReport,
    Service,
    TaskStatus,
    Verification,
    VerificationMethod,
)

Actor = User | Operator

PUBLIC_SUBMISSIONS_PER_HOUR = 5
# Who a public suggestion is recorded by (never the suggester's name: staff of every organisation
# read an entry's provenance).
SUGGESTION_RECORDED_BY = "public suggestion"
PUBLIC_LIMIT_MESSAGE = "Too many forms have been sent from this connection. Please try again in an hour."


def actor_name(actor: Actor) -> str:
    return actor.get_username() if isinstance(actor, Operator) else (actor.get_full_name() or actor.username)


def review_due_after(verified_on: dt.date) -> dt.date:
    return verified_on + dt.timedelta(days=settings.LINKWORK_DIRECTORY_REVIEW_DAYS)


def live_state_on(review_due_on: dt.date | None, today: dt.date) -> str:
    """The state a live entry with this review date has on `today`, by the daily sweep's rules.

    Published until its review date, review due from that day, and stale once it has been due for
    LINKWORK_DIRECTORY_STALE_AFTER_DAYS. An entry without a review date stays published.
    """
    if review_due_on is None or review_due_on > today:
        return EntryState.PUBLISHED
    if review_due_on <= today - dt.timedelta(days=settings.LINKWORK_DIRECTORY_STALE_AFTER_DAYS):
        return EntryState.STALE
    return EntryState.REVIEW_DUE


def _locked(service: Service) -> Service:
    """The entry's row as it is now, locked until the transaction ends.

    A lifecycle move is computed from this, never from the caller's copy, so two moves at once (a
    publish and a reject of one submission, say) cannot both succeed: the second waits for the first
    and then finds the entry in its new state.
    """
    return Service.objects.select_for_update().get(pk=service.pk)


def _move(service: Service, action: str) -> str:
    """Apply a lifecycle action to `service` (a locked row) in memory; returns the state it left."""
    before = service.state
    service.state = ENTRY_LIFECYCLE.target(service.state, action)
    service.state_changed_at = now()
    service.version += 1
    return before


def _save_transition(actor: Actor | None, service: Service, before: str, extra_fields: list[str]) -> None:
    service.save(update_fields=["state", "state_changed_at", "version", "updated_at", *extra_fields])
    audit_record(
        actor=actor,
        event="directory_service.transitioned",
        target=service,
        fields=["state", *extra_fields],
        values={"state": [before, service.state]},
        organisation_id=service.owner_id,
    )


def _record_verification(actor: Actor, service: Service, method: str, note: str) -> Verification:
    if method not in VerificationMethod.values:
        raise ValidationFailed(
            "Choose how the entry was checked.", fields={"method": "Choose how it was checked."}
        )
    moment = now()
    service.last_verified_at = moment
    service.last_verified_by = actor if isinstance(actor, User) else None
    service.verification_method = method
    service.review_due_on = review_due_after(local_today())
    service.assured_date = local_today()
    return Verification.objects.create(
        service=service,
        verified_at=moment,
        verified_by=actor if isinstance(actor, User) else None,
        verified_by_name=actor_name(actor),
        method=method,
        note=note.strip(),
    )


VERIFIED_FIELDS = [
    "last_verified_at",
    "last_verified_by",
    "verification_method",
    "review_due_on",
    "assured_date",
]


def entry_submit(*, actor: Actor, service: Service) -> Service:
    authorize(actor, Action.UPDATE, service)
    with transaction.atomic():
        current = _locked(service)
        before = _move(current, "submit")
        _save_transition(actor, current, before, [])
    return current


def entry_publish(*, actor: Actor, service: Service, method: str, note: str = "") -> Service:
    """Approve an entry: an editor has checked it (by phone, visit, e-mail or with the provider)."""
    authorize(actor, Action.APPROVE, service)
    with transaction.atomic():
        current = _locked(service)
        before = _move(current, "publish")
        current.rejection_reason = ""
        _record_verification(actor, current, method, note)
        _save_transition(actor, current, before, ["rejection_reason", *VERIFIED_FIELDS])
    return current


def entry_reject(*, actor: Actor, service: Service, reason: str) -> Service:
    authorize(actor, Action.APPROVE, service)
    reason = reason.strip()
    if not reason:
        message = "Say why the submission is rejected; the reason is kept with it."
        raise ValidationFailed(message, fields={"reason": message})
    with transaction.atomic():
        current = _locked(service)
        before = _move(current, "reject")
        current.rejection_reason = reason
        _save_transition(actor, current, before, ["rejection_reason"])
    return current


def entry_verify(*, actor: Actor, service: Service, method: str, note: str = "") -> Verification:
    """Record that a live entry was checked and is still right; it is published again."""
    authorize(actor, Action.UPDATE, service)
    with transaction.atomic():
        current = _locked(service)
        before = _move(current, "verify")
        verification = _record_verification(actor, current, method, note)
        _save_transition(actor, current, before, VERIFIED_FIELDS)
        audit_record(
            actor=actor,
            event="directory_service.verified",
            target=current,
            fields=VERIFIED_FIELDS,
            detail={"method": method},
            organisation_id=current.owner_id,
        )
    return verification


def entry_archive(*, actor: Actor, service: Service) -> Service:
    authorize(actor, Action.UPDATE, service)
    with transaction.atomic():
        current = _locked(service)
        before = _move(current, "archive")
        _save_transition(actor, current, before, [])
    return current


def entry_reopen(*, actor: Actor, service: Service) -> Service:
    authorize(actor, Action.UPDATE, service)
    with transaction.atomic():
        current = _locked(service)
        before = _move(current, "reopen")
        _save_transition(actor, current, before, [])
    return current


@dataclass(frozen=True)
class SweepResult:
    review_due: int
    stale: int


SWEEP_CHUNK = 500
# The lifecycle actions that take a live entry from one state to another as its review date ages.
SWEEP_STEPS: dict[tuple[str, str], tuple[str, ...]] = {
    (EntryState.PUBLISHED, EntryState.REVIEW_DUE): ("mark_review_due",),
    (EntryState.PUBLISHED, EntryState.STALE): ("mark_review_due", "mark_stale"),
    (EntryState.REVIEW_DUE, EntryState.STALE): ("mark_stale",),
}


def _sweep_one(actor: Operator, service: Service, today: dt.date) -> str | None:
    """Move one locked entry as far as its review date says; the state it reached, or None."""
    before = service.state
    steps = SWEEP_STEPS.get((before, live_state_on(service.review_due_on, today)), ())
    if not steps:
        return None
    for action in steps:
        service.state = ENTRY_LIFECYCLE.target(service.state, action)
    service.state_changed_at = now()
    service.version += 1
    _save_transition(actor, service, before, [])
    return service.state


def entries_sweep(*, actor: Operator, today: dt.date | None = None) -> SweepResult:
    """Move published entries past their review date to review due, and long-unchecked ones to stale.

    Run daily (`linkwork daily`). Each entry moves through the lifecycle table on its locked row, its
    version goes up and the move is audited (`directory_service.transitioned`, before and after); an
    entry long overdue goes from published to stale in one run. One `directory_service.review_sweep`
    entry sums the run up. Entries are handled a chunk at a time, each chunk in its own transaction.
    """
    today = today or local_today()
    stale_cutoff = today - dt.timedelta(days=settings.LINKWORK_DIRECTORY_STALE_AFTER_DAYS)
    candidates = Q(state=EntryState.PUBLISHED, review_due_on__lte=today) | Q(
        state=EntryState.REVIEW_DUE, review_due_on__lte=stale_cutoff
    )
    ids = list(Service.objects.filter(candidates).order_by("pk").values_list("pk", flat=True))
    counts: dict[str, int] = {EntryState.REVIEW_DUE: 0, EntryState.STALE: 0}
    for offset in range(0, len(ids), SWEEP_CHUNK):
        with transaction.atomic():
            chunk = Service.objects.select_for_update().filter(pk__in=ids[offset : offset + SWEEP_CHUNK])
            for service in chunk.order_by("pk"):
                reached = _sweep_one(actor, service, today)
                if reached is not None:
                    counts[reached] += 1
    result = SweepResult(review_due=counts[EntryState.REVIEW_DUE], stale=counts[EntryState.STALE])
    if result.review_due or result.stale:
        audit_record(
            actor=actor,
            event="directory_service.review_sweep",
            target=Service,
            detail={"review_due": result.review_due, "stale": result.stale, "today": today.isoformat()},
        )
    return result


# --- The public's part ------------------------------------------------------------------------


def _clean_text(details: dict[str, Any], name: str, limit: int) -> str:
    return str(details.get(name) or "").strip()[:limit]


def _check_email(value: str, field: str, errors: dict[str, str], required: bool) -> None:
    if not value:
        if required:
            errors[field] = "Enter an e-mail address so we can reply."
        return
    try:
        validate_email(value)
    except DjangoValidationError:
        errors[field] = "Enter an e-mail address in the right format, like name@example.com."


def _limit_public(model: type[Service] | type[ProblemReport] | type[ListingClaim], origin: str) -> None:
    time_field = {Service: "created_at", ProblemReport: "reported_at", ListingClaim: "claimed_at"}[model]
    recent = model.objects.filter(
        submitted_from=origin, **{f"{time_field}__gte": now() - dt.timedelta(hours=1)}
    )
    if recent.count() >= PUBLIC_SUBMISSIONS_PER_HOUR:
        raise RateLimited(PUBLIC_LIMIT_MESSAGE)


def web_address(value: str, errors: dict[str, str]) -> str:
    """A website as typed, with https:// added if it has no scheme; only http and https are taken."""
    if not value:
        return ""
    if "://" not in value:
        value = f"https://{value}"
    try:
        URLValidator(schemes=["http", "https"])(value)
    except DjangoValidationError:
        errors["url"] = "Enter a web address like https://example.org."
    return value


def suggestions_owner() -> Organisation:
    """The organisation whose editors receive public suggestions (LINKWORK_DIRECTORY_OWNER)."""
    slug = settings.LINKWORK_DIRECTORY_OWNER
    owners = Organisation.objects.order_by("pk")
    owner = owners.filter(slug=slug).first() if slug else owners.first()
    if owner is None:
        raise ValidationFailed("This directory is not taking suggestions yet.")
    return owner


def service_suggest(*, details: dict[str, Any], ip_address: str) -> Service:
    """A community organisation suggests a service. It waits for an editor; it is never published here."""
    cleaned = {
        "name": _clean_text(details, "name", 200),
        "description": _clean_text(details, "description", 4000),
        "organization_name": _clean_text(details, "organization_name", 200),
        "url": _clean_text(details, "url", 500),
        "email": _clean_text(details, "email", 254),
        "phone": _clean_text(details, "phone", 40),
        "when": _clean_text(details, "when", 500),
        "where": _clean_text(details, "where", 500),
        "submitted_by_name": _clean_text(details, "submitted_by_name", 150),
        "submitted_by_email": _clean_text(details, "submitted_by_email", 254),
    }
    errors: dict[str, str] = {}
    if not cleaned["name"]:
        errors["name"] = "Enter the name of the service or activity."
    if not cleaned["description"]:
        errors["description"] = "Say what happens there and who it is for."
    if not cleaned["organization_name"]:
        errors["organization_name"] = "Enter the name of the group or organisation that runs it."
    if not cleaned["submitted_by_name"]:
        errors["submitted_by_name"] = "Enter your name."
    _check_email(cleaned["submitted_by_email"], "submitted_by_email", errors, required=True)
    _check_email(cleaned["email"], "email", errors, required=False)
    cleaned["url"] = web_address(cleaned["url"], errors)
    if errors:
        raise ValidationFailed("Check the details of the service.", fields=errors)
    origin = origin_fingerprint(ip_address)
    _limit_public(Service, origin)
    owner = suggestions_owner()
    moment = now()
    with transaction.atomic():
        organization = Organization.objects.create(name=cleaned["organization_name"], owner=owner)
        # What the suggester wrote about when, where and how to get in touch is for the editors to
        # turn into sessions, an address and contacts; the public never sees it as typed.
        notes = "\n".join(
            f"{label}: {cleaned[key]}"
            for key, label in (("when", "When"), ("where", "Where"), ("phone", "Phone"))
            if cleaned[key]
        )
        service = Service.objects.create(
            organization=organization,
            owner=owner,
            name=cleaned["name"],
            description=cleaned["description"],
            url=cleaned["url"],
            email=cleaned["email"],
            alert="",
            suggestion_details=notes,
            state=EntryState.SUBMITTED,
            state_changed_at=moment,
            submitted_by_name=cleaned["submitted_by_name"],
            submitted_by_email=cleaned["submitted_by_email"],
            submitted_from=origin,
            source="suggest a service form",
            source_recorded_at=moment,
            source_recorded_by=SUGGESTION_RECORDED_BY,
            last_modified=moment,
        )
        if cleaned["phone"]:
            Phone.objects.create(service=service, number=cleaned["phone"], type="voice")
        audit_record(
            actor=None, event="directory_service.suggested", target=service, organisation_id=owner.pk
        )
    return service


def problem_report(*, service: Service, details: dict[str, Any], ip_address: str) -> ProblemReport:
    """Anyone may report a problem with a public entry; it becomes a task for the owner's editors."""
    kind = str(details.get("kind") or "")
    text = _clean_text(details, "details", 2000)
    email = _clean_text(details, "reporter_email", 254)
    errors: dict[str, str] = {}
    if kind not in ProblemKind.values:
        errors["kind"] = "Choose what is wrong."
    if kind == ProblemKind.OTHER and not text:
        errors["details"] = "Tell us what is wrong."
    _check_email(email, "reporter_email", errors, required=False)
    if errors:
        raise ValidationFailed("Check your report.", fields=errors)
    if not service.is_public:
        raise ValidationFailed("That entry is not in the public directory.")
    origin = origin_fingerprint(ip_address)
    _limit_public(ProblemReport, origin)
    with transaction.atomic():
        report = ProblemReport.objects.create(
            service=service,
            kind=kind,
            details=text,
            reporter_name=_clean_text(details, "reporter_name", 150),
            reporter_email=email,
            reported_at=now(),
            submitted_from=origin,
        )
        audit_record(
            actor=None, event="directory_problem.reported", target=report, organisation_id=service.owner_id
        )
    return report


def problem_close(*, actor: Actor, report: ProblemReport, resolved: bool, note: str) -> ProblemReport:
    """Close a problem report: resolved (the entry was put right) or dismissed, with a note."""
    authorize(actor, Action.UPDATE, report)
    if report.status != TaskStatus.OPEN:
        raise ValidationFailed("That report has already been closed.")
    note = note.strip()
    if not note:
        message = "Say what was done, or why nothing needed doing."
        raise ValidationFailed(message, fields={"note": message})
    with transaction.atomic():
        report.status = TaskStatus.RESOLVED if resolved else TaskStatus.DISMISSED
        report.resolved_at = now()
        report.resolved_by = actor if isinstance(actor, User) else None
        report.resolution_note = note
        report.save(update_fields=["status", "resolved_at", "resolved_by", "resolution_note"])
        audit_record(
            actor=actor,
            event="directory_problem.closed",
            target=report,
            fields=["status", "resolution_note"],
            values={"status": [TaskStatus.OPEN, report.status]},
            organisation_id=report.service.owner_id,
        )
    return report


def listing_claim(*, service: Service, details: dict[str, Any], ip_address: str) -> ListingClaim:
    """A provider asks to be recorded as running a listed service; an editor decides."""
    cleaned = {
        "claimant_name": _clean_text(details, "claimant_name", 150),
        "claimant_email": _clean_text(details, "claimant_email", 254),
        "claimant_phone": _clean_text(details, "claimant_phone", 40),
        "claimant_role": _clean_text(details, "claimant_role", 150),
        "evidence": _clean_text(details, "evidence", 2000),
    }
    errors: dict[str, str] = {}
    if not cleaned["claimant_name"]:
        errors["claimant_name"] = "Enter your name."
    _check_email(cleaned["claimant_email"], "claimant_email", errors, required=True)
    if not cleaned["claimant_role"]:
        errors["claimant_role"] = "Say what your role is at the organisation that runs the service."
    if errors:
        raise ValidationFailed("Check your details.", fields=errors)
    if not service.is_public:
        raise ValidationFailed("That entry is not in the public directory.")
    origin = origin_fingerprint(ip_address)
    _limit_public(ListingClaim, origin)
    with transaction.atomic():
        claim = ListingClaim.objects.create(
            service=service, claimed_at=now(), submitted_from=origin, **cleaned
        )
        audit_record(actor=None, event="directory_claim.made", target=claim, organisation_id=service.owner_id)
    return claim


def claim_decide(*, actor: Actor, claim: ListingClaim, approve: bool, reason: str = "") -> ListingClaim:
    """Approving records the claimant as the provider contact, who can then confirm the entry."""
    authorize(actor, Action.APPROVE, claim)
    if claim.status != ClaimStatus.PENDING:
        raise ValidationFailed("That claim has already been decided.")
    reason = reason.strip()
    if not approve and not reason:
        message = "Say why the claim is rejected."
        raise ValidationFailed(message, fields={"reason": message})
    with transaction.atomic():
        claim.status = ClaimStatus.APPROVED if approve else ClaimStatus.REJECTED
        claim.decided_at = now()
        claim.decided_by = actor if isinstance(actor, User) else None
        claim.reason = reason
        claim.save(update_fields=["status", "decided_at", "decided_by", "reason"])
        service = claim.service
        if approve:
            service.provider_contact_name = claim.claimant_name
            service.provider_contact_email = claim.claimant_email
            service.version += 1
            service.save(
                update_fields=["provider_contact_name", "provider_contact_email", "version", "updated_at"]
            )
        audit_record(
            actor=actor,
            event="directory_claim.decided",
            target=claim,
            fields=["status"],
            values={"status": [ClaimStatus.PENDING, claim.status]},
            organisation_id=service.owner_id,
        )
    return claim


# --- Keeping the public's contact details no longer than needed ----------------------------------------


@dataclass(frozen=True)
class ContactsCleared:
    suggestions: int
    problem_reports: int
    claims: int


def public_contacts_expire(*, actor: Operator, at: dt.datetime | None = None) -> ContactsCleared:
    """Clear what the public told us about themselves once it is no longer needed.

    LINKWORK_DIRECTORY_CONTACT_RETENTION_DAYS after a decision: a suggestion's suggester (name, e-mail,
    hashed address) once it has left `submitted` (published, rejected or anything after); a problem
    report's reporter once it is resolved or dismissed; a claim's claimant (name, e-mail, phone and the
    evidence offered, which may name people) once it is approved or rejected. The decision, its reason
    and an approved claimant recorded as the provider contact stay. Run daily (`linkwork daily`).
    """
    cutoff = (at or now()) - dt.timedelta(days=settings.LINKWORK_DIRECTORY_CONTACT_RETENTION_DAYS)
    with transaction.atomic():
        suggestions = (
            Service.objects.exclude(state=EntryState.SUBMITTED)
            .filter(state_changed_at__lte=cutoff)
            .exclude(submitted_by_name="", submitted_by_email="", submitted_from="")
            .update(submitted_by_name="", submitted_by_email="", submitted_from="")
        )
        reports = (
            ProblemReport.objects.exclude(status=TaskStatus.OPEN)
            .filter(resolved_at__lte=cutoff)
            .exclude(reporter_name="", reporter_email="", submitted_from="")
            .update(reporter_name="", reporter_email="", submitted_from="")
        )
        claims = (
            ListingClaim.objects.exclude(status=ClaimStatus.PENDING)
            .filter(decided_at__lte=cutoff)
            .exclude(claimant_name="", claimant_email="", claimant_phone="", evidence="", submitted_from="")
            .update(claimant_name="", claimant_email="", claimant_phone="", evidence="", submitted_from="")
        )
        if suggestions or reports or claims:
            audit_record(
                actor=actor,
                event="directory.contacts_cleared",
                target=Service,
                detail={"suggestions": suggestions, "problem_reports": reports, "claims": claims},
            )
    return ContactsCleared(suggestions=suggestions, problem_reports=reports, claims=claims)
