"""`linkwork bench match-quality`: ranking quality on the evaluation set (tests/matching/eval/).

nDCG@10 and recall@10 over 30+ people with hand-judged relevant services on a fixed directory of
120 crafted services, for lexical ranking and, when the `linkwork[semantic]` extra is installed and
its weights check out, lexical+semantic ranking in the same run (otherwise the output says why not).
`--size` and `--seed` are ignored: the set is fixed.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from typing import Any

from tests.matching.eval.quality import evaluate, load

from benchmarks.common import machine, progress
from linkwork.accounts.models import Organisation
from linkwork.core.policies import Operator
from linkwork.core.time import local_today
from linkwork.matching import semantic as semantic_matching


def run(*, size: int, seed: int, actor: Operator) -> dict[str, Any]:
    del size, seed, actor
    tag = uuid.uuid4().hex[:8]
    owner = Organisation.objects.create(name=f"Benchmark match quality {tag}", slug=f"bench-quality-{tag}")
    progress("match-quality: writing the evaluation directory ...")
    keys = load(owner)
    started = time.perf_counter()
    lexical = evaluate(keys)
    took = time.perf_counter() - started
    available, reason = semantic_matching.status()
    semantic_result: dict[str, Any] = {"mode": "lexical+semantic", "status": reason}
    if available:
        progress("match-quality: semantic (embedding the directory) ...")
        evaluate(keys, semantic=True)  # the first run embeds the services; time the second
        started = time.perf_counter()
        semantic = evaluate(keys, semantic=True)
        semantic_result = {
            "mode": semantic["mode"],
            "status": semantic["semantic"],
            "people": semantic["people"],
            "ndcg_at_10": semantic["ndcg_at_10"],
            "recall_at_10": semantic["recall_at_10"],
            "seconds": round(time.perf_counter() - started, 2),
            "per_person": semantic["per_person"],
        }
    return {
        "benchmark": "match-quality",
        "size": len(keys),
        "machine": machine(),
        "results": [
            {
                "mode": "lexical",
                "people": lexical["people"],
                "ndcg_at_10": lexical["ndcg_at_10"],
                "recall_at_10": lexical["recall_at_10"],
                "seconds": round(took, 2),
            },
            semantic_result,
        ],
        "per_person": lexical["per_person"],
        "gaps": lexical["gaps"],
        "date": dt.date.isoformat(local_today()),
    }
