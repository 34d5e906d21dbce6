"""The public directory, without sign-in: search, an entry's page, and the three public forms (suggest
a service, report a problem with an entry, claim a listing).

Also the plain-English wording both the public and the staff pages use for an entry: when it runs,
how far away it is, when it was last checked and whether it may be out of date.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from linkwork.core.errors import DomainError, RateLimited
from linkwork.core.http import client_ip
from linkwork.core.time import local_today, to_london
from linkwork.directory import geography, page_selectors, search, selectors, services
from linkwork.directory.forms import ClaimForm, ProblemForm, SearchForm, SuggestForm
from linkwork.directory.models import (
    Booking,
    CostOption,
    EntryState,
    Location,
    Organization,
    Service,
    VerificationMethod,
)
from linkwork.directory.query import DirectoryQuery, SearchHit, SearchResults
from linkwork.directory.words import (
    clock,
    closure_lines,
    journey_words,
    long_date,
    next_sessions,
    when_lines,
)
from linkwork.web.forms import add_service_errors

PER_PAGE = 20
POSTCODE_ATTRIBUTION = (
    "Distances are rough, measured from the middle of the postcode area. Postcode centres from the ONS "
    "National Statistics Postcode Lookup and Food Standards Agency data, under the Open Government "
    "Licence v3.0. Contains OS data © Crown copyright and database right 2025. Contains Royal Mail data "
    "© Royal Mail copyright and database right 2025."
)

# "Last checked 3 March 2026 by phone".
CHECKED_HOW = {
    VerificationMethod.PHONE: "by phone",
    VerificationMethod.VISIT: "on a visit",
    VerificationMethod.EMAIL: "by e-mail",
    VerificationMethod.PROVIDER_CONFIRMED: "with the people who run it",
}
STATUS_NOTICE = {
    "temporarily closed": "This service is temporarily closed.",
    "inactive": "This service is not running at the moment.",
    "defunct": "This service has closed.",
}


def posted(request: HttpRequest) -> QueryDict | None:
    """The form data of a POST (even an empty one, so a form of buttons alone still submits)."""
    return request.POST if request.method == "POST" else None


# --- Words ---------------------------------------------------------------------------------------------


def when_words(moment: dt.datetime) -> str:
    """3 March 2026 at 2:05pm, in London time."""
    local = to_london(moment)
    return f"{long_date(local.date())} at {clock(local.time())}"


def checked_words(service: Service) -> str:
    """For example, "24 November 2026 by phone", or "" if it has never been checked."""
    if service.last_verified_at is None:
        return ""
    method = service.verification_method
    how = CHECKED_HOW.get(VerificationMethod(method), "") if method in VerificationMethod.values else ""
    return " ".join(part for part in (long_date(to_london(service.last_verified_at).date()), how) if part)


def assured_words(service: Service) -> str:
    """For an entry nobody here has checked but whose source vouched for it (HSDS `assured_date`, as
    feeds give it): "Confirmed by the source on 10 December 2024"; "" otherwise."""
    if service.assured_date is None:
        return ""
    return f"Confirmed by the source on {long_date(service.assured_date)}"


def last_checked(service: Service) -> str:
    """For example, "Last checked 3 March 2026 by phone", "Confirmed by the source on 10 December
    2024" (an imported entry nobody here has checked yet), or "Not checked yet"."""
    words = checked_words(service)
    if words:
        return f"Last checked {words}"
    return assured_words(service) or "Not checked yet"


def _months_between(earlier: dt.date, later: dt.date) -> int:
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    return months - (1 if later.day < earlier.day else 0)


def stale_warning(service: Service, today: dt.date) -> str:
    """For stale entries, a plain warning that they may be out of date; "" for others."""
    if service.state != EntryState.STALE:
        return ""
    if service.last_verified_at is not None:
        last, verb = to_london(service.last_verified_at).date(), "checked"
    elif service.assured_date is not None:
        last, verb = service.assured_date, "confirmed"
    else:
        return "This information has not been checked for a long time and may be out of date."
    months = max(1, _months_between(last, today))
    return (
        f"This information was last {verb} over {months} month{'s' if months != 1 else ''} ago "
        "and may be out of date."
    )


