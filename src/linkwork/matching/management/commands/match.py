"""`linkwork match PERSON_ID [--text T] [--limit N] [--max-minutes M] [--free-only] [--json]`.

Ranks the directory for one person, as the installation operator (audited as `operator:<user>`),
and prints the results: a short list by default, or one JSON object (as the API returns) with --json.

`linkwork match embed [--all]` computes the stored service embeddings for semantic matching (the
`linkwork[semantic]` extra): those whose service text changed, or all of them with --all.
"""

from __future__ import annotations

import getpass
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from linkwork.core.errors import NotFound, ValidationFailed
from linkwork.core.policies import Operator
from linkwork.matching import semantic
from linkwork.matching.schemas import RecommendationsOut
from linkwork.matching.selectors import recommendations_for


class Command(BaseCommand):
    help = "Rank directory services for a person and explain each one."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "person_id", help="The person's number in linkwork, or 'embed' to compute service embeddings."
        )
        parser.add_argument("--all", action="store_true", help="With 'embed': recompute every embedding.")
        parser.add_argument("--text", default="", help="A free-text need, e.g. 'something with animals'.")
        parser.add_argument("--limit", type=int, default=20, help="How many results (1 to 100).")
        parser.add_argument("--max-minutes", type=int, default=None, help="Travel time limit in minutes.")
        parser.add_argument("--free-only", action="store_true", help="Only services known to be free.")
        parser.add_argument(
            "--include-beyond-limit", action="store_true", help="Also show services beyond the travel limit."
        )
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["person_id"] == "embed":
            self._embed(everything=options["all"])
            return
        try:
            person_id = int(options["person_id"])
        except ValueError:
            raise CommandError(
                f"{options['person_id']!r} is not a person's number (or 'embed').", returncode=2
            ) from None
        try:
            found = recommendations_for(
                actor=Operator(getpass.getuser()),
                person_id=person_id,
                text=options["text"],
                limit=options["limit"],
                max_minutes=options["max_minutes"],
                free_only=options["free_only"],
                include_beyond_limit=options["include_beyond_limit"],
            )
        except NotFound:
            raise CommandError(f"There is no person {options['person_id']}.", returncode=2) from None
        except ValidationFailed as error:
            details = "; ".join(error.fields.values()) or error.message
            raise CommandError(details, returncode=2) from None
        out = RecommendationsOut.of(found)
        if options["json"]:
            self.stdout.write(json.dumps(out.model_dump(mode="json"), ensure_ascii=False))
            return
        self.stdout.write(
            f"{len(out.results)} results ({out.mode}); {out.beyond_limit} beyond the travel limit"
        )
        for number, item in enumerate(out.results, start=1):
            self.stdout.write(f"{number}. {item.name} ({item.score:.2f})")
            if item.reasons:
                self.stdout.write("   Why: " + "; ".join(item.reasons))
            if item.cautions:
                self.stdout.write("   Check: " + "; ".join(item.cautions))

    def _embed(self, *, everything: bool) -> None:
        available, reason = semantic.status()
        if not available:
            raise CommandError(f"Semantic matching is {reason}.", returncode=2)
        from linkwork.matching import embedding_store

        vectors, computed = embedding_store.refresh(everything=everything)
        self.stdout.write(f"{computed} embeddings computed; {len(vectors)} services have one.")
