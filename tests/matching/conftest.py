"""Matching tests run lexically, as in CI (where the semantic extra is not installed), whether or not
the extra is installed here; tests that want semantic matching ask for the `semantic_on` fixture
(tests/matching/test_semantic.py), which is skipped when the extra is missing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from linkwork.matching import semantic


@pytest.fixture(autouse=True)
def _semantic_off_unless_asked(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    if "semantic_on" not in request.fixturenames:
        monkeypatch.setattr(semantic, "status", lambda: (False, semantic.NOT_INSTALLED))
        monkeypatch.setenv(semantic.SWITCH, "off")  # and in processes the test starts


@pytest.fixture
def semantic_on(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    pytest.importorskip("sentence_transformers", reason="the linkwork[semantic] extra is not installed")
    pytest.importorskip(semantic.MODEL_PACKAGE, reason="the linkwork[semantic] extra is not installed")
    monkeypatch.delenv(semantic.SWITCH, raising=False)
    semantic.reset()
    yield
    semantic.reset()