def flags(service: Service) -> list[str]:
    """Short labels for a results list (shown as text, not by colour)."""
    labels = []
    if service.step_free:
        labels.append("Step-free access")
    if service.booking == Booking.DROP_IN:
        labels.append("Drop in")
    elif service.booking == Booking.BOOKING_NEEDED:
        labels.append("Booking needed")
    if service.online_option:
        labels.append("Online")
    if service.phone_option:
        labels.append("By phone")
    if service.home_visits:
        labels.append("Home visits")
    return labels


def cost_words(option: CostOption) -> str:
    """For example, "Per session: £3.00 (tea included)", or "Free"."""
    amount = ""
    if option.amount is not None:
        currency = option.currency.strip().upper()
        if option.amount == 0:
            amount = "Free"
        elif currency in ("", "GBP"):
            amount = f"£{option.amount:,.2f}"
        else:
            amount = f"{option.amount:,.2f} {currency}"
    words = ": ".join(part for part in (option.option.strip(), amount) if part)
    note = option.amount_description.strip()
    if note:
        words = f"{words} ({note})" if words else note
    return words


def age_words(service: Service) -> str:
    low, high = service.minimum_age, service.maximum_age
    if low is not None and high is not None:
        return f"{low:g} to {high:g}"
    if low is not None:
        return f"{low:g} and over"
    if high is not None:
        return f"Up to {high:g}"
    return ""


def yes_no(value: bool | None) -> str:
    return "" if value is None else ("Yes" if value else "No")


def summary_line(text: str, limit: int = 160) -> str:
    """The first paragraph of a description, cut at a word before `limit` characters."""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if len(first) <= limit:
        return first
    cut = first[:limit].rsplit(" ", 1)[0].rstrip(",;:.")
    return f"{cut}…"


def provider_name(service: Service) -> str:
    try:
        return service.organization.name if service.organization is not None else ""
    except Organization.DoesNotExist:  # an HSDS reference to a provider we were never given
        return ""


# --- Search --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResultRow:
    service: Service
    provider: str
    summary: str
    when: list[str]
    journey: str
    in_area: bool
    cost: str
    flags: list[str]
    checked: str
    stale: bool


def result_rows(results: SearchResults, entries: dict[uuid.UUID, Service], today: dt.date) -> list[ResultRow]:
    rows = []
    for hit in results.hits:
        service = entries.get(hit.service_id)
        if service is None:
            continue
        rows.append(_row(hit, service, today))
    return rows


def _row(hit: SearchHit, service: Service, today: dt.date) -> ResultRow:
    return ResultRow(
        service=service,
        provider=provider_name(service),
        summary=summary_line(service.description),
        when=when_lines(service, today)[:3],
        journey=journey_words(hit.journey) if hit.journey is not None else "",
        in_area=hit.in_service_area,
        cost=service.get_cost_band_display() if service.cost_band else "",
        flags=flags(service),
        checked=last_checked(service),
        stale=service.state == EntryState.STALE,
    )


@dataclass(frozen=True)
class PageLink:
    number: int | None  # None for an ellipsis
    url: str
    current: bool


@dataclass(frozen=True)
class Pagination:
    previous: str
    next: str
    pages: list[PageLink]


def pagination(request: HttpRequest, page: int, total_pages: int) -> Pagination | None:
    """GOV.UK pagination: previous and next, the first and last pages and those around this one."""
    if total_pages <= 1:
        return None
    query: QueryDict = request.GET.copy()

    def url(number: int) -> str:
        query["page"] = str(number)
        return f"?{query.urlencode()}"

    shown = sorted({1, total_pages, page - 1, page, page + 1} & set(range(1, total_pages + 1)))
    pages: list[PageLink] = []
    for number in shown:
        if pages and pages[-1].number is not None and number - pages[-1].number > 1:
            pages.append(PageLink(None, "", False))
        pages.append(PageLink(number, url(number), number == page))
    return Pagination(
        previous=url(page - 1) if page > 1 else "",
        next=url(page + 1) if page < total_pages else "",
        pages=pages,
    )


