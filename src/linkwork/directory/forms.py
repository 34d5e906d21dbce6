"""Forms for the directory's pages: the public search and the public's three forms, and the editors'
search, entry, address, session, closure and decision forms.

Public forms leave the rules to the services (which name the field at fault), so the words people see
are the same whichever way a submission arrives.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Any, ClassVar

from django import forms
from django.http import QueryDict

from linkwork.core.errors import ValidationFailed
from linkwork.directory import geography
from linkwork.directory.connector_facts import FACTS, Fact
from linkwork.directory.models import EntryState, Organization, ProblemKind, Service, VerificationMethod
from linkwork.directory.recurrence import DAY_CODES, DAY_NAMES

DISTANCE_CHOICES = [("", "Any distance"), ("1", "Within 1 km"), ("2", "Within 2 km"), ("5", "Within 5 km")]
DISTANCE_CHOICES += [("10", "Within 10 km"), ("20", "Within 20 km")]
MAX_KM = 1000
DAY_CHOICES = [("", "Any day"), *((str(number), name) for number, name in enumerate(DAY_NAMES))]
ONLY_CHOICES = [
    ("this_week", "Happening this week"),
    ("free", "Free"),
    ("step_free", "Step-free access"),
    ("online", "Online or by phone"),
]
DATE_HINT = "For example, 27/03/2026"
TIME_HINT = "Use the 24-hour clock, for example 14:30"


class SearchForm(forms.Form):
    """The public search (a GET form): words, category, distance from a postcode, day and a few musts."""

    q = forms.CharField(label="What are you looking for?", max_length=200, required=False)
    category = forms.ChoiceField(label="Type of activity", required=False, choices=[("", "Any type")])
    postcode = forms.CharField(
        label="Your postcode",
        max_length=10,
        required=False,
        help_text="To see what is nearby, with rough travel times. The first part, like W10, is enough.",
    )
    distance = forms.ChoiceField(label="How far", choices=DISTANCE_CHOICES, required=False)
    day = forms.ChoiceField(label="Day of the week", choices=DAY_CHOICES, required=False)
    only = forms.MultipleChoiceField(
        label="Only show",
        choices=ONLY_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, categories: Sequence[tuple[str, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "Any type"), *categories]  # type: ignore[attr-defined]
        self._bad_max_km = False
        if self.is_bound and self.data.get("max_km") and not self.data.get("distance"):
            self._take_max_km(str(self.data.get("max_km")))

    def _take_max_km(self, raw: str) -> None:
        """`max_km`, as the APIs name it, is an alias of `distance`: any distance up to MAX_KM."""
        try:
            km = float(raw)
        except ValueError:
            km = math.nan
        if not (math.isfinite(km) and 0 < km <= MAX_KM):
            self._bad_max_km = True
            return
        value = f"{km:g}"
        field = self.fields["distance"]
        if value not in {code for code, _ in DISTANCE_CHOICES}:
            field.choices = [*DISTANCE_CHOICES, (value, f"Within {value} km")]  # type: ignore[attr-defined]
        data = QueryDict(mutable=True)
        for key in self.data:
            data.setlist(
                key, list(self.data.getlist(key)) if hasattr(self.data, "getlist") else [self.data[key]]
            )
        data["distance"] = value
        self.data = data

    def clean_postcode(self) -> str:
        postcode: str = self.cleaned_data.get("postcode", "").strip()
        if not postcode:
            return ""
        try:
            geography.locate(postcode)
        except ValidationFailed as error:
            raise forms.ValidationError(error.fields.get("postcode", error.message)) from None
        return geography.normalise_postcode(postcode)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self._bad_max_km:
            self.add_error("distance", f"Enter how far in kilometres, a number up to {MAX_KM}, like 5.")
        if data.get("distance") and not data.get("postcode") and "postcode" not in self.errors:
            self.add_error("postcode", "Enter your postcode to search by distance.")
        return data


STATE_CHOICES = [
    ("", "In the public directory (published, review due or out of date)"),
    *((state.value, state.label) for state in EntryState),
]


class StaffSearchForm(SearchForm):
    """The staff search: the public filters, and for directory editors the state and owner filters."""

    state = forms.ChoiceField(
        label="State",
        choices=STATE_CHOICES,
        required=False,
        help_text="Entries that are not public are only shown if your organisation looks after them.",
    )
    ours = forms.BooleanField(label="Only entries my organisation looks after", required=False)

    def __init__(self, *args: Any, editor: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not editor:
            del self.fields["state"]
            del self.fields["ours"]


class HoneypotMixin(forms.Form):
    # A field people never see; automated spam fills it in.
    website = forms.CharField(label="Leave this empty", required=False)


class SuggestForm(HoneypotMixin):
    name = forms.CharField(label="Name of the service or activity", max_length=200, required=False)
    description = forms.CharField(
        label="What happens there, and who is it for?",
        widget=forms.Textarea,
        max_length=4000,
        required=False,
        help_text="For example: a weekly walk for anyone who wants company, at a gentle pace.",
    )
    organization_name = forms.CharField(
        label="Group or organisation that runs it", max_length=200, required=False
    )
    when = forms.CharField(
        label="When does it happen?",
        max_length=500,
        required=False,
        help_text="For example: Tuesdays 10am to 12pm, not in school holidays.",
    )
    where = forms.CharField(
        label="Where does it happen?", max_length=500, required=False, help_text="The address and postcode."
    )
    url = forms.CharField(label="Website (optional)", max_length=500, required=False)
    email = forms.CharField(label="E-mail address for the service (optional)", max_length=254, required=False)
    phone = forms.CharField(label="Phone number for the service (optional)", max_length=40, required=False)
    submitted_by_name = forms.CharField(label="Your name", max_length=150, required=False)
    submitted_by_email = forms.CharField(
        label="Your e-mail address",
        max_length=254,
        required=False,
        help_text="We will only use it if we have a question about the service.",
    )


class ProblemForm(HoneypotMixin):
    kind = forms.ChoiceField(
        label="What is wrong?", choices=ProblemKind.choices, widget=forms.RadioSelect, required=False
    )
    details = forms.CharField(
        label="Tell us more",
        widget=forms.Textarea,
        max_length=2000,
        required=False,
        help_text="For example, the right phone number or day. Do not include anyone's personal details.",
    )
    reporter_name = forms.CharField(label="Your name (optional)", max_length=150, required=False)
    reporter_email = forms.CharField(
        label="Your e-mail address (optional)",
        max_length=254,
        required=False,
        help_text="Only if you would like us to tell you what we did.",
    )

    def clean_kind(self) -> str:
        return str(self.cleaned_data.get("kind") or "")


class ClaimForm(HoneypotMixin):
    claimant_name = forms.CharField(label="Your name", max_length=150, required=False)
    claimant_role = forms.CharField(
        label="Your role",
        max_length=150,
        required=False,
        help_text="What you do at the organisation that runs the service, for example, group leader.",
    )
    claimant_email = forms.CharField(label="Your e-mail address", max_length=254, required=False)
    claimant_phone = forms.CharField(label="Your phone number (optional)", max_length=40, required=False)
    evidence = forms.CharField(
        label="How can we check you run it? (optional)",
        widget=forms.Textarea,
        max_length=2000,
        required=False,
        help_text="For example, a page on your website that names you, or someone we can ring.",
    )


# --- Staff editing -------------------------------------------------------------------------------------

YES_NO = [("", "Not known"), ("yes", "Yes"), ("no", "No")]
HSDS_STATUS_CHOICES = [
    ("active", "Running"),
    ("temporarily closed", "Temporarily closed"),
    ("inactive", "Not running at the moment"),
    ("defunct", "Closed for good"),
]


def _fact_field(fact: Fact) -> forms.Field:
    if fact.kind == "boolean":
        return forms.ChoiceField(label=fact.name, choices=YES_NO, required=False, widget=forms.RadioSelect)
    if fact.choices is not None:
        return forms.ChoiceField(
            label=fact.name,
            choices=[("", "Not known"), *fact.choices.choices],
            required=False,
            widget=forms.RadioSelect,
        )
    return forms.CharField(
        label=fact.name, help_text=fact.description, required=False, widget=forms.Textarea, max_length=2000
    )


class EntryForm(forms.Form):
    """An entry's own fields, its main phone number and the connector facts."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label="Name of the service or activity", max_length=200)
    organization_name = forms.CharField(label="Group or organisation that runs it", max_length=200)
    description = forms.CharField(label="What it is", widget=forms.Textarea, max_length=4000, required=False)
    status = forms.ChoiceField(label="Is it running?", choices=HSDS_STATUS_CHOICES, widget=forms.RadioSelect)
    alert = forms.CharField(
        label="Notice (optional)",
        max_length=1000,
        required=False,
        help_text="Shown at the top of the entry, for example: no session on 24 December.",
    )
    url = forms.CharField(label="Website", max_length=500, required=False)
    email = forms.CharField(label="E-mail address", max_length=254, required=False)
    phone = forms.CharField(label="Phone number", max_length=40, required=False)
    application_process = forms.CharField(
        label="How to join", widget=forms.Textarea, max_length=2000, required=False
    )
    fees_description = forms.CharField(label="Cost details", max_length=1000, required=False)
    eligibility_description = forms.CharField(
        label="Who can go", widget=forms.Textarea, max_length=2000, required=False
    )
    minimum_age = forms.IntegerField(
        label="Youngest age (optional)", min_value=0, max_value=120, required=False
    )
    maximum_age = forms.IntegerField(
        label="Oldest age (optional)", min_value=0, max_value=120, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for fact in FACTS:
            self.fields[fact.column] = _fact_field(fact)

    @staticmethod
    def initial_for(service: Service) -> dict[str, Any]:
        initial: dict[str, Any] = {
            name: getattr(service, name)
            for name in (
                "version",
                "name",
                "description",
                "status",
                "alert",
                "url",
                "email",
                "application_process",
                "fees_description",
                "eligibility_description",
            )
        }
        for name in ("minimum_age", "maximum_age"):
            value = getattr(service, name)
            initial[name] = int(value) if value is not None else None
        try:
            initial["organization_name"] = service.organization.name if service.organization else ""
        except Organization.DoesNotExist:  # an HSDS reference to a provider we were never given
            initial["organization_name"] = ""
        phone = next(iter(service.phones.all()), None)
        initial["phone"] = phone.number if phone is not None else ""
        for fact in FACTS:
            value = getattr(service, fact.column)
            if fact.kind == "boolean":
                initial[fact.column] = "" if value is None else ("yes" if value else "no")
            else:
                initial[fact.column] = value
        return initial

    def details(self) -> dict[str, Any]:
        """The cleaned data as `editing.service_update` takes it."""
        data = dict(self.cleaned_data)
        data.pop("version", None)
        for fact in FACTS:
            if fact.kind == "boolean":
                data[fact.column] = {"yes": True, "no": False}.get(data.get(fact.column) or "")
        return data


class LocationForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label="Name of the venue (optional)", max_length=200, required=False)
    address_1 = forms.CharField(label="Address line 1", max_length=200, required=False)
    address_2 = forms.CharField(label="Address line 2 (optional)", max_length=200, required=False)
    city = forms.CharField(label="Town or city", max_length=200, required=False)
    postal_code = forms.CharField(
        label="Postcode",
        max_length=10,
        required=False,
        help_text="Places the venue on the map, so people can find it by distance.",
    )
    transportation = forms.CharField(
        label="How to get there (optional)",
        widget=forms.Textarea,
        max_length=500,
        required=False,
        help_text="Buses, the nearest station, where to park, which door to use.",
    )


