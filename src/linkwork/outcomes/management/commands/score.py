"""`linkwork score CODE ANSWER [ANSWER ...]`: score one completed questionnaire and print it as JSON."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from linkwork.outcomes.definitions import instrument_list
from linkwork.outcomes.scoring import AnswerError, result_as_json, score


class Command(BaseCommand):
    help = "Score the answers to an outcome instrument and print the result as one JSON object."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", choices=[instrument.code for instrument in instrument_list()])
        parser.add_argument(
            "answers",
            nargs="+",
            metavar="ANSWER",
            help="each item's answer in order: the option's label (quote labels of several words), "
            'the number on a 0 to 10 scale, or "declined"',
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = score(options["code"], options["answers"])
        except AnswerError as error:
            raise CommandError(error.message, returncode=2) from None
        self.stdout.write(json.dumps(result_as_json(result), ensure_ascii=False))
