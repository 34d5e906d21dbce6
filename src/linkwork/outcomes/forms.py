from __future__ import annotations

from typing import Any

from django import forms

from linkwork.outcomes.definitions import DECLINED, Instrument
from linkwork.outcomes.models import SkipReason, TimePoint

FOLLOW_UP_MONTHS = (3, 6, 12, 18)


class AlertActionForm(forms.Form):
    action_taken = forms.CharField(
        label="What was done?",
        widget=forms.Textarea,
        help_text="Whom you spoke to, what the person said about their safety, and what was agreed.",
    )


class SkipForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why is it being skipped?", choices=SkipReason.choices, widget=forms.RadioSelect
    )


class StoryForm(forms.Form):
    title = forms.CharField(label="Title", max_length=200)
    text = forms.CharField(
        label="The story",
        widget=forms.Textarea,
        help_text=(
            "In the person's words where you can. Names, places and dates are removed before it is shared."
        ),
    )


class ScheduleForm(forms.Form):
    """One checkbox group per time point; each choice is a questionnaire."""

    def __init__(self, *args: Any, instruments: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        points = [(TimePoint.BASELINE, None), (TimePoint.ENDING, None)] + [
            (TimePoint.FOLLOW_UP, months) for months in FOLLOW_UP_MONTHS
        ]
        for time_point, months in points:
            label = f"{months}-month follow-up" if months else TimePoint(time_point).label
            self.fields[self.field_name(time_point, months)] = forms.MultipleChoiceField(
                label=label, choices=instruments, widget=forms.CheckboxSelectMultiple, required=False
            )

    @staticmethod
    def field_name(time_point: str, months: int | None) -> str:
        return f"{time_point}_{months or 0}"

    def entries(self) -> list[tuple[str, str, int | None]]:
        result = []
        for name, codes in self.cleaned_data.items():
            time_point, months = name.rsplit("_", 1)
            result += [(code, time_point, int(months) or None) for code in codes]
        return result


class LinkForm(forms.Form):
    instrument = forms.ChoiceField(label="Questionnaire", choices=[])
    time_point = forms.ChoiceField(label="When", choices=TimePoint.choices, widget=forms.RadioSelect)
    months_after_ending = forms.IntegerField(
        label="Months after support ended",
        min_value=1,
        max_value=60,
        required=False,
        help_text="Only for a follow-up",
    )

    def __init__(self, *args: Any, instruments: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["instrument"].choices = instruments  # type: ignore[attr-defined]


DECLINED_LABEL = "Prefer not to say"


class QuestionnaireForm(forms.Form):
    """One radio group per item, in published order, with the published answer labels."""

    def __init__(self, *args: Any, instrument: Instrument, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        numbers = instrument.answers.numbers
        for item in instrument.items:
            if numbers is not None:
                choices = [
                    (str(n), f"{n} – {numbers.anchors[n]}" if n in numbers.anchors else str(n))
                    for n in range(numbers.minimum, numbers.maximum + 1)
                ]
            else:
                labels = [option.label for option in instrument.answers.options]
                if item.options_shown_reversed:
                    labels.reverse()
                choices = [(label, label) for label in labels]
            self.fields[f"item_{item.number}"] = forms.ChoiceField(
                label=f"{item.number}. {item.text}",
                choices=[*choices, (DECLINED, DECLINED_LABEL)],
                widget=forms.RadioSelect,
                error_messages={
                    "required": f"Choose an answer to question {item.number}, or “{DECLINED_LABEL}”."
                },
            )

    def answers(self) -> list[str]:
        return [self.cleaned_data[f"item_{item.number}"] for item in self.instrument.items]
