"""Every move of the connection lifecycle, and moves it refuses (docs/connections.md has the table)."""

from __future__ import annotations

from typing import Any

import pytest

from linkwork.core.errors import InvalidTransition
from linkwork.matching.connections import connection_create, connection_move
from linkwork.matching.lifecycle import (
    CONNECTION_LIFECYCLE,
    PROVIDER_ACTIONS,
    STAFF_ACTIONS,
    staff_actions,
)
from linkwork.matching.models.connections import Connection, ConnectionMove, ConnectionStatus
from tests.matching.test_connections import Case, at_stage, build_case

# What each staff action needs to succeed.
DETAILS: dict[str, dict[str, Any]] = {
    "decline": {"reason": "Not for them"},
    "stop": {"reason": "cost"},
    "plan_visit": {"accompanied_by": "alone"},
    "refer": {"referral_method": "referred"},
}

# The table as the issue and docs/connections.md state it: (from, action) -> to.
EXPECTED = {
    ("suggested", "discuss"): "discussed",
    ("suggested", "interested"): "interested",
    ("discussed", "interested"): "interested",
    ("suggested", "decline"): "declined",
    ("discussed", "decline"): "declined",
    ("interested", "decline"): "declined",
    ("declined", "reconsider"): "discussed",
    ("interested", "refer"): "referred",
    ("interested", "plan_visit"): "visit_planned",
    ("referred", "plan_visit"): "visit_planned",
    ("visit_planned", "plan_visit"): "visit_planned",
    ("referred", "attended"): "attended",
    ("visit_planned", "attended"): "attended",
    ("attended", "attending"): "attending",
    ("attended", "still_attending"): "still_attending",
    ("attending", "still_attending"): "still_attending",
    ("referred", "stop"): "stopped",
    ("visit_planned", "stop"): "stopped",
    ("attended", "stop"): "stopped",
    ("attending", "stop"): "stopped",
    ("still_attending", "stop"): "stopped",
}


@pytest.fixture
def case(db: None) -> Case:
    return build_case()


@pytest.fixture
def connection(case: Case) -> Connection:
    return connection_create(actor=case.connector, person=case.person, service=case.service)


def test_the_table_in_code_is_the_documented_table() -> None:
    in_code = {
        (source, action): transition.target
        for action, transition in CONNECTION_LIFECYCLE.transitions.items()
        if action in STAFF_ACTIONS
        for source in transition.sources
    }
    assert in_code == EXPECTED


@pytest.mark.parametrize(("source", "action"), sorted(EXPECTED))
def test_every_valid_move(case: Case, connection: Connection, source: str, action: str) -> None:
    at_stage(connection, source)
    connection_move(actor=case.connector, connection=connection, action=action, **DETAILS.get(action, {}))
    connection.refresh_from_db()
    assert connection.status == EXPECTED[(source, action)]
    move = ConnectionMove.objects.filter(connection=connection).last()
    assert move is not None
    assert (move.action, move.from_status, move.to_status) == (action, source, connection.status)
    assert move.moved_by == case.connector and not move.by_provider


def test_every_move_not_in_the_table_is_refused_and_changes_nothing(
    case: Case, connection: Connection
) -> None:
    refused = 0
    for status in ConnectionStatus.values:
        at_stage(connection, status)
        for action in STAFF_ACTIONS:
            if (status, action) in EXPECTED:
                continue
            with pytest.raises(InvalidTransition):
                connection_move(
                    actor=case.connector, connection=connection, action=action, **DETAILS.get(action, {})
                )
            refused += 1
            assert Connection.objects.get(pk=connection.pk).status == status
    assert refused == len(ConnectionStatus.values) * len(STAFF_ACTIONS) - len(EXPECTED)
    assert ConnectionMove.objects.filter(connection=connection).count() == 1  # only "create"


@pytest.mark.parametrize(
    ("source", "action"),
    [
        ("suggested", "refer"),
        ("suggested", "attended"),
        ("declined", "refer"),
        ("stopped", "attending"),
        ("stopped", "stop"),
        ("still_attending", "attending"),
        ("referred", "decline"),
        ("attended", "plan_visit"),
    ],
)
def test_moves_that_skip_or_reverse_the_journey_are_refused(
    case: Case, connection: Connection, source: str, action: str
) -> None:
    at_stage(connection, source)
    with pytest.raises(InvalidTransition) as error:
        connection_move(actor=case.connector, connection=connection, action=action, **DETAILS.get(action, {}))
    assert error.value.code == "CONNECTION_INVALID_TRANSITION"


def test_an_unknown_action_is_refused(case: Case, connection: Connection) -> None:
    with pytest.raises(InvalidTransition):
        connection_move(actor=case.connector, connection=connection, action="teleport")


def test_the_walk_from_suggestion_to_follow_up(case: Case, connection: Connection) -> None:
    steps = ["discuss", "interested", "refer", "plan_visit", "attended", "attending", "still_attending"]
    for action in steps:
        connection_move(actor=case.connector, connection=connection, action=action, **DETAILS.get(action, {}))
    connection.refresh_from_db()
    assert connection.status == "still_attending"
    history = list(ConnectionMove.objects.filter(connection=connection).values_list("action", flat=True))
    assert history == ["create", *steps]


def test_final_stages_offer_no_staff_actions_except_reconsidering_a_no() -> None:
    assert staff_actions("stopped") == []
    assert staff_actions("declined") == ["reconsider"]
    assert staff_actions("still_attending") == ["stop"]


def test_provider_actions_lead_where_the_issue_says() -> None:
    targets = {action: CONNECTION_LIFECYCLE.transitions[action].target for action in PROVIDER_ACTIONS}
    assert targets == {
        "provider_received": "referred",
        "provider_attended": "attended",
        "provider_could_not_help": "stopped",
    }
