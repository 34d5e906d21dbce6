from __future__ import annotations

from typing import Any

from django import forms

from linkwork.people.choices import (
    AgeBand,
    ConsentMethod,
    ConsentPurpose,
    ContactMethod,
    DigitalAccess,
    Ethnicity,
    Gender,
    LivingArrangement,
    Mobility,
    TriggerGroup,
)
from linkwork.referrals.models import ReferralSource, Urgency

DATE_HINT = "For example, 27/03/1956"


class PersonForm(forms.Form):
    first_name = forms.CharField(label="First name", max_length=100)
    last_name = forms.CharField(label="Last name", max_length=100, required=False)
    preferred_name = forms.CharField(label="Preferred name", max_length=100, required=False)
    pronouns = forms.CharField(
        label="Pronouns", max_length=40, required=False, help_text="For example, she/her"
    )
    phone = forms.CharField(label="Phone number", max_length=40, required=False)
    email = forms.CharField(label="E-mail address", max_length=254, required=False)
    address = forms.CharField(label="Address", widget=forms.Textarea, required=False)
    postcode = forms.CharField(label="Postcode", max_length=10, required=False)
    preferred_contact_method = forms.ChoiceField(
        label="Best way to get in touch", choices=[("", "Not known"), *ContactMethod.choices], required=False
    )
    preferred_contact_times = forms.CharField(
        label="Best times to get in touch",
        max_length=200,
        required=False,
        help_text="For example, weekday mornings",
    )
    date_of_birth = forms.DateField(label="Date of birth", required=False, help_text=DATE_HINT)
    age_band = forms.ChoiceField(
        label="Age band",
        choices=AgeBand.choices,
        required=False,
        help_text="If the date of birth is not known",
    )
    gender = forms.ChoiceField(label="Gender", choices=Gender.choices, required=False)
    gender_description = forms.CharField(label="Gender, in their words", max_length=100, required=False)
    ethnicity = forms.ChoiceField(label="Ethnic group", choices=Ethnicity.choices, required=False)
    main_language = forms.CharField(label="Main language", max_length=60, required=False, initial="English")
    interpreter_needed = forms.BooleanField(label="Needs an interpreter", required=False)
    living_arrangement = forms.ChoiceField(label="Lives", choices=LivingArrangement.choices, required=False)
    caring_responsibilities = forms.CharField(label="Caring responsibilities", max_length=200, required=False)
    disability_and_conditions = forms.CharField(
        label="Disability and long-term conditions", widget=forms.Textarea, required=False
    )
    mobility = forms.MultipleChoiceField(
        label="Getting about", choices=Mobility.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    digital_access = forms.ChoiceField(label="Digital access", choices=DigitalAccess.choices, required=False)
    trigger_groups = forms.MultipleChoiceField(
        label="Life events and circumstances",
        choices=TriggerGroup.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Select any that apply. These help the service see who it reaches.",
    )
    nhs_number = forms.CharField(
        label="NHS number", max_length=12, required=False, help_text="Optional. 10 digits"
    )

    def person_details(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in PersonForm.base_fields if name in self.cleaned_data}


class PersonEditForm(PersonForm):
    """Changing a person's details: carries the version the page was loaded with."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class IntakeForm(PersonForm):
    """A new referral: who the person is, who referred them and why."""

    source = forms.ChoiceField(label="Where did the referral come from?", choices=ReferralSource.choices)
    referrer_name = forms.CharField(label="Referrer's name", max_length=150, required=False)
    referrer_organisation = forms.CharField(label="Referrer's organisation", max_length=200, required=False)
    referrer_contact = forms.CharField(label="Referrer's phone or e-mail", max_length=200, required=False)
    reason = forms.CharField(label="Reason for the referral", widget=forms.Textarea, required=False)
    needs = forms.CharField(
        label="What the person would like help with", widget=forms.Textarea, required=False
    )
    urgency = forms.ChoiceField(label="Urgency", choices=Urgency.choices, initial=Urgency.ROUTINE)
    consent_to_support = forms.BooleanField(
        label="The person agrees to be contacted about support", required=False
    )

    def referral_details(self) -> dict[str, Any]:
        names = (
            "source",
            "referrer_name",
            "referrer_organisation",
            "referrer_contact",
            "reason",
            "needs",
            "urgency",
        )
        return {name: self.cleaned_data[name] for name in names}

    def add_duplicate_choice(self, choices: list[tuple[str, str]]) -> None:
        self.fields["match"] = forms.ChoiceField(
            label="Is this one of these people?",
            choices=[*choices, ("new", "No, this is someone new")],
            widget=forms.RadioSelect,
            help_text="Link the referral to their record instead of making a second one.",
        )
        self.order_fields(["match"])


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(
        label="What is the consent for?", choices=ConsentPurpose.choices, widget=forms.RadioSelect
    )
    agreed = forms.TypedChoiceField(
        label="Did they agree?",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    method = forms.ChoiceField(
        label="How was it given?", choices=ConsentMethod.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(label="Note", max_length=300, required=False)


class SelfReferralForm(forms.Form):
    first_name = forms.CharField(label="Your first name", max_length=100)
    last_name = forms.CharField(label="Your last name", max_length=100, required=False)
    phone = forms.CharField(label="Phone number", max_length=40, required=False)
    email = forms.CharField(label="E-mail address", max_length=254, required=False)
    postcode = forms.CharField(label="Postcode", max_length=10, required=False)
    preferred_contact_method = forms.ChoiceField(
        label="How should we get in touch?", choices=ContactMethod.choices, widget=forms.RadioSelect
    )
    preferred_contact_times = forms.CharField(label="Best times to reach you", max_length=200, required=False)
    needs = forms.CharField(
        label="What would you like help with?",
        widget=forms.Textarea,
        required=False,
        help_text=(
            "For example, meeting people nearby, finding a group, getting out more. "
            "Share as much or as little as you like."
        ),
    )
    agreed_to_support = forms.BooleanField(
        label="I agree that the service may contact me about support and keep these details to do so",
        required=False,
    )
    agreed_to_share_with_gp = forms.BooleanField(
        label="I am happy for the service to tell my GP how things went", required=False
    )
    # A field people never see; automated spam fills it in.
    website = forms.CharField(label="Leave this empty", required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("phone") and not data.get("email"):
            self.add_error("phone", "Give a phone number or an e-mail address so we can reach you.")
        return data
