"""`{% privacy_actions person %}`: the person page's link to their data-protection rights (if allowed)."""

from __future__ import annotations

from typing import Any

from django import template

from linkwork.privacy.models import RequestKind
from linkwork.privacy.selectors import may_request

register = template.Library()


@register.inclusion_tag("privacy/_person_actions.html", takes_context=True)
def privacy_actions(context: dict[str, Any], person: Any) -> dict[str, Any]:
    user = context["request"].user
    return {"person": person, "may_export": may_request(user, person, RequestKind.EXPORT)}
