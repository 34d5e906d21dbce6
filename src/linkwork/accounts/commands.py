"""What management commands share about organisations: which one an operator's command acts for."""

from __future__ import annotations

from django.core.management.base import CommandError

from linkwork.accounts.models import Organisation


def organisation_for_command(slug: str | None, *, choose: str, returncode: int = 1) -> Organisation:
    """The organisation named by its slug, or the only one there is. `choose` finishes the sentence
    "There is more than one organisation: ..." with how to name one (the command's own option)."""
    if slug:
        found = Organisation.objects.filter(slug=slug).first()
        if found is None:
            raise CommandError(
                f"There is no organisation {slug!r}. `linkwork organisation list` shows their slugs.",
                returncode=returncode,
            )
        return found
    organisations = list(Organisation.objects.order_by("pk")[:2])
    if not organisations:
        raise CommandError(
            "There are no organisations yet: create one with `linkwork organisation create`.",
            returncode=returncode,
        )
    if len(organisations) > 1:
        raise CommandError(
            f"There is more than one organisation: {choose} (`linkwork organisation list` shows the slugs).",
            returncode=returncode,
        )
    return organisations[0]