def page_number(request: HttpRequest) -> int:
    try:
        return max(1, min(int(request.GET.get("page", "1")), 10_000))
    except ValueError:
        return 1


def query_from(data: dict[str, Any], page: int, **extra: Any) -> DirectoryQuery:
    """A search form's cleaned data as the search engine's query."""
    only = set(data.get("only") or ())
    category = data.get("category") or ""
    distance = data.get("distance")
    return DirectoryQuery(
        text=data.get("q") or "",
        taxonomy_term_ids=(uuid.UUID(category),) if category else (),
        postcode=data.get("postcode") or "",
        max_km=float(distance) if distance and data.get("postcode") else None,
        day=int(data["day"]) if data.get("day") not in (None, "") else None,
        this_week="this_week" in only,
        free_only="free" in only,
        step_free="step_free" in only,
        online="online" in only,
        page=page,
        per_page=PER_PAGE,
        **extra,
    )


def category_choices() -> list[tuple[str, str]]:
    return [(str(term.pk), term.name) for term in selectors.taxonomy_terms_for_filters()]


@require_GET
def directory_search(request: HttpRequest) -> HttpResponse:
    """Search the directory: everything, by name, when nothing has been asked yet."""
    form = SearchForm(request.GET or None, categories=category_choices())
    page = page_number(request)
    results: SearchResults | None = None
    if not form.is_bound:
        results = search.search_services(DirectoryQuery(page=page, per_page=PER_PAGE))
    elif form.is_valid():
        try:
            results = search.search_services(query_from(form.cleaned_data, page))
        except DomainError as error:
            add_service_errors(form, error)
    today = local_today()
    rows: list[ResultRow] = []
    if results is not None:
        entries = selectors.services_by_ids([hit.service_id for hit in results.hits])
        rows = result_rows(results, entries, today)
    postcode = form.cleaned_data.get("postcode", "") if form.is_bound and form.is_valid() else ""
    context = {
        "form": form,
        "results": results,
        "rows": rows,
        "pagination": pagination(request, page, results.total_pages) if results else None,
        "postcode": postcode,
        "more_filters_open": bool(
            form.is_bound
            and (request.GET.get("category") or request.GET.get("day") or request.GET.getlist("only"))
        ),
        "attribution": POSTCODE_ATTRIBUTION,
    }
    return render(request, "directory/search.html", context)


# --- An entry's page -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Venue:
    location: Location
    address_lines: list[str]
    journey: str


def locations(service: Service) -> list[Location]:
    """The entry's venues (HSDS references to venues we were never given are left out)."""
    found: list[Location] = []
    for link in service.service_at_locations.all():
        try:
            location: Location | None = link.location
        except Location.DoesNotExist:
            continue
        if location is not None:
            found.append(location)
    return found


def venues(service: Service, place: geography.Place | None) -> list[Venue]:
    found = []
    for location in locations(service):
        addresses = list(location.addresses.all())
        lines: list[str] = []
        if addresses:
            address = addresses[0]
            lines = [
                part.strip()
                for part in (address.address_1, address.address_2, address.city, address.postal_code)
                if part.strip()
            ]
        journey = ""
        if place is not None and location.latitude is not None and location.longitude is not None:
            km = geography.distance_km(place.latitude, place.longitude, location.latitude, location.longitude)
            journey = journey_words(geography.journey(km))
        found.append(Venue(location, lines, journey))
    return found


