"""GOV.UK Frontend markup for Django form fields: labels, hints, errors and fieldsets."""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

register = template.Library()


def _kind(field: forms.BoundField) -> str:
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    return "input"


@register.simple_tag
def govuk_field(field: forms.BoundField, **options: Any) -> SafeString:
    """Render one field; options: `label_size` (s, m, l), `width` (e.g. 20, one-half)."""
    kind = _kind(field)
    width = options.get("width")
    width_class = ""
    if width:
        width_class = f"govuk-input--width-{width}" if str(width).isdigit() else f"govuk-!-width-{width}"
    return render_to_string(
        f"components/{kind}.html",
        {
            "field": field,
            "field_id": field.id_for_label or f"id_{field.html_name}",
            "label_size": options.get("label_size", "s"),
            "width_class": width_class,
            "autocomplete": options.get("autocomplete") or field.field.widget.attrs.get("autocomplete", ""),
            "input_type": getattr(field.field.widget, "input_type", "text"),
            "value": field.value() if field.value() is not None else "",
        },
    )


@register.filter
def pounds(pence: int | None) -> str:
    """2550 -> "£25.50"."""
    value = pence or 0
    sign = "-" if value < 0 else ""
    return f"{sign}£{abs(value) / 100:,.2f}"


@register.simple_tag
def govuk_error_summary(*forms_: forms.BaseForm) -> SafeString:
    errors: list[tuple[str, str]] = []
    for form in forms_:
        errors.extend(("", str(message)) for message in form.non_field_errors())
        for bound in form:
            anchor = f"#{bound.id_for_label or 'id_' + bound.html_name}"
            errors.extend((anchor, str(message)) for message in bound.errors)
    return render_to_string("components/error_summary.html", {"errors": errors})