FREQUENCY_CHOICES = [
    ("weekly", "Every week"),
    ("fortnightly", "Every other week"),
    ("monthly", "Once a month, on the day chosen"),
    ("once", "Once only, on the date below"),
    ("words", "Something else: describe it below"),
]
ORDINAL_CHOICES = [
    ("1", "First"),
    ("2", "Second"),
    ("3", "Third"),
    ("4", "Fourth"),
    ("-1", "Last"),
]


class ScheduleForm(forms.Form):
    """A simple way to write an HSDS schedule: days, how often, a date, opening and closing times."""

    frequency = forms.ChoiceField(label="How often?", choices=FREQUENCY_CHOICES, widget=forms.RadioSelect)
    days = forms.MultipleChoiceField(
        label="Which days?",
        choices=list(zip(DAY_CODES, DAY_NAMES, strict=True)),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    ordinal = forms.ChoiceField(
        label="Which one in the month?",
        choices=ORDINAL_CHOICES,
        required=False,
        help_text="For sessions once a month, such as the first Friday.",
    )
    date = forms.DateField(
        label="Date",
        required=False,
        help_text=f"The date of a one-off session, or the first session of one every other week. {DATE_HINT}",
    )
    opens_at = forms.TimeField(label="Starts at", required=False, help_text=TIME_HINT)
    closes_at = forms.TimeField(label="Ends at", required=False, help_text=TIME_HINT)
    description = forms.CharField(
        label="Anything else about when (optional)",
        max_length=500,
        required=False,
        help_text="For example: term time only, or phone to book a time.",
    )

    # recurrence.problems() names HSDS fields; these are the fields of this form they belong to.
    FIELD_FOR_PROBLEM: ClassVar[dict[str, str]] = {
        "freq": "frequency",
        "byday": "days",
        "dtstart": "date",
        "interval": "frequency",
    }

    def schedule(self) -> dict[str, Any]:
        """The cleaned data as HSDS schedule fields for `editing.schedule_add`."""
        data = self.cleaned_data
        frequency = data["frequency"]
        days: list[str] = data.get("days") or []
        start: dt.date | None = data.get("date")
        fields: dict[str, Any] = {
            "opens_at": data.get("opens_at"),
            "closes_at": data.get("closes_at"),
            "description": data.get("description") or "",
        }
        if frequency in ("weekly", "fortnightly"):
            interval = 2 if frequency == "fortnightly" else 1
            fields |= {"freq": "WEEKLY", "interval": interval, "byday": ",".join(days), "dtstart": start}
        elif frequency == "monthly":
            ordinal = data.get("ordinal") or "1"
            fields |= {
                "freq": "MONTHLY",
                "byday": ",".join(f"{ordinal}{day}" for day in days),
                "dtstart": start,
            }
        elif frequency == "once":
            fields |= {"dtstart": start}
        return fields

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        frequency = data.get("frequency")
        if frequency in ("weekly", "fortnightly", "monthly") and not data.get("days"):
            self.add_error("days", "Choose which day or days it happens.")
        if frequency == "once" and not data.get("date") and "date" not in self.errors:
            self.add_error("date", "Enter the date of the session.")
        if frequency == "words" and not data.get("description"):
            self.add_error("description", "Say when it happens, in a few words.")
        return data


class ClosureForm(forms.Form):
    starts_on = forms.DateField(label="First day closed", help_text=DATE_HINT)
    ends_on = forms.DateField(label="Last day closed", help_text=DATE_HINT)
    reason = forms.CharField(
        label="Why (optional)", max_length=200, required=False, help_text="For example, school holidays."
    )


class EmptyForm(forms.Form):
    """For actions that need only a button (submit, archive, reopen)."""


class CheckForm(forms.Form):
    method = forms.ChoiceField(
        label="How did you check it?", choices=VerificationMethod.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label="Note (optional)",
        widget=forms.Textarea,
        max_length=1000,
        required=False,
        help_text="Who you spoke to, or what you changed.",
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label="Why is it rejected?",
        widget=forms.Textarea,
        max_length=1000,
        help_text="The reason is kept with the submission.",
    )


class ProblemCloseForm(forms.Form):
    outcome = forms.ChoiceField(
        label="What happened?",
        choices=[
            ("resolved", "Resolved: the entry has been put right"),
            ("dismissed", "Dismissed: nothing needed changing"),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label="What was done, or why not", widget=forms.Textarea, max_length=1000)


class ClaimDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Your decision",
        choices=[
            ("approve", "Approve: record them as the contact for this service"),
            ("reject", "Reject"),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea,
        max_length=1000,
        required=False,
        help_text="Needed if you reject the claim.",
    )
