"""`linkwork score CODE ANSWER [ANSWER ...]`: score one completed questionnaire and print it as JSON."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from linkwork.outcomes.definitions import PerItemScoring, SumScoring, instrument_get, instrument_list
from linkwork.outcomes.scoring import AnswerError, score


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
        code = options["code"]
        try:
            result = score(code, options["answers"])
        except AnswerError as error:
            raise CommandError(error.message, returncode=2) from None
        scoring = instrument_get(code).scoring
        output: dict[str, object] = {
            "instrument": result.instrument,
            "total": result.total,
            "band": result.band,
            "subscales": {name: asdict(subscale) for name, subscale in result.subscales.items()},
            "flags": result.flags,
            "missing": result.missing,
            "valid": result.valid,
        }
        if isinstance(scoring, SumScoring) and scoring.conversion is not None:
            output[scoring.conversion.name] = result.metric
        if isinstance(scoring, PerItemScoring):
            output["items"] = [{"item": number, **asdict(item)} for number, item in result.per_item.items()]
        if not result.valid:
            output["reason"] = result.reason
        self.stdout.write(json.dumps(output, ensure_ascii=False))