def entry_context(service: Service, today: dt.date, place: geography.Place | None = None) -> dict[str, Any]:
    """Everything an entry's page says about it, for the public page and the editors' page."""
    places = locations(service)
    return {
        "service": service,
        "provider": provider_name(service),
        "when": when_lines(service, today),
        "closures": closure_lines(service, today),
        "sessions": next_sessions(service, today),
        "venues": venues(service, place),
        "costs": [cost_words(option) for option in service.cost_options.all()],
        "ages": age_words(service),
        "checked": last_checked(service),
        "checked_words": checked_words(service) or assured_words(service) or "Not checked yet",
        "stale_warning": stale_warning(service, today),
        "status_notice": STATUS_NOTICE.get(service.status.strip().lower(), ""),
        "categories": page_selectors.entry_categories(service),
        "yes_no": {
            name: yes_no(getattr(service, name))
            for name in (
                "newcomers_met",
                "companion_free",
                "step_free",
                "accessible_toilet",
                "hearing_loop",
                "near_public_transport",
                "parking",
                "online_option",
                "phone_option",
                "home_visits",
            )
        },
        "accessibility": [row for location in places for row in location.accessibility.all()],
        "languages": sorted(
            {language.name.strip() for language in service.languages.all() if language.name.strip()}
            | {
                language.name.strip()
                for location in places
                for language in location.languages.all()
                if language.name.strip()
            }
        ),
        "phones": [
            *(phone for phone in service.phones.all() if phone.number.strip()),
            *(phone for location in places for phone in location.phones.all() if phone.number.strip()),
        ],
    }


def _place(postcode: str) -> geography.Place | None:
    if not postcode.strip():
        return None
    try:
        return geography.locate(postcode)
    except DomainError:
        return None


@require_GET
def directory_entry(request: HttpRequest, service_id: uuid.UUID) -> HttpResponse:
    service = page_selectors.public_entry_get(service_id)
    postcode = request.GET.get("postcode", "")[:10]
    place = _place(postcode)
    context = entry_context(service, local_today(), place)
    context["postcode"] = geography.normalise_postcode(postcode) if place else ""
    return render(request, "directory/entry.html", context)


# --- The public's forms ------------------------------------------------------------------------------


def _public_form(
    request: HttpRequest,
    form: SuggestForm | ProblemForm | ClaimForm,
    template: str,
    context: dict[str, Any],
    send: Any,
    done_url: str,
) -> HttpResponse:
    """A public form: a honeypot for spam, service errors on the fields, the rate limit as a 429."""
    status = 200
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if data.pop("website", ""):
            return redirect(done_url)  # only automated spam fills the hidden field: store nothing
        try:
            send(data, client_ip(request))
        except DomainError as error:
            add_service_errors(form, error)
            status = error.status if isinstance(error, RateLimited) else 200
        else:
            return redirect(done_url)
    return render(request, template, {"form": form, **context}, status=status)


def suggest(request: HttpRequest) -> HttpResponse:
    form = SuggestForm(posted(request))
    return _public_form(
        request,
        form,
        "directory/suggest.html",
        {},
        lambda data, ip: services.service_suggest(details=data, ip_address=ip),
        reverse("directory_suggest_sent"),
    )


@require_GET
def suggest_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "directory/suggest_sent.html")


def report_problem(request: HttpRequest, service_id: uuid.UUID) -> HttpResponse:
    service = page_selectors.public_entry_get(service_id)
    form = ProblemForm(posted(request))
    return _public_form(
        request,
        form,
        "directory/report.html",
        {"service": service},
        lambda data, ip: services.problem_report(service=service, details=data, ip_address=ip),
        reverse("directory_report_sent", args=[service.pk]),
    )


@require_GET
def report_sent(request: HttpRequest, service_id: uuid.UUID) -> HttpResponse:
    service = page_selectors.public_entry_get(service_id)
    return render(request, "directory/report_sent.html", {"service": service})


def claim_listing(request: HttpRequest, service_id: uuid.UUID) -> HttpResponse:
    service = page_selectors.public_entry_get(service_id)
    form = ClaimForm(posted(request))
    return _public_form(
        request,
        form,
        "directory/claim.html",
        {"service": service},
        lambda data, ip: services.listing_claim(service=service, details=data, ip_address=ip),
        reverse("directory_claim_sent", args=[service.pk]),
    )


@require_GET
def claim_sent(request: HttpRequest, service_id: uuid.UUID) -> HttpResponse:
    service = page_selectors.public_entry_get(service_id)
    return render(request, "directory/claim_sent.html", {"service": service})
