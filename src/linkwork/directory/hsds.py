"""Directory records as HSDS 3.0 objects: the JSON shapes of the compiled schemas and the columns of the
tabular datapackage, for export and the Open Referral UK API.

Rules every object follows:

- Optional fields without a value are left out: no nulls, no empty strings, no empty lists. Fields the
  schema requires are always there (an empty string if the record has nothing; `address_type` and
  `location_type` fall back to "physical", a service's `status` to "active").
- Numbers that are whole are written as integers (35, not 35.0); dates as YYYY-MM-DD; times as
  HH:MM:SS, as in the official examples; `last_modified` as UTC with milliseconds and a "Z".
- Web addresses given without a scheme ("www.example.org") gain "https://" in the fields the schemas
  mark as `uri`; anything else is written as stored.
- Every object carries the foreign keys it has (a phone its `service_id`, `location_id`, ...), so a
  record shared by several parents, like the official example's phone, keeps all its links.
- Each object has its `attributes` (rows whose `link_id` is its id, whatever their `link_entity`) and
  `metadata` (rows whose `resource_id` is its id).
- A service's connector facts (`connector_facts.FACTS`) and closures are written as attributes under
  the linkwork connector taxonomy, with ids derived from the service, so exports are repeatable.
  Stored attribute rows with those terms on a service are skipped: the columns are the truth.
- A service's nested `organization` has the organisation's own fields, identifiers, funding,
  contacts, phones and programs, but not its locations (each service brings its own through
  `service_at_locations`) nor its other services. `organization_json(full=True)` has both; its
  locations leave out, as the export does, any used only by services outside the public directory
  (a draft's venue).
- Services a `Bundle` fetches itself (those of the service-at-locations it is given) come from the
  public directory only, so an entry archived a moment ago does not reappear through the search index.

Loading is done by `Bundle`, which reads everything around a set of services, service-at-locations or
organisations with a fixed number of queries whatever their number (about twenty for full objects).
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from django.db import models
from django.db.models import Exists, OuterRef, Q

from linkwork.directory import connector_facts as cf
from linkwork.directory.hsds_tables import COLUMNS
from linkwork.directory.models import (
    PUBLIC_STATES,
    Accessibility,
    Address,
    Attribute,
    Closure,
    Contact,
    CostOption,
    Funding,
    Language,
    Location,
    Metadata,
    Organization,
    OrganizationIdentifier,
    Phone,
    Program,
    RequiredDocument,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)

JSON = dict[str, Any]
M = TypeVar("M", bound=models.Model)

MODELS: dict[str, type[models.Model]] = {
    "organization": Organization,
    "program": Program,
    "service": Service,
    "attribute": Attribute,
    "service_at_location": ServiceAtLocation,
    "location": Location,
    "phone": Phone,
    "contact": Contact,
    "address": Address,
    "schedule": Schedule,
    "funding": Funding,
    "service_area": ServiceArea,
    "required_document": RequiredDocument,
    "language": Language,
    "accessibility": Accessibility,
    "taxonomy_term": TaxonomyTerm,
    "metadata": Metadata,
    "cost_option": CostOption,
    "organization_identifier": OrganizationIdentifier,
    "taxonomy": Taxonomy,
}

# The `required` lists of the HSDS 3.0 schemas (besides `id`).
REQUIRED: dict[str, frozenset[str]] = defaultdict(
    frozenset,
    {
        "organization": frozenset({"name", "description"}),
        "program": frozenset({"name", "description"}),
        "service": frozenset({"name", "status"}),
        "location": frozenset({"location_type"}),
        "phone": frozenset({"number"}),
        "address": frozenset(
            {"address_1", "city", "state_province", "postal_code", "country", "address_type"}
        ),
        "taxonomy_term": frozenset({"name", "description"}),
        "taxonomy": frozenset({"name", "description"}),
        "organization_identifier": frozenset({"identifier_type", "identifier"}),
        "metadata": frozenset(
            {
                "last_action_date",
                "last_action_type",
                "field_name",
                "previous_value",
                "replacement_value",
                "updated_by",
            }
        ),
    },
)

# Required fields with an enumeration: what an empty value becomes, so the object stays valid.
REQUIRED_DEFAULTS: dict[tuple[str, str], str] = {
    ("address", "address_type"): "physical",
    ("location", "location_type"): "physical",
    ("service", "status"): "active",
}

# Columns whose model attribute has another name.
_ATTNAMES: dict[tuple[str, str], str] = {("taxonomy_term", "taxonomy_id"): "taxonomy_detail_id"}

# Columns with `"format": "uri"` in the HSDS datapackage.
URI_COLUMNS: frozenset[tuple[str, str]] = frozenset(
    {
        ("organization", "website"),
        ("organization", "uri"),
        ("service", "url"),
        ("location", "url"),
        ("schedule", "schedule_link"),
        ("required_document", "uri"),
        ("accessibility", "url"),
        ("taxonomy_term", "term_uri"),
        ("taxonomy", "uri"),
    }
)

_BARE_WEB_ADDRESS = re.compile(r"(?i)(www\.)?[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}(/\S*)?")

FACT_TERM_IDS = frozenset({*cf.FACTS_BY_TERM_ID, cf.CLOSURE_TERM_ID})
CLOSURE_TERM_NAME = "Closed for a while"
CLOSURE_TERM_DESCRIPTION = (
    "Dates when the service does not run, such as school holidays. The value is the first and last day "
    "closed, as YYYY-MM-DD/YYYY-MM-DD, then the reason."
)


# --- Values ------------------------------------------------------------------------------------


def iso_datetime(moment: dt.datetime) -> str:
    """UTC with milliseconds and a Z, as HSDS's `last_modified` example: 2023-03-15T10:30:45.123Z."""
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def json_value(value: Any) -> Any:
    """A model value as JSON, or None for "no value" (left out)."""
    if value is None or value == "":
        return None
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, dt.datetime):
        return iso_datetime(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S")
    return str(value)


def web_address(value: str) -> str:
    """A bare domain gains https://; anything else is kept as it is."""
    text = value.strip()
    if "://" not in text and _BARE_WEB_ADDRESS.fullmatch(text):
        return f"https://{text}"
    return text


def row(table: str, obj: models.Model) -> JSON:
    """One record's own columns as an HSDS object, without nested objects."""
    out: JSON = {}
    required = REQUIRED[table]
    for column in COLUMNS[table]:
        value = json_value(getattr(obj, _ATTNAMES.get((table, column), column)))
        if value is None:
            if column in required:
                out[column] = REQUIRED_DEFAULTS.get((table, column), "")
            continue
        if (table, column) in URI_COLUMNS and isinstance(value, str):
            value = web_address(value)
        out[column] = value
    return out


def service_modified(service: Service) -> dt.datetime:
    """When the entry last changed: its HSDS `last_modified`, else when linkwork last saved it."""
    return service.last_modified or service.updated_at


def service_row(service: Service) -> JSON:
    """A service's own columns; `last_modified` falls back to when linkwork last saved the entry."""
    out = row("service", service)
    if "last_modified" not in out and service.updated_at is not None:
        out["last_modified"] = iso_datetime(service.updated_at)
    return out


def csv_row(table: str, obj: models.Model) -> list[str]:
    """One record as a row of the table's CSV file (empty cells for no value)."""
    record = service_row(obj) if isinstance(obj, Service) else row(table, obj)
    return ["" if record.get(column) is None else str(record[column]) for column in COLUMNS[table]]


# --- The linkwork connector taxonomy -----------------------------------------------------------


def connector_taxonomy() -> Taxonomy:
    """The taxonomy of connector facts, as a record (unsaved: it need not be in the database)."""
    return Taxonomy(
        id=cf.TAXONOMY_ID,
        name=cf.TAXONOMY_NAME,
        description=cf.TAXONOMY_DESCRIPTION,
        uri=cf.TAXONOMY_URI,
        version=cf.TAXONOMY_VERSION,
    )


def connector_terms() -> list[TaxonomyTerm]:
    """Its terms: one per fact and one for closures (unsaved records with fixed ids)."""
    terms = [
        TaxonomyTerm(
            id=fact.term_id,
            code=fact.code,
            name=fact.name,
            description=fact.description,
            taxonomy=cf.TAXONOMY_NAME,
            taxonomy_detail_id=cf.TAXONOMY_ID,
            term_uri=f"{cf.TAXONOMY_URI}#{fact.code}",
        )
        for fact in cf.FACTS
    ]
    terms.append(
        TaxonomyTerm(
            id=cf.CLOSURE_TERM_ID,
            code=cf.CLOSURE_CODE,
            name=CLOSURE_TERM_NAME,
            description=CLOSURE_TERM_DESCRIPTION,
            taxonomy=cf.TAXONOMY_NAME,
            taxonomy_detail_id=cf.TAXONOMY_ID,
            term_uri=f"{cf.TAXONOMY_URI}#{cf.CLOSURE_CODE}",
        )
    )
    return terms


CONNECTOR_TERMS: dict[uuid.UUID, TaxonomyTerm] = {term.id: term for term in connector_terms()}


def fact_attributes(service: Service, closures: Iterable[Closure]) -> list[Attribute]:
    """A service's connector facts and closures as attribute records (unsaved, with repeatable ids)."""
    attributes = [
        Attribute(
            id=uuid.uuid5(cf.NAMESPACE, f"attribute:{service.id}:{fact.code}"),
            link_id=service.id,
            taxonomy_term_id=fact.term_id,
            link_entity="service",
            value=value,
        )
        for fact, value in cf.fact_values(service)
    ]
    for closure in closures:
        period = f"{closure.starts_on.isoformat()}/{closure.ends_on.isoformat()}"
        attributes.append(
            Attribute(
                id=uuid.uuid5(cf.NAMESPACE, f"closure:{service.id}:{period}"),
                link_id=service.id,
                taxonomy_term_id=cf.CLOSURE_TERM_ID,
                link_entity="service",
                value=f"{period} {closure.reason}".strip(),
            )
        )
    return attributes


# --- Loading -----------------------------------------------------------------------------------


def _group(rows: Iterable[M], *attnames: str) -> dict[str, dict[Any, list[M]]]:
    """Rows indexed by each of their foreign keys: {"service_id": {service id: [rows]}, ...}."""
    index: dict[str, dict[Any, list[M]]] = {name: defaultdict(list) for name in attnames}
    for record in rows:
        for name in attnames:
            key = getattr(record, name)
            if key is not None:
                index[name][key].append(record)
    return index


def _any_of(**lookups: set[uuid.UUID]) -> Q | None:
    """OR of `field__in=ids` for the non-empty id sets; None when there is nothing to look for."""
    condition: Q | None = None
    for lookup, ids in lookups.items():
        if ids:
            part = Q(**{f"{lookup}__in": ids})
            condition = part if condition is None else condition | part
    return condition


def _fetch(
    model: type[M],
    condition: Q | None,
    *,
    select: Sequence[str] = (),
    own_services: set[uuid.UUID] | None = None,
) -> list[M]:
    """Rows matching `condition`. With `own_services`, rows that also belong to a service outside the
    public directory are left out (unless it is one of `own_services`): a draft's phone shared with a
    published location stays private."""
    if condition is None:
        return []
    queryset = model._default_manager.filter(condition).order_by("pk")
    if own_services is not None:
        hidden = Service.objects.exclude(state__in=PUBLIC_STATES).exclude(id__in=own_services).values("id")
        queryset = queryset.exclude(service_id__in=hidden)
    if select:
        queryset = queryset.select_related(*select)
    return list(queryset)


def _organization_locations(org_ids: set[uuid.UUID], own_services: set[uuid.UUID]) -> Q:
    """The organisations' locations, except those used only by services outside the public directory
    (other than `own_services`): the export's rule. A location no service uses is the organisation's."""
    places = ServiceAtLocation.objects.filter(location_id=OuterRef("id"))
    hidden = Service.objects.exclude(state__in=PUBLIC_STATES).exclude(id__in=own_services).values("id")
    shown = places.exclude(service_id__in=hidden)
    return Q(organization_id__in=org_ids) & (~Q(Exists(places)) | Q(Exists(shown)))


class Bundle:
    """Everything needed to write some services, service-at-locations or organisations as HSDS.

    `full=False` loads what list items need (organisations, programs, locations); `full=True` loads
    every nested object. `organization_locations=True` also loads each organisation's locations, for
    full organisation objects. The number of queries does not depend on how many records are asked for.
    """

    def __init__(
        self,
        *,
        services: Sequence[Service] = (),
        service_at_locations: Sequence[ServiceAtLocation] = (),
        organizations: Sequence[Organization] = (),
        full: bool,
        organization_locations: bool = False,
    ) -> None:
        self.full = full
        self.services: dict[uuid.UUID, Service] = {service.id: service for service in services}
        self.organizations: dict[uuid.UUID, Organization] = {org.id: org for org in organizations}
        self._org_json: dict[uuid.UUID, JSON] = {}
        self._location_json: dict[uuid.UUID, JSON] = {}
        self._load(list(service_at_locations), organization_locations)

    # Loading happens once, in this order, so each step knows the ids the earlier ones found.
    def _load(self, given_sals: list[ServiceAtLocation], organization_locations: bool) -> None:
        missing = {sal.service_id for sal in given_sals if sal.service_id} - set(self.services)
        if missing:
            public = Q(id__in=missing, state__in=PUBLIC_STATES)
            self.services.update((s.id, s) for s in _fetch(Service, public))
        service_ids = set(self.services)
        org_ids = {s.organization_id for s in self.services.values() if s.organization_id} - set(
            self.organizations
        )
        self.organizations.update((o.id, o) for o in _fetch(Organization, _any_of(id=org_ids)))
        org_ids = set(self.organizations)

        sals = {sal.id: sal for sal in given_sals}
        if self.full:
            sals.update((sal.id, sal) for sal in _fetch(ServiceAtLocation, _any_of(service_id=service_ids)))
        self.sals = sals
        self.sals_of = _group(sals.values(), "service_id")["service_id"]

        program_ids = {s.program_id for s in self.services.values() if s.program_id}
        programs = _fetch(
            Program,
            _any_of(id=program_ids, organization_id=org_ids if self.full else set()),
        )
        self.programs = {program.id: program for program in programs}
        self.programs_of = _group(programs, "organization_id")["organization_id"]

        location_ids = {sal.location_id for sal in sals.values() if sal.location_id}
        wanted = _any_of(id=location_ids)
        if organization_locations and org_ids:
            theirs = _organization_locations(org_ids, service_ids)
            wanted = theirs if wanted is None else wanted | theirs
        locations = _fetch(Location, wanted)
        self.locations = {location.id: location for location in locations}
        self.locations_of = _group(locations, "organization_id")["organization_id"]
        if not self.full:
            return

        location_ids = set(self.locations)
        sal_ids = set(sals)
        contacts = _fetch(
            Contact,
            _any_of(
                service_id=service_ids,
                organization_id=org_ids,
                service_at_location_id=sal_ids,
                location_id=location_ids,
            ),
            own_services=service_ids,
        )
        self.contacts = _group(
            contacts, "service_id", "organization_id", "service_at_location_id", "location_id"
        )
        phones = _fetch(
            Phone,
            _any_of(
                service_id=service_ids,
                organization_id=org_ids,
                service_at_location_id=sal_ids,
                location_id=location_ids,
                contact_id={contact.id for contact in contacts},
            ),
            own_services=service_ids,
        )
        self.phones = _group(
            phones, "service_id", "organization_id", "service_at_location_id", "location_id", "contact_id"
        )
        languages = _fetch(
            Language,
            _any_of(service_id=service_ids, location_id=location_ids, phone_id={p.id for p in phones}),
            own_services=service_ids,
        )
        self.languages = _group(languages, "service_id", "location_id", "phone_id")
        schedules = _fetch(
            Schedule,
            _any_of(service_id=service_ids, location_id=location_ids, service_at_location_id=sal_ids),
            own_services=service_ids,
        )
        self.schedules = _group(schedules, "service_id", "location_id", "service_at_location_id")
        addresses = _fetch(Address, _any_of(location_id=location_ids))
        self.addresses = _group(addresses, "location_id")["location_id"]
        accessibility = _fetch(Accessibility, _any_of(location_id=location_ids))
        self.accessibility = _group(accessibility, "location_id")["location_id"]
        service_areas = _fetch(ServiceArea, _any_of(service_id=service_ids))
        self.service_areas = _group(service_areas, "service_id")["service_id"]
        cost_options = _fetch(CostOption, _any_of(service_id=service_ids))
        self.cost_options = _group(cost_options, "service_id")["service_id"]
        documents = _fetch(RequiredDocument, _any_of(service_id=service_ids))
        self.required_documents = _group(documents, "service_id")["service_id"]
        funding = _fetch(
            Funding, _any_of(service_id=service_ids, organization_id=org_ids), own_services=service_ids
        )
        self.funding = _group(funding, "service_id", "organization_id")
        identifiers = _fetch(OrganizationIdentifier, _any_of(organization_id=org_ids))
        self.identifiers = _group(identifiers, "organization_id")["organization_id"]
        closures = list(Closure.objects.filter(service_id__in=service_ids).order_by("starts_on", "pk"))
        self.closures = _group(closures, "service_id")["service_id"]

        linked: set[uuid.UUID] = {
            *service_ids,
            *org_ids,
            *sal_ids,
            *location_ids,
            *self.programs,
            *(record.pk for group in (contacts, phones, languages, schedules, addresses) for record in group),
            *(
                record.pk
                for group in (accessibility, service_areas, cost_options, documents)
                for record in group
            ),
            *(record.pk for group in (funding, identifiers) for record in group),
        }
        attributes = [
            attribute
            for attribute in _fetch(Attribute, _any_of(link_id=linked))
            if not (attribute.taxonomy_term_id in FACT_TERM_IDS and attribute.link_id in service_ids)
        ]
        self.attributes = _group(attributes, "link_id")["link_id"]
        term_ids = {a.taxonomy_term_id for a in attributes if a.taxonomy_term_id} - FACT_TERM_IDS
        terms = _fetch(TaxonomyTerm, _any_of(id=term_ids), select=["taxonomy_detail"])
        self.terms: dict[uuid.UUID, TaxonomyTerm] = {**CONNECTOR_TERMS, **{t.id: t for t in terms}}
        taxonomy_ids = {t.taxonomy_detail_id for t in terms if t.taxonomy_detail_id}
        metadata = _fetch(
            Metadata,
            _any_of(resource_id={*linked, *(a.id for a in attributes), *term_ids, *taxonomy_ids}),
        )
        self.metadata = _group(metadata, "resource_id")["resource_id"]

    # --- Writing ---------------------------------------------------------------------------------

    def _with_extras(self, out: JSON, record_id: uuid.UUID) -> JSON:
        self._put(out, "attributes", [self.attribute_json(a) for a in self.attributes.get(record_id, [])])
        self._put(out, "metadata", [row("metadata", m) for m in self.metadata.get(record_id, [])])
        return out

    @staticmethod
    def _put(out: JSON, key: str, value: Any) -> None:
        if value:
            out[key] = value

    def attribute_json(self, attribute: Attribute) -> JSON:
        out = row("attribute", attribute)
        term = self.terms.get(attribute.taxonomy_term_id) if attribute.taxonomy_term_id else None
        if term is not None:
            out["taxonomy_term"] = self.term_json(term)
        self._put(out, "metadata", [row("metadata", m) for m in self.metadata.get(attribute.id, [])])
        return out

    def term_json(self, term: TaxonomyTerm) -> JSON:
        out = taxonomy_term_json(term)
        self._put(out, "metadata", [row("metadata", m) for m in self.metadata.get(term.id, [])])
        return out

    def phone_json(self, phone: Phone) -> JSON:
        out = row("phone", phone)
        self._put(
            out, "languages", [self.language_json(x) for x in self.languages["phone_id"].get(phone.id, [])]
        )
        return self._with_extras(out, phone.id)

    def language_json(self, language: Language) -> JSON:
        return self._with_extras(row("language", language), language.id)

    def contact_json(self, contact: Contact) -> JSON:
        out = row("contact", contact)
        self._put(out, "phones", [self.phone_json(p) for p in self.phones["contact_id"].get(contact.id, [])])
        return self._with_extras(out, contact.id)

    def _plain(self, table: str, records: Iterable[models.Model]) -> list[JSON]:
        return [self._with_extras(row(table, record), record.pk) for record in records]

    def location_json(self, location: Location) -> JSON:
        """A location: its own fields only for list items, everything nested when loaded in full."""
        if not self.full:
            return row("location", location)
        cached = self._location_json.get(location.id)
        if cached is not None:
            return cached
        key = location.id
        out = row("location", location)
        self._put(
            out, "languages", [self.language_json(x) for x in self.languages["location_id"].get(key, [])]
        )
        self._put(out, "addresses", self._plain("address", self.addresses.get(key, [])))
        self._put(out, "contacts", [self.contact_json(x) for x in self.contacts["location_id"].get(key, [])])
        self._put(out, "accessibility", self._plain("accessibility", self.accessibility.get(key, [])))
        self._put(out, "phones", [self.phone_json(x) for x in self.phones["location_id"].get(key, [])])
        self._put(out, "schedules", self._plain("schedule", self.schedules["location_id"].get(key, [])))
        self._location_json[key] = self._with_extras(out, key)
        return self._location_json[key]

    def service_at_location_json(self, sal: ServiceAtLocation, *, with_service: bool = False) -> JSON:
        """A service at a location; `with_service` adds the service (in full when loaded in full)."""
        out = row("service_at_location", sal)
        if self.full:
            key = sal.id
            self._put(
                out,
                "contacts",
                [self.contact_json(x) for x in self.contacts["service_at_location_id"].get(key, [])],
            )
            self._put(
                out,
                "phones",
                [self.phone_json(x) for x in self.phones["service_at_location_id"].get(key, [])],
            )
            self._put(
                out,
                "schedules",
                self._plain("schedule", self.schedules["service_at_location_id"].get(key, [])),
            )
        location = self.locations.get(sal.location_id) if sal.location_id else None
        if location is not None:
            out["location"] = self.location_json(location)
        if self.full:
            self._with_extras(out, sal.id)
        if with_service:
            service = self.services.get(sal.service_id) if sal.service_id else None
            if service is not None:
                out["service"] = self.service_json(service, with_locations=False)
        return out

    def organization_json(
        self, organization: Organization, *, full: bool = False, services: Sequence[JSON] = ()
    ) -> JSON:
        """An organisation: its own fields, or (full) everything about it, with `services` given."""
        if not self.full:
            return row("organization", organization)
        key = organization.id
        if key not in self._org_json:
            out = row("organization", organization)
            self._put(out, "funding", self._plain("funding", self.funding["organization_id"].get(key, [])))
            self._put(
                out, "contacts", [self.contact_json(x) for x in self.contacts["organization_id"].get(key, [])]
            )
            self._put(
                out, "phones", [self.phone_json(x) for x in self.phones["organization_id"].get(key, [])]
            )
            self._put(out, "programs", self._plain("program", self.programs_of.get(key, [])))
            self._put(
                out,
                "organization_identifiers",
                self._plain("organization_identifier", self.identifiers.get(key, [])),
            )
            self._org_json[key] = self._with_extras(out, key)
        nested = self._org_json[key]
        if not full:
            return nested
        out = dict(nested)
        self._put(out, "locations", [self.location_json(x) for x in self.locations_of.get(key, [])])
        self._put(out, "services", list(services))
        return out

    def service_json(
        self, service: Service, *, with_locations: bool = True, with_organization: bool = True
    ) -> JSON:
        """A service: list form (own fields, organisation and program) or, loaded in full, everything."""
        out = service_row(service)
        if not self.full:
            return self._summary_links(out, service, with_organization)
        key = service.id
        self._put(out, "phones", [self.phone_json(x) for x in self.phones["service_id"].get(key, [])])
        self._put(out, "schedules", self._plain("schedule", self.schedules["service_id"].get(key, [])))
        self._put(out, "service_areas", self._plain("service_area", self.service_areas.get(key, [])))
        if with_locations:
            self._put(
                out,
                "service_at_locations",
                [self.service_at_location_json(x) for x in self.sals_of.get(key, [])],
            )
        self._put(
            out, "languages", [self.language_json(x) for x in self.languages["service_id"].get(key, [])]
        )
        organization = self.organizations.get(service.organization_id) if service.organization_id else None
        if with_organization and organization is not None:
            out["organization"] = self.organization_json(organization)
        self._put(out, "funding", self._plain("funding", self.funding["service_id"].get(key, [])))
        self._put(out, "cost_options", self._plain("cost_option", self.cost_options.get(key, [])))
        program = self.programs.get(service.program_id) if service.program_id else None
        if program is not None:
            out["program"] = self._with_extras(row("program", program), program.id)
        self._put(
            out, "required_documents", self._plain("required_document", self.required_documents.get(key, []))
        )
        self._put(out, "contacts", [self.contact_json(x) for x in self.contacts["service_id"].get(key, [])])
        attributes = [self.attribute_json(a) for a in self.attributes.get(key, [])]
        attributes += [self.attribute_json(a) for a in fact_attributes(service, self.closures.get(key, []))]
        self._put(out, "attributes", attributes)
        self._put(out, "metadata", [row("metadata", m) for m in self.metadata.get(key, [])])
        return out

    def _summary_links(self, out: JSON, service: Service, with_organization: bool) -> JSON:
        organization = self.organizations.get(service.organization_id) if service.organization_id else None
        if with_organization and organization is not None:
            out["organization"] = row("organization", organization)
        program = self.programs.get(service.program_id) if service.program_id else None
        if program is not None:
            out["program"] = row("program", program)
        return out


def taxonomy_json(taxonomy: Taxonomy) -> JSON:
    return row("taxonomy", taxonomy)


def taxonomy_term_json(term: TaxonomyTerm, taxonomy: Taxonomy | None = None) -> JSON:
    """A term with its `taxonomy_detail` when the taxonomy is known (given, loaded, or linkwork's)."""
    out = row("taxonomy_term", term)
    if taxonomy is None and term.taxonomy_detail_id is not None:
        if term.taxonomy_detail_id == cf.TAXONOMY_ID:
            taxonomy = connector_taxonomy()
        elif TaxonomyTerm.taxonomy_detail.is_cached(term):
            taxonomy = term.taxonomy_detail
    if taxonomy is not None:
        out["taxonomy_detail"] = taxonomy_json(taxonomy)
    return out


def minimal_service_json(service: Service) -> JSON:
    """`/services?minimal=true`: the id and when it changed, with the name and status the schema requires."""
    return {
        "id": str(service.id),
        "name": service.name,
        "status": service.status or "active",
        "last_modified": iso_datetime(service_modified(service)),
    }


def services_json(services: Sequence[Service], *, full: bool) -> list[JSON]:
    """Services in the order given, as list items or full objects."""
    bundle = Bundle(services=services, full=full)
    return [bundle.service_json(service) for service in services]
