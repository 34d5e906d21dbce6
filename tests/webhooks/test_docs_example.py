"""The receiver in docs/webhooks.md accepts what linkwork really sends, and refuses anything else."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from linkwork.accounts.models import User
from linkwork.webhooks.services import endpoint_send_test
from tests.webhooks.conftest import Clock, Receiver, make_endpoint, run_due_tasks

pytestmark = pytest.mark.django_db

DOC = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"


def documented_check() -> Callable[..., bool]:
    (code,) = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.DOTALL)
    namespace: dict[str, Any] = {"__name__": "docs_example"}  # not "__main__": the server does not start
    exec(compile(code, str(DOC), "exec"), namespace)  # noqa: S102  (our own documentation)
    check: Callable[..., bool] = namespace["signature_is_valid"]
    return check


def test_the_documented_receiver_verifies_a_real_delivery(
    admin: User, receiver: Receiver, clock: Clock
) -> None:
    endpoint, secret = make_endpoint(admin=admin, url=receiver.url)
    endpoint_send_test(actor=admin, endpoint=endpoint)
    run_due_tasks(clock.at)
    (request,) = receiver.requests
    header, moment = request.headers["x-linkwork-signature"], clock.at.timestamp()

    signature_is_valid = documented_check()
    assert signature_is_valid(secret, header, request.body, now=moment)
    assert not signature_is_valid(secret, header, request.body + b" ", now=moment)
    assert not signature_is_valid("whsec_other", header, request.body, now=moment)
    assert not signature_is_valid(secret, header, request.body, now=moment + 301)
    assert not signature_is_valid(secret, "", request.body, now=moment)
