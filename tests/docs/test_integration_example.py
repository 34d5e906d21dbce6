"""The integration example in docs/examples/integrate.py (shown in docs/api.md) runs against a live server
and does what the guide says: a FHIR referral recorded once, read back, an episode exported as FHIR and
the public directory feed read."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pytest_django.live_server_helper import LiveServer

from linkwork.accounts.services import token_create
from linkwork.referrals.models import Referral
from tests.directory.factories import make_service
from tests.factories import OPERATOR, make_organisation, make_staff
from tests.journey_factories import days_ago, make_episode

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "integrate.py"


def run_example(url: str, token: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LINKWORK_URL": url, "LINKWORK_TOKEN": token}
    return subprocess.run(
        [sys.executable, str(EXAMPLE)], env=env, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.django_db(transaction=True)
def test_the_integration_example_runs_against_a_live_server(live_server: LiveServer) -> None:
    organisation = make_organisation(name="Riverside Connectors")
    connector = make_staff(organisation=organisation, username="sam")
    episode = make_episode(connector=connector, started_on=days_ago(10))
    make_service(owner=organisation, name="Allotment Club")
    _, token = token_create(actor=OPERATOR, user=connector, name="integration example")

    result = run_example(live_server.url, token)

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "signed in as sam of Riverside Connectors (200)"
    referral = Referral.objects.exclude(external_identifier="").get()
    assert lines[1].startswith(f"referral sent: 201, reference {referral.reference}, at /api/v1/referrals/")
    assert lines[2] == f"sent again: 200, reference {referral.reference}"
    assert lines[3] == f"staff API: referral {referral.reference} is received (200)"
    assert lines[4].startswith(f"episode {episode.pk} as FHIR: collection bundle of CarePlan, ")
    assert "Patient" in lines[4] and "ServiceRequest" in lines[4] and lines[4].endswith("(200)")
    assert lines[5] == "Open Referral UK feed: 1 services, first page ['Allotment Club'] (200)"
    assert Referral.objects.filter(organisation=organisation).count() == 2  # the episode's and the FHIR one


def test_the_example_asks_for_a_token_when_none_is_given() -> None:
    result = run_example("http://127.0.0.1:9", "")
    assert result.returncode == 2
    assert "Set LINKWORK_TOKEN" in result.stderr
