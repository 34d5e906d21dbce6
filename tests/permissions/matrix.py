"""The one declared permission matrix: who may reach each web page and each API operation.

Every URL pattern (`django.urls.get_resolver()`, walked recursively) and every operation of the staff API
(method and path, from its OpenAPI schema) needs a rule here; `test_permission_matrix.py` fails, naming
the endpoint, for any without one. A rule lists the principals who are ALLOWED; every other principal
must be DENIED.

Principals: anonymous, one user per role in the test organisation, and an outsider: a user of another
organisation who holds every role (so a refusal can only be because of the organisation). The ids in
URLs are the test organisation's records (tests/permissions/conftest.py): a person on the connector's
caseload in the North team, with the volunteer assigned and the supervisor in the team.

How a response is read (`outcome`):

- ALLOWED: any 2xx; a 3xx that does not lead to the sign-in page; 400, 409, 410, 422 and 429, which
  come from validation or from the record's state, after the permission check (requests send an empty
  body, so forms and API operations that write usually answer 422 or re-show the form).
- DENIED: 401, 403, 404, or a redirect to the sign-in page. A 404 is a denial because a record the
  actor may not see is reported as "not found", exactly like one that does not exist.
- A request to the staff API carries the smallest body its schema accepts (required fields only,
  with the fixture's ids where a field names one), so the operation's own permission check runs:
  an empty body would be refused with 422 by the schema before any policy is asked.
- Anything else (405, 5xx, ...) is neither, and fails the test: the rule's method is wrong or the
  endpoint is broken.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import resolve_url

Principal = str

ANONYMOUS: Principal = "anonymous"
CONNECTOR: Principal = "connector"
VOLUNTEER: Principal = "volunteer"
SUPERVISOR: Principal = "supervisor"
DIRECTORY_EDITOR: Principal = "directory_editor"
ANALYST: Principal = "analyst"
ORGANISATION_ADMIN: Principal = "organisation_admin"
OUTSIDER: Principal = "outsider"

ROLES: tuple[Principal, ...] = (
    CONNECTOR,
    VOLUNTEER,
    SUPERVISOR,
    DIRECTORY_EDITOR,
    ANALYST,
    ORGANISATION_ADMIN,
)
PRINCIPALS: tuple[Principal, ...] = (ANONYMOUS, *ROLES, OUTSIDER)

ALLOWED = "allowed"
DENIED = "denied"
# Statuses that mean the request got past the permission check and was refused for what it said.
PAST_THE_CHECK = frozenset({400, 409, 410, 422, 429})
REFUSED = frozenset({401, 403, 404})


def outcome(response: HttpResponse, *, signs_out: bool = False) -> str:
    """ALLOWED, DENIED, or a description of a response that is neither. Signing out ends on the
    sign-in page, so for it that redirect is the allowed result."""
    status = response.status_code
    if 300 <= status < 400:
        location = response.get("Location", "")
        return DENIED if location.startswith(resolve_url(settings.LOGIN_URL)) and not signs_out else ALLOWED
    if 200 <= status < 300 or status in PAST_THE_CHECK:
        return ALLOWED
    if status in REFUSED:
        return DENIED
    return f"unexpected status {status}"


@dataclass(frozen=True)
class Rule:
    """The principals allowed, the method to send, and which fixture id fills a URL argument whose
    name alone is ambiguous (the `token` of three different links)."""

    allowed: frozenset[Principal]
    method: str = "GET"
    fill: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    signs_out: bool = False


def allow(
    *groups: Iterable[Principal] | Principal, method: str = "GET", signs_out: bool = False, **fill: str
) -> Rule:
    principals: set[Principal] = set()
    for group in groups:
        principals.update({group} if isinstance(group, str) else group)
    unknown = principals - set(PRINCIPALS)
    assert not unknown, f"unknown principals {sorted(unknown)}"
    return Rule(frozenset(principals), method, MappingProxyType(fill), signs_out)


NOBODY: tuple[Principal, ...] = ()
EVERYONE = PRINCIPALS
# A page about the signed-in user's own organisation: every role, and the outsider for theirs.
ORGANISATION_WIDE = (*ROLES, OUTSIDER)
CASEWORK = (CONNECTOR, SUPERVISOR)
# Casework on the person, plus the outsider for pages that are lists of their own organisation.
CASEWORK_LISTS = (CONNECTOR, SUPERVISOR, OUTSIDER)

# Web pages, keyed by the URL pattern as the resolver writes it (prefixes joined).
PAGES: dict[str, Rule] = {
    # The staff API's own description and its docs page, public like any OpenAPI document.
    "api/v1/openapi.json": allow(EVERYONE),
    "api/v1/docs": allow(EVERYONE),
    # django-ninja's root path for the API: nothing there, "not found" for everyone.
    "api/v1/": allow(NOBODY),
    "": allow(ORGANISATION_WIDE),
    "healthz": allow(EVERYONE),
    "account/": allow(ORGANISATION_WIDE),
    "account/sign-out-everywhere/": allow(ORGANISATION_WIDE, method="POST"),
    "alerts/<int:alert_id>/": allow(CASEWORK),
    # Links that need no account: anyone holding the token.
    "answer/<str:token>/": allow(EVERYONE, token="answer_token"),
    "audit/": allow(SUPERVISOR, ORGANISATION_ADMIN, OUTSIDER),
    "caseload/": allow(CASEWORK_LISTS),
    "confirm/<str:token>/": allow(EVERYONE, token="confirm_token"),
    "connections/<int:connection_id>/": allow(CONNECTOR, VOLUNTEER, SUPERVISOR),
    "connections/<int:connection_id>/<str:action>/": allow(CASEWORK),
    "connections/<int:connection_id>/provider-link/": allow(CASEWORK),
    "consents/<int:consent_id>/withdraw/": allow(CASEWORK, method="POST"),
    "directory/": allow(EVERYONE),
    "directory/manage/": allow(DIRECTORY_EDITOR, OUTSIDER),
    "directory/manage/claims/<int:claim_id>/": allow(DIRECTORY_EDITOR),
    "directory/manage/problems/<int:report_id>/": allow(DIRECTORY_EDITOR),
    "directory/manage/services/": allow(ORGANISATION_WIDE),
    "directory/manage/services/<uuid:service_id>/": allow(ORGANISATION_WIDE),
    "directory/manage/services/<uuid:service_id>/<slug:action>/": allow(
        DIRECTORY_EDITOR, method="POST", action="directory_action"
    ),
    "directory/manage/services/<uuid:service_id>/edit/": allow(DIRECTORY_EDITOR),
    "directory/manage/services/<uuid:service_id>/edit/closures/": allow(DIRECTORY_EDITOR),
    "directory/manage/services/<uuid:service_id>/edit/closures/<int:closure_id>/remove/": allow(
        DIRECTORY_EDITOR, method="POST"
    ),
    "directory/manage/services/<uuid:service_id>/edit/location/": allow(DIRECTORY_EDITOR),
    "directory/manage/services/<uuid:service_id>/edit/schedules/": allow(DIRECTORY_EDITOR),
    "directory/manage/services/<uuid:service_id>/edit/schedules/<uuid:schedule_id>/remove/": allow(
        DIRECTORY_EDITOR, method="POST"
    ),
    "directory/manage/services/new/": allow(DIRECTORY_EDITOR, OUTSIDER),
    "directory/services/<uuid:service_id>/": allow(EVERYONE),
    "directory/services/<uuid:service_id>/claim/": allow(EVERYONE),
    "directory/services/<uuid:service_id>/claim/sent/": allow(EVERYONE),
    "directory/services/<uuid:service_id>/report/": allow(EVERYONE),
    "directory/services/<uuid:service_id>/report/sent/": allow(EVERYONE),
    "directory/suggest/": allow(EVERYONE),
    "directory/suggest/sent/": allow(EVERYONE),
    "episodes/<int:episode_id>/": allow(CASEWORK),
    "episodes/<int:episode_id>/assign/": allow(CASEWORK),
    "episodes/<int:episode_id>/budget/": allow(CASEWORK),
    "episodes/<int:episode_id>/close/": allow(CASEWORK),
    "episodes/<int:episode_id>/contacts/add/": allow(CONNECTOR, VOLUNTEER, SUPERVISOR),
    "episodes/<int:episode_id>/conversation/": allow(CASEWORK),
    "episodes/<int:episode_id>/extension/": allow(CASEWORK),
    "episodes/<int:episode_id>/follow-up/": allow(CASEWORK),
    "episodes/<int:episode_id>/goals/add/": allow(CASEWORK),
    "episodes/<int:episode_id>/loneliness-summary.pdf": allow(CASEWORK),
    "episodes/<int:episode_id>/loneliness-summary/": allow(CASEWORK),
    "episodes/<int:episode_id>/loneliness-summary/share/": allow(CASEWORK),
    "episodes/<int:episode_id>/pause/": allow(CASEWORK),
    "episodes/<int:episode_id>/plan-ending/": allow(CASEWORK),
    "episodes/<int:episode_id>/questionnaire-link/": allow(CASEWORK),
    "episodes/<int:episode_id>/questionnaires/<slug:instrument_code>/<slug:time_point>/": allow(CASEWORK),
    "episodes/<int:episode_id>/questionnaires/<slug:instrument_code>/<slug:time_point>/skip/": allow(
        CASEWORK
    ),
    "episodes/<int:episode_id>/resume/": allow(CASEWORK),
    "episodes/<int:episode_id>/stories/add/": allow(CASEWORK),
    "extensions/<int:extension_id>/": allow(SUPERVISOR),
    "gaps/": allow(CONNECTOR, SUPERVISOR, ANALYST, OUTSIDER),
    "goals/<int:goal_id>/": allow(CASEWORK),
    "meetups/add/": allow(CASEWORK_LISTS),
    "network-entries/<int:entry_id>/": allow(CASEWORK),
    "network-entries/<int:entry_id>/move/": allow(CASEWORK, method="POST"),
    "network-entries/<int:entry_id>/remove/": allow(CASEWORK, method="POST"),
    "openreferral/^$": allow(EVERYONE),
    # The Open Referral API's answer to any other path: "not found" for everyone.
    "openreferral/^(?P<path>.*)$": allow(NOBODY),
    "openreferral/^organizations/(?P<organization_id>[^/]+)/?$": allow(EVERYONE),
    "openreferral/^organizations/?$": allow(EVERYONE),
    "openreferral/^service_at_locations/(?P<service_at_location_id>[^/]+)/?$": allow(EVERYONE),
    "openreferral/^service_at_locations/?$": allow(EVERYONE),
    "openreferral/^services/(?P<service_id>[^/]+)/?$": allow(EVERYONE),
    "openreferral/^services/?$": allow(EVERYONE),
    "openreferral/^taxonomies/(?P<taxonomy_id>[^/]+)/?$": allow(EVERYONE),
    "openreferral/^taxonomies/?$": allow(EVERYONE),
    "openreferral/^taxonomy_terms/(?P<term_id>[^/]+)/?$": allow(EVERYONE),
    "openreferral/^taxonomy_terms/?$": allow(EVERYONE),
    "organisation/": allow(ORGANISATION_ADMIN, OUTSIDER),
    "organisation/two-factor/": allow(ORGANISATION_ADMIN, OUTSIDER),
    "password-reset/": allow(EVERYONE),
    "password-reset/<uidb64>/<token>/": allow(EVERYONE),
    "password-reset/done/": allow(EVERYONE),
    "password-reset/sent/": allow(EVERYONE),
    "people/": allow(CASEWORK_LISTS),
    "people/<int:person_id>/": allow(CASEWORK),
    "people/<int:person_id>/connections/new/": allow(CASEWORK),
    "people/<int:person_id>/consents/add/": allow(CASEWORK),
    "people/<int:person_id>/edit/": allow(CASEWORK),
    "people/<int:person_id>/gaps/new/": allow(CASEWORK),
    "people/<int:person_id>/network-map/": allow(CASEWORK),
    "people/<int:person_id>/network-map/complete/": allow(CASEWORK, method="POST"),
    "people/<int:person_id>/network-map/download.<str:file_type>": allow(CASEWORK),
    "people/<int:person_id>/network-map/sharing/": allow(CASEWORK, method="POST"),
    "people/<int:person_id>/practical/": allow(CONNECTOR, VOLUNTEER, SUPERVISOR),
    "people/<int:person_id>/recommendations/": allow(CASEWORK),
    "people/<int:person_id>/shortlist/": allow(CASEWORK),
    "people/<int:person_id>/shortlist/add/": allow(CASEWORK, method="POST"),
    "people/<int:person_id>/shortlist/link/": allow(CASEWORK, method="POST"),
    "people/<int:person_id>/shortlist/print/": allow(CASEWORK),
    "people/new-referral/": allow(CASEWORK_LISTS),
    "people/you-support/": allow(ORGANISATION_WIDE),
    # Data-protection requests: admins for anyone in their organisation, supervisors (export only) for
    # their teams' people; erasure and retention are the admin's alone.
    "privacy/": allow(ORGANISATION_ADMIN, OUTSIDER),
    "privacy/people/<int:person_id>/": allow(SUPERVISOR, ORGANISATION_ADMIN),
    "privacy/people/<int:person_id>/download/": allow(SUPERVISOR, ORGANISATION_ADMIN),
    "privacy/people/<int:person_id>/erase/": allow(ORGANISATION_ADMIN),
    "privacy/retention/": allow(ORGANISATION_ADMIN, OUTSIDER),
    "programmes/": allow(ORGANISATION_WIDE),
    "programmes/<int:programme_id>/questionnaires/": allow(SUPERVISOR, ORGANISATION_ADMIN),
    "refer/<slug:organisation_slug>/": allow(EVERYONE),
    "referrals/": allow(CASEWORK_LISTS),
    "referrals/<int:referral_id>/": allow(CASEWORK),
    "referrals/<int:referral_id>/accept/": allow(CASEWORK),
    "referrals/<int:referral_id>/attempts/": allow(CASEWORK, method="POST"),
    "referrals/<int:referral_id>/decline/": allow(CASEWORK),
    "referrals/<int:referral_id>/letters/<int:message_id>/": allow(CASEWORK),
    "referrals/<int:referral_id>/letters/<int:message_id>/fhir.json": allow(CASEWORK),
    "referrals/<int:referral_id>/letters/<int:message_id>/letter.pdf": allow(CASEWORK),
    # Refused with a message (a redirect back) once acknowledged or decided, after the check.
    "referrals/<int:referral_id>/messages/received/": allow(CASEWORK, method="POST"),
    "referrals/<int:referral_id>/not-appropriate/": allow(CASEWORK),
    "referrals/<int:referral_id>/unable-to-contact/": allow(CASEWORK),
    # Importing referrals from a spreadsheet: supervisors and organisation admins, for their own organisation.
    "referrals/import/": allow(SUPERVISOR, ORGANISATION_ADMIN, OUTSIDER),
    "referrals/import/confirm/": allow(SUPERVISOR, ORGANISATION_ADMIN, OUTSIDER, method="POST"),
    "referrals/import/template.csv": allow(SUPERVISOR, ORGANISATION_ADMIN, OUTSIDER),
    "reports/": allow(SUPERVISOR, ANALYST, ORGANISATION_ADMIN, OUTSIDER),
    "reports/<slug:name>.json": allow(SUPERVISOR, ANALYST, ORGANISATION_ADMIN, OUTSIDER),
    "reports/<slug:name>/": allow(SUPERVISOR, ANALYST, ORGANISATION_ADMIN, OUTSIDER),
    "reports/<slug:name>/<slug:table_key>.csv": allow(SUPERVISOR, ANALYST, ORGANISATION_ADMIN, OUTSIDER),
    "reports/commissioner.pdf": allow(SUPERVISOR, ANALYST, ORGANISATION_ADMIN, OUTSIDER),
    "reports/commissioner/print/": allow(SUPERVISOR, ANALYST, ORGANISATION_ADMIN, OUTSIDER),
    "s/<str:token>/": allow(EVERYONE, token="shortlist_token"),
    "sign-in/": allow(EVERYONE),
    "sign-out/": allow(EVERYONE, method="POST", signs_out=True),
    "staff/": allow(ORGANISATION_WIDE),
    "staff/<int:staff_id>/": allow(CONNECTOR, SUPERVISOR, ORGANISATION_ADMIN),
    "staff/<int:staff_id>/access/": allow(ORGANISATION_ADMIN, method="POST"),
    "staff/<int:staff_id>/edit/": allow(ORGANISATION_ADMIN),
    "staff/<int:staff_id>/two-factor-reset/": allow(ORGANISATION_ADMIN, method="POST"),
    "staff/<int:staff_id>/unlock/": allow(ORGANISATION_ADMIN, method="POST"),
    # Two-factor set-up and verify: every signed-in user (a verified one is sent on to the home page).
    "two-factor/set-up/": allow(ORGANISATION_WIDE),
    "two-factor/verify/": allow(ORGANISATION_WIDE),
    "staff/add/": allow(ORGANISATION_ADMIN, OUTSIDER),
    "stories/<int:story_id>/": allow(CASEWORK),
    "team/": allow(SUPERVISOR, OUTSIDER),
    "teams/": allow(ORGANISATION_WIDE),
    "teams/<int:team_id>/delete/": allow(ORGANISATION_ADMIN, method="POST"),
    "tokens/": allow(ORGANISATION_WIDE),
    "tokens/<int:token_id>/revoke/": allow(CONNECTOR, ORGANISATION_ADMIN, method="POST"),
    # Webhooks: organisation admins only, each for their own organisation's endpoints.
    "webhooks/": allow(ORGANISATION_ADMIN, OUTSIDER),
    "webhooks/add/": allow(ORGANISATION_ADMIN, OUTSIDER),
    "webhooks/<int:webhook_id>/": allow(ORGANISATION_ADMIN),
    "webhooks/<int:webhook_id>/delete/": allow(ORGANISATION_ADMIN),
    "webhooks/<int:webhook_id>/deliveries/<int:delivery_id>/retry/": allow(ORGANISATION_ADMIN, method="POST"),
    "webhooks/<int:webhook_id>/pause/": allow(ORGANISATION_ADMIN, method="POST"),
    "webhooks/<int:webhook_id>/resume/": allow(ORGANISATION_ADMIN, method="POST"),
    "webhooks/<int:webhook_id>/rotate-secret/": allow(ORGANISATION_ADMIN, method="POST"),
    "webhooks/<int:webhook_id>/test/": allow(ORGANISATION_ADMIN, method="POST"),
}

# Staff API operations, keyed by "METHOD /api/v1/path".
API: dict[str, Rule] = {
    "DELETE /api/v1/network-entries/{entry_id}": allow(CASEWORK),
    "DELETE /api/v1/people/{person_id}/shortlist/items/{item_id}": allow(CASEWORK),
    "DELETE /api/v1/teams/{team_id}": allow(ORGANISATION_ADMIN),
    "DELETE /api/v1/tokens/{token_id}": allow(CONNECTOR, ORGANISATION_ADMIN),
    "GET /api/v1/audit-events": allow(SUPERVISOR, ORGANISATION_ADMIN, OUTSIDER),
    "GET /api/v1/caseload": allow(ORGANISATION_WIDE),
    "GET /api/v1/connections/{connection_id}": allow(CONNECTOR, VOLUNTEER, SUPERVISOR),
    "GET /api/v1/directory/services": allow(ORGANISATION_WIDE),
    "GET /api/v1/directory/services/{service_id}": allow(ORGANISATION_WIDE),
    "GET /api/v1/directory/work-queue": allow(DIRECTORY_EDITOR, OUTSIDER),
    "GET /api/v1/episodes/{episode_id}": allow(CASEWORK),
    "GET /api/v1/episodes/{episode_id}/budget": allow(CASEWORK),
    "GET /api/v1/episodes/{episode_id}/contacts": allow(CASEWORK),
    "GET /api/v1/episodes/{episode_id}/conversations": allow(CASEWORK),
    "GET /api/v1/episodes/{episode_id}/fhir": allow(CASEWORK),
    "GET /api/v1/episodes/{episode_id}/goals": allow(CASEWORK),
    "GET /api/v1/episodes/{episode_id}/loneliness-summary": allow(CASEWORK),
    "GET /api/v1/episodes/{episode_id}/measures": allow(CASEWORK),
    "GET /api/v1/episodes/{episode_id}/measures/changes": allow(CASEWORK),
    "GET /api/v1/episodes/{episode_id}/measures/due": allow(CASEWORK),
    "GET /api/v1/episodes/{episode_id}/stories": allow(CASEWORK),
    "GET /api/v1/gaps": allow(CONNECTOR, SUPERVISOR, ANALYST, OUTSIDER),
    "GET /api/v1/instruments": allow(ORGANISATION_WIDE),
    "GET /api/v1/instruments/{code}": allow(ORGANISATION_WIDE),
    "GET /api/v1/me": allow(ORGANISATION_WIDE),
    "GET /api/v1/people": allow(ORGANISATION_WIDE),
    "GET /api/v1/people/{person_id}": allow(CASEWORK),
    "GET /api/v1/people/{person_id}/connections": allow(CONNECTOR, VOLUNTEER, SUPERVISOR),
    "GET /api/v1/people/{person_id}/consents": allow(CASEWORK),
    "GET /api/v1/people/{person_id}/network-map": allow(CASEWORK),
    "GET /api/v1/people/{person_id}/network-map.png": allow(CASEWORK),
    "GET /api/v1/people/{person_id}/network-map.svg": allow(CASEWORK),
    "GET /api/v1/people/{person_id}/network-map/comparison": allow(CASEWORK),
    "GET /api/v1/people/{person_id}/practical": allow(CONNECTOR, VOLUNTEER, SUPERVISOR),
    "GET /api/v1/people/{person_id}/shortlist": allow(CASEWORK),
    "GET /api/v1/programmes": allow(ORGANISATION_WIDE),
    "GET /api/v1/referrals": allow(ORGANISATION_WIDE),
    "GET /api/v1/referrals/{referral_id}": allow(CASEWORK),
    "GET /api/v1/referrals/{referral_id}/messages/{message_id}/fhir": allow(CASEWORK),
    "GET /api/v1/referrals/{referral_id}/outcome-messages": allow(CASEWORK),
    "GET /api/v1/reports/{name}": allow(SUPERVISOR, ANALYST, ORGANISATION_ADMIN, OUTSIDER),
    "GET /api/v1/reports/{name}/tables/{table_key}.csv": allow(
        SUPERVISOR, ANALYST, ORGANISATION_ADMIN, OUTSIDER
    ),
    "GET /api/v1/safeguarding-alerts": allow(ORGANISATION_WIDE),
    "GET /api/v1/staff": allow(ORGANISATION_WIDE),
    "GET /api/v1/staff/{staff_id}": allow(CONNECTOR, SUPERVISOR, ORGANISATION_ADMIN),
    "GET /api/v1/stories/{story_id}/anonymised": allow(CASEWORK),
    "GET /api/v1/teams": allow(ORGANISATION_WIDE),
    "GET /api/v1/tokens": allow(ORGANISATION_WIDE),
    "PATCH /api/v1/goals/{goal_id}": allow(CASEWORK),
    "PATCH /api/v1/network-entries/{entry_id}": allow(CASEWORK),
    "PATCH /api/v1/people/{person_id}": allow(CASEWORK),
    "PATCH /api/v1/teams/{team_id}": allow(ORGANISATION_ADMIN),
    "POST /api/v1/connections/{connection_id}/provider-link": allow(CASEWORK),
    "POST /api/v1/connections/{connection_id}/{action}": allow(CASEWORK),
    "POST /api/v1/consents/{consent_id}/withdraw": allow(CASEWORK),
    "POST /api/v1/directory/services/{service_id}/archive": allow(DIRECTORY_EDITOR),
    "POST /api/v1/directory/services/{service_id}/publish": allow(DIRECTORY_EDITOR),
    "POST /api/v1/directory/services/{service_id}/reject": allow(DIRECTORY_EDITOR),
    "POST /api/v1/directory/services/{service_id}/reopen": allow(DIRECTORY_EDITOR),
    "POST /api/v1/directory/services/{service_id}/submit": allow(DIRECTORY_EDITOR),
    "POST /api/v1/directory/services/{service_id}/verify": allow(DIRECTORY_EDITOR),
    "POST /api/v1/episodes/{episode_id}/budget": allow(CASEWORK),
    "POST /api/v1/episodes/{episode_id}/close": allow(CASEWORK),
    "POST /api/v1/episodes/{episode_id}/contacts": allow(CONNECTOR, VOLUNTEER, SUPERVISOR),
    "POST /api/v1/episodes/{episode_id}/conversations": allow(CASEWORK),
    "POST /api/v1/episodes/{episode_id}/extensions": allow(CASEWORK),
    "POST /api/v1/episodes/{episode_id}/follow-up": allow(CASEWORK),
    "POST /api/v1/episodes/{episode_id}/goals": allow(CASEWORK),
    "POST /api/v1/episodes/{episode_id}/loneliness-summary/shares": allow(CASEWORK),
    "POST /api/v1/episodes/{episode_id}/measures": allow(CASEWORK),
    "POST /api/v1/episodes/{episode_id}/measures/skip": allow(CASEWORK),
    "POST /api/v1/episodes/{episode_id}/pause": allow(CASEWORK),
    "POST /api/v1/episodes/{episode_id}/plan-ending": allow(CASEWORK),
    "POST /api/v1/episodes/{episode_id}/resume": allow(CASEWORK),
    "POST /api/v1/episodes/{episode_id}/stories": allow(CASEWORK),
    "POST /api/v1/extensions/{extension_id}/decision": allow(SUPERVISOR),
    "POST /api/v1/instruments/{code}/score": allow(ORGANISATION_WIDE),
    "POST /api/v1/meetups": allow(CASEWORK_LISTS),
    "POST /api/v1/people": allow(CASEWORK_LISTS),
    "POST /api/v1/people/{person_id}/connections": allow(CASEWORK),
    "POST /api/v1/people/{person_id}/consents": allow(CASEWORK),
    "POST /api/v1/people/{person_id}/gaps": allow(CASEWORK),
    "POST /api/v1/people/{person_id}/network-map/complete": allow(CASEWORK),
    "POST /api/v1/people/{person_id}/network-map/entries": allow(CASEWORK),
    "POST /api/v1/people/{person_id}/recommendations": allow(CASEWORK),
    "POST /api/v1/people/{person_id}/shortlist": allow(CASEWORK),
    "POST /api/v1/people/{person_id}/shortlist/link": allow(CASEWORK),
    "POST /api/v1/programmes": allow(SUPERVISOR, ORGANISATION_ADMIN, OUTSIDER),
    "POST /api/v1/referrals": allow(CASEWORK),
    # A referral sent as FHIR joins the intake queue of the sender's own organisation (an empty body: 400).
    "POST /api/v1/fhir/ServiceRequest": allow(CASEWORK_LISTS),
    "POST /api/v1/referrals/{referral_id}/accept": allow(CASEWORK),
    "POST /api/v1/referrals/{referral_id}/attempts": allow(CASEWORK),
    "POST /api/v1/referrals/{referral_id}/decline": allow(CASEWORK),
    "POST /api/v1/referrals/{referral_id}/messages/received": allow(CASEWORK),
    "POST /api/v1/referrals/{referral_id}/not-appropriate": allow(CASEWORK),
    "POST /api/v1/referrals/{referral_id}/unable-to-contact": allow(CASEWORK),
    "POST /api/v1/safeguarding-alerts/{alert_id}/action": allow(CASEWORK),
    "POST /api/v1/staff": allow(ORGANISATION_ADMIN, OUTSIDER),
    "POST /api/v1/staff/{staff_id}/deactivate": allow(ORGANISATION_ADMIN),
    "POST /api/v1/teams": allow(ORGANISATION_ADMIN, OUTSIDER),
    "POST /api/v1/tokens": allow(ORGANISATION_WIDE),
    "PUT /api/v1/people/{person_id}/network-map/sharing": allow(CASEWORK),
    "PUT /api/v1/programmes/{programme_id}/measure-schedule": allow(SUPERVISOR, ORGANISATION_ADMIN),
    "PUT /api/v1/staff/{staff_id}": allow(ORGANISATION_ADMIN),
    "GET /api/v1/webhooks": allow(ORGANISATION_ADMIN, OUTSIDER),
    "POST /api/v1/webhooks": allow(ORGANISATION_ADMIN, OUTSIDER),
    "DELETE /api/v1/webhooks/{webhook_id}": allow(ORGANISATION_ADMIN),
    "GET /api/v1/webhooks/{webhook_id}/deliveries": allow(ORGANISATION_ADMIN),
}
