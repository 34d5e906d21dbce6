"""The staff API at /api/v1/: session auth for the web app, bearer tokens for integrations."""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, django_auth

from linkwork.accounts.api import router as accounts_router
from linkwork.accounts.services import token_authenticate
from linkwork.audit.api import router as audit_router
from linkwork.core.errors import DomainError
from linkwork.directory.api import router as directory_router
from linkwork.interop.export_api import router as fhir_export_router
from linkwork.interop.intake_api import router as fhir_intake_router
from linkwork.interop.summary_api import router as summary_router
from linkwork.matching.api import router as matching_router
from linkwork.matching.connections_api import router as connections_router
from linkwork.matching.gaps_api import router as gaps_router
from linkwork.matching.shortlists_api import router as shortlists_router
from linkwork.networks.api import router as networks_router
from linkwork.outcomes.api import router as outcomes_router
from linkwork.people.api import router as people_router
from linkwork.referrals.api import router as referrals_router
from linkwork.reporting.api import router as reporting_router
from linkwork.support.api import router as support_router
from linkwork.webhooks.api import router as webhooks_router


class BearerTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = token_authenticate(raw=token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="linkwork staff API",
    version="1",
    description="Personal API tokens (`linkwork token create`) go in `Authorization: Bearer <token>`.",
    auth=[BearerTokenAuth(), django_auth],
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def error_response(
    request: HttpRequest, status: int, code: str, message: str, fields: dict[str, str] | None = None
) -> HttpResponse:
    return api.create_response(
        request, {"error": {"code": code, "message": message, "fields": fields or {}}}, status=status
    )


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return error_response(request, exc.status, exc.code, exc.message, exc.fields)


def _field_name(location: tuple[str | int, ...] | list[str | int]) -> str:
    # ("body", "payload", "expires_days") -> "expires_days"; ("query", "since") -> "since"
    parts = list(location[1:])
    if location and location[0] == "body" and len(parts) > 1:
        parts = parts[1:]
    return ".".join(str(part) for part in parts) or str(location[0])


@api.exception_handler(NinjaValidationError)
def validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    fields = {_field_name(err["loc"]): err["msg"] for err in exc.errors}
    return error_response(request, 422, "VALIDATION_ERROR", "Some of the values sent are not valid.", fields)


@api.exception_handler(AuthenticationError)
def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(request, 401, "UNAUTHENTICATED", "Sign in, or send a valid API token.")


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, 404, "NOT_FOUND", "Not found.")


@api.exception_handler(OverflowError)
def id_out_of_range(request: HttpRequest, exc: OverflowError) -> HttpResponse:
    # SQLite cannot even compare a number beyond 64 bits with an id column, and no record has such an id.
    return error_response(request, 404, "NOT_FOUND", "Not found.")


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return error_response(request, exc.status_code, "HTTP_ERROR", str(exc))


api.add_router("/", accounts_router)
api.add_router("/audit-events", audit_router)
# /people/... and /consents/...
api.add_router("/", people_router)
api.add_router("/referrals", referrals_router)
# /episodes/..., /extensions/..., /goals/..., /programmes, /caseload, /meetups
api.add_router("/", support_router)
# /instruments..., /episodes/{episode_id}/measures... and /stories, /safeguarding-alerts,
# /programmes/{programme_id}/measure-schedule
api.add_router("/", outcomes_router)
# /people/{person_id}/network-map..., /network-entries/{entry_id}
api.add_router("/", networks_router)
# /directory/services..., /directory/work-queue
api.add_router("/directory", directory_router)
# /people/{person_id}/recommendations
api.add_router("/", matching_router)
# /people/{person_id}/connections, /connections/{id}...
api.add_router("/", connections_router)
# /people/{person_id}/shortlist...
api.add_router("/", shortlists_router)
# /people/{person_id}/gaps, /gaps
api.add_router("/", gaps_router)
# /reports/{name}, /reports/{name}/tables/{table_key}.csv
api.add_router("/reports", reporting_router)
# /episodes/{episode_id}/fhir
api.add_router("/", fhir_export_router)
# /fhir/ServiceRequest
api.add_router("/fhir", fhir_intake_router)
# /episodes/{episode_id}/loneliness-summary, /referrals/{referral_id}/messages...
api.add_router("/", summary_router)
# /webhooks...
api.add_router("/webhooks", webhooks_router)
