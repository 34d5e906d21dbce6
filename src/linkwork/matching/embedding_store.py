"""Stored service embeddings: read them, and recompute those whose service text changed.

Services are embedded when they are created, edited or imported (the directory's `services_changed`
signal, after the change commits); an import of more than `INLINE_LIMIT` services leaves its vectors to
the next index build or `linkwork match embed`, so it does not hold the command for many minutes. The index
build also refreshes anything missed (a change made while the extra was off, a new model). Only for the
semantic extra.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from typing import Any

import numpy as np

from linkwork.core.time import now
from linkwork.directory import connector_facts, search
from linkwork.directory.models import Attribute, Service, TaxonomyTerm
from linkwork.matching import semantic
from linkwork.matching.models import ServiceEmbedding

WRITE_BATCH = 1000
INLINE_LIMIT = 1000
# A query narrowed to the wanted ids beats a full scan up to about this many of them.
NARROW_LIMIT = 2000

logger = logging.getLogger(__name__)


def _service_texts(keys: set[str] | None) -> dict[str, str]:
    """Hex id -> the text embedded for each service (name, categories, description)."""
    excluded = {fact.term_id.hex for fact in connector_facts.FACTS} | {connector_facts.CLOSURE_TERM_ID.hex}
    facts_taxonomy = connector_facts.TAXONOMY_ID.hex
    terms = TaxonomyTerm.objects.annotate(key=search._hex("id"), tax=search._hex("taxonomy_detail_id"))  # noqa: SLF001
    term_names = {
        key: name
        for key, name, taxonomy in terms.values_list("key", "name", "tax").order_by()
        if key not in excluded and taxonomy != facts_taxonomy and name
    }
    categories: dict[str, list[str]] = defaultdict(list)
    narrow = keys is not None and len(keys) <= NARROW_LIMIT
    wanted_ids = [uuid.UUID(hex=key) for key in keys] if keys is not None and narrow else []
    attribute_rows = Attribute.objects.filter(link_id__in=wanted_ids) if narrow else Attribute.objects.all()
    attributes = (
        attribute_rows.exclude(taxonomy_term_id=None)
        .annotate(link=search._hex("link_id"), term=search._hex("taxonomy_term_id"))  # noqa: SLF001
        .values_list("link", "term")
        .order_by()
    )
    for link, term in attributes.iterator(chunk_size=5000):
        if term in term_names:
            categories[link].append(term_names[term])
    texts: dict[str, str] = {}
    service_rows = Service.objects.filter(pk__in=wanted_ids) if narrow else Service.objects.all()
    services = service_rows.annotate(key=search._hex("id")).values_list("key", "name", "description")  # noqa: SLF001
    for key, name, description in services.order_by().iterator(chunk_size=5000):
        if keys is None or key in keys:
            texts[key] = semantic.service_text(name or "", description or "", sorted(categories[key]))
    return texts


def refresh(keys: list[str] | None = None, *, everything: bool = False) -> tuple[dict[str, bytes], int]:
    """Make sure every service (or those in `keys`) has an up-to-date stored vector.

    Returns the vectors by hex id and how many were computed. `everything` recomputes them all.
    """
    wanted = set(keys) if keys is not None else None
    texts = _service_texts(wanted)
    stored: dict[str, tuple[str, str, bytes]] = {}
    rows = ServiceEmbedding.objects.annotate(key=search._hex("service_id"))  # noqa: SLF001
    for key, text_hash, model_name, vector in (
        rows.values_list("key", "text_hash", "model_name", "vector").order_by().iterator(chunk_size=2000)
    ):
        if key in texts:
            stored[key] = (text_hash, model_name, bytes(vector))
    vectors: dict[str, bytes] = {}
    stale: dict[str, str] = {}  # hex id -> text hash
    by_hash: dict[str, str] = {}  # text hash -> text, each distinct text embedded once
    for key, text in texts.items():
        digest = semantic.text_hash(text)
        known = stored.get(key)
        if not everything and known is not None and known[0] == digest and known[1] == semantic.MODEL_NAME:
            vectors[key] = known[2]
        else:
            stale[key] = digest
            by_hash[digest] = text
    if stale:
        hashes = list(by_hash)
        made: dict[str, bytes] = {}
        for start in range(0, len(hashes), semantic.BATCH_SIZE * 4):
            chunk = hashes[start : start + semantic.BATCH_SIZE * 4]
            matrix = semantic.embed([by_hash[digest] for digest in chunk])
            made.update({digest: matrix[i].tobytes() for i, digest in enumerate(chunk)})
        when = now()
        objects = [
            ServiceEmbedding(
                service_id=uuid.UUID(hex=key),
                text_hash=digest,
                model_name=semantic.MODEL_NAME,
                vector=made[digest],
                computed_at=when,
            )
            for key, digest in stale.items()
        ]
        for start in range(0, len(objects), WRITE_BATCH):
            ServiceEmbedding.objects.bulk_create(
                objects[start : start + WRITE_BATCH],
                update_conflicts=True,
                unique_fields=["service"],
                update_fields=["text_hash", "model_name", "vector", "computed_at"],
            )
        vectors.update({key: made[digest] for key, digest in stale.items()})
    return vectors, len(stale)


def vectors_for_ids(keys: list[str]) -> semantic.Vectors:
    """A matrix with one row per hex id, in order (zeros for an id with no service)."""
    found, _ = refresh(keys)
    matrix = np.zeros((len(keys), semantic.DIMENSIONS), dtype=np.float32)
    for row, key in enumerate(keys):
        vector = found.get(key)
        if vector is not None:
            matrix[row] = np.frombuffer(vector, dtype=np.float32)
    return matrix


def embed_changed_services(sender: Any, service_ids: list[uuid.UUID], **kwargs: Any) -> None:
    """Receiver of the directory's `services_changed`: store fresh vectors for the changed services.

    The change has already committed, so a failure here must not undo or fail it: it is logged, and
    the next index build embeds whatever is still missing."""
    available, _ = semantic.status()
    if not available:
        return
    if len(service_ids) > INLINE_LIMIT:
        logger.info(
            "%d services changed: their embeddings will be computed at the next index build "
            "(or run `linkwork match embed` now).",
            len(service_ids),
        )
        return
    try:
        refresh([service_id.hex for service_id in service_ids])
    except Exception:
        logger.exception("Embedding %d changed services failed; the index build retries.", len(service_ids))
