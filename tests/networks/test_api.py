"""The network map endpoints: the map now and as saved, entries added, edited, moved and removed,
completion, sharing, the comparison, the ecomap SVG, and who gets 404."""

from __future__ import annotations

import importlib.util
from typing import Any

import pytest
from django.test import Client

from linkwork.accounts.models import User
from linkwork.audit.models import AuditEvent
from linkwork.networks import services
from linkwork.networks.models import NetworkEntry, NetworkEntryVersion
from linkwork.people.models import Person
from linkwork.support.models import SupportEpisode
from linkwork.support.services import episode_close
from tests.conftest import signed_in
from tests.journey_factories import make_episode
from tests.networks.conftest import SURNAME

pytestmark = pytest.mark.django_db
JSON = "application/json"
ECOMAP_READY = importlib.util.find_spec("linkwork.networks.ecomap") is not None


def base(person: Person) -> str:
    return f"/api/v1/people/{person.pk}/network-map"


def post(client: Client, path: str, data: Any = None) -> Any:
    return client.post(path, data if data is not None else {}, content_type=JSON)


def patch(client: Client, path: str, data: Any) -> Any:
    return client.patch(path, data, content_type=JSON)


def put(client: Client, path: str, data: Any) -> Any:
    return client.put(path, data, content_type=JSON)


def add(client: Client, person: Person, **data: Any) -> dict[str, Any]:
    response = post(
        client, f"{base(person)}/entries", {"label": "Jean", "type": "family", "ring": "inner"} | data
    )
    assert response.status_code == 201, response.content
    return response.json()  # type: ignore[no-any-return]


def test_crud_on_entries(connector: User, episode: SupportEpisode) -> None:
    client = signed_in(connector)
    person = episode.person
    assert client.get(base(person)).json()["entries"] == []  # a map not started yet is empty
    jean = add(client, person, frequency="weekly", note="Daughter, visits Sundays")
    assert jean["category"] == "people" and jean["new_since_support"] is False
    choir = add(client, person, label="Tuesday choir", type="club", ring="outer")

    moved = patch(client, f"/api/v1/network-entries/{choir['id']}", {"ring": "middle"})
    assert moved.status_code == 200 and moved.json()["ring"] == "middle"
    edited = patch(client, f"/api/v1/network-entries/{jean['id']}", {"quality": "mixed", "note": None})
    assert (edited.json()["quality"], edited.json()["note"]) == ("mixed", "")
    assert client.delete(f"/api/v1/network-entries/{choir['id']}").status_code == 204
    assert client.delete(f"/api/v1/network-entries/{choir['id']}").status_code == 204  # already off the map

    current = client.get(base(person)).json()
    assert current["snapshot"] == "current" and current["may_edit"] is True
    assert [e["id"] for e in current["entries"]] == [jean["id"]]
    assert current["entries"][0]["note"] == ""
    changes = NetworkEntryVersion.objects.filter(entry_id=choir["id"]).values_list("change", flat=True)
    assert list(changes) == ["added", "moved", "removed"]
    assert AuditEvent.objects.filter(event="network_map.viewed").count() == 2


def test_bad_entries_are_refused_with_field_errors(connector: User, episode: SupportEpisode) -> None:
    client = signed_in(connector)
    response = post(
        client, f"{base(episode.person)}/entries", {"label": "", "type": "cousin", "ring": "inner"}
    )
    assert response.status_code == 422
    assert set(response.json()["error"]["fields"]) == {"label", "type"}
    response = post(
        client,
        f"{base(episode.person)}/entries",
        {"label": f"Jean {SURNAME}", "type": "family", "ring": "inner"},
    )
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"label": services.LABEL_SURNAME}
    jean = add(client, episode.person)
    response = patch(client, f"/api/v1/network-entries/{jean['id']}", {"ring": "far"})
    assert response.status_code == 422 and "ring" in response.json()["error"]["fields"]
    assert client.get(f"{base(episode.person)}?snapshot=later").status_code == 422
    assert not NetworkEntry.objects.exclude(pk=jean["id"]).exists()


def test_completion_snapshots_and_comparison(connector: User, episode: SupportEpisode) -> None:
    client = signed_in(connector)
    person = episode.person
    assert client.get(f"{base(person)}?snapshot=baseline").status_code == 404
    comparison = client.get(f"{base(person)}/comparison")
    assert comparison.status_code == 400 and comparison.json()["error"]["code"] == "NO_BASELINE"

    jean = add(client, person, frequency="monthly")
    sid = add(
        client, person, label="Sid", type="neighbour", ring="outer", frequency="weekly", quality="difficult"
    )
    completed = post(client, f"{base(person)}/complete")
    assert completed.status_code == 200 and completed.json()["completed_at"] is not None
    post(client, f"{base(person)}/complete")  # again: the baseline stays as it was
    patch(client, f"/api/v1/network-entries/{jean['id']}", {"frequency": "daily"})
    client.delete(f"/api/v1/network-entries/{sid['id']}")
    club = add(client, person, label="Walking group", type="club", ring="outer", frequency="weekly")
    assert club["new_since_support"] is True

    baseline = client.get(f"{base(person)}?snapshot=baseline").json()
    assert baseline["snapshot"] == "baseline" and baseline["taken_at"] is not None
    assert [(e["id"], e["frequency"]) for e in baseline["entries"]] == [
        (jean["id"], "monthly"),
        (sid["id"], "weekly"),
    ]
    assert client.get(f"{base(person)}?snapshot=end").status_code == 404

    body = client.get(f"{base(person)}/comparison").json()
    assert (body["before_snapshot"], body["after_snapshot"]) == ("baseline", "current")
    assert [t["id"] for t in body["new"]] == [club["id"]]
    assert [t["id"] for t in body["strengthened"]] == [jean["id"]]
    assert [t["id"] for t in body["lost"]] == [sid["id"]]
    assert body["weakened"] == []
    assert (body["size_change"], body["diversity_change"], body["weak_ties_change"]) == (0, 1, 0)
    assert body["difficult_ties_change"] == -1
    assert body["after"]["by_ring"] == {"inner": 1, "middle": 0, "outer": 1}
    assert body["after"]["by_category"]["groups"] == 1 and body["after"]["settings"] == ["club"]

    episode_close(actor=connector, episode=episode, outcome="goals-met")
    services.network_snapshot_end(actor=connector, episode=episode)
    end = client.get(f"{base(person)}?snapshot=end").json()
    assert {e["id"] for e in end["entries"]} == {jean["id"], club["id"]}
    assert client.get(f"{base(person)}/comparison").json()["after_snapshot"] == "end"


def test_sharing_lets_an_assigned_volunteer_see_the_map_without_notes(
    connector: User, volunteer: User, other_volunteer: User, episode: SupportEpisode
) -> None:
    client = signed_in(connector)
    person = episode.person
    jean = add(client, person, note="Worried about her")
    post(client, f"{base(person)}/complete")
    as_volunteer, as_other = signed_in(volunteer), signed_in(other_volunteer)
    paths = [base(person), f"{base(person)}?snapshot=baseline", f"{base(person)}/comparison"]
    for path in paths:  # not shared yet
        assert as_volunteer.get(path).status_code == 404

    shared = put(client, f"{base(person)}/sharing", {"shared_with_volunteers": True})
    assert shared.status_code == 200 and shared.json()["shared_with_volunteers"] is True
    for path in paths:
        assert as_volunteer.get(path).status_code == 200, path
        assert as_other.get(path).status_code == 404  # shared, but not their person
    seen = as_volunteer.get(base(person)).json()
    assert seen["may_edit"] is False
    assert seen["entries"][0]["label"] == "Jean" and seen["entries"][0]["note"] == ""
    assert client.get(base(person)).json()["entries"][0]["note"] == "Worried about her"

    # Looking is all a volunteer may do.
    assert (
        post(
            as_volunteer, f"{base(person)}/entries", {"label": "Al", "type": "friend", "ring": "inner"}
        ).status_code
        == 404
    )
    assert patch(as_volunteer, f"/api/v1/network-entries/{jean['id']}", {"ring": "outer"}).status_code == 404
    assert as_volunteer.delete(f"/api/v1/network-entries/{jean['id']}").status_code == 404
    assert post(as_volunteer, f"{base(person)}/complete").status_code == 404
    assert put(as_volunteer, f"{base(person)}/sharing", {"shared_with_volunteers": False}).status_code == 404

    put(client, f"{base(person)}/sharing", {"shared_with_volunteers": False})
    assert as_volunteer.get(base(person)).status_code == 404


@pytest.mark.parametrize("who", ["analyst", "outsider", "volunteer"])
def test_others_get_not_found(
    request: pytest.FixtureRequest, who: str, connector: User, episode: SupportEpisode
) -> None:
    person = episode.person
    jean = add(signed_in(connector), person)
    post(signed_in(connector), f"{base(person)}/complete")
    if who == "outsider":  # sharing with volunteers never reaches another organisation
        put(signed_in(connector), f"{base(person)}/sharing", {"shared_with_volunteers": True})
    client = signed_in(request.getfixturevalue(who))
    for response in (
        client.get(base(person)),
        client.get(f"{base(person)}?snapshot=baseline"),
        client.get(f"{base(person)}/comparison"),
        client.get(f"{base(person)}.svg"),
        post(client, f"{base(person)}/entries", {"label": "Al", "type": "friend", "ring": "inner"}),
        patch(client, f"/api/v1/network-entries/{jean['id']}", {"ring": "outer"}),
        client.delete(f"/api/v1/network-entries/{jean['id']}"),
        post(client, f"{base(person)}/complete"),
        put(client, f"{base(person)}/sharing", {"shared_with_volunteers": True}),
    ):
        assert response.status_code == 404, response.content
    assert NetworkEntry.objects.get().ring == "inner"


def test_the_persons_surname_never_appears(connector: User, volunteer: User, episode: SupportEpisode) -> None:
    client = signed_in(connector)
    person = episode.person
    add(client, person, label="Jean", frequency="weekly")
    add(client, person, label=f"{SURNAME} Park", type="park", ring="outer", frequency="monthly")
    post(client, f"{base(person)}/complete")
    add(client, person, label="Quiz night", type="activity", ring="outer")
    put(client, f"{base(person)}/sharing", {"shared_with_volunteers": True})
    bodies = [
        client.get(base(person)).content,
        client.get(f"{base(person)}/comparison").content,
        signed_in(volunteer).get(base(person)).content,
    ]
    # A place named like the person is the one way the word reaches a label; nothing else shows it.
    for body in bodies:
        text = body.decode().replace(f"{SURNAME} Park", "")
        assert SURNAME.lower() not in text.lower()
    if ECOMAP_READY:
        svg = client.get(f"{base(person)}.svg").content.decode()
        assert SURNAME.lower() not in svg.lower()


@pytest.mark.skipif(not ECOMAP_READY, reason="linkwork.networks.ecomap (the renderer) is not written yet")
def test_the_ecomap_svg(connector: User, episode: SupportEpisode) -> None:
    client = signed_in(connector)
    person = episode.person
    add(client, person)  # the short form: no frequency or quality yet
    only_now = client.get(f"{base(person)}.svg")
    assert only_now.status_code == 200
    assert only_now["Content-Type"].startswith("image/svg+xml")
    assert only_now.content.decode().count('class="entry"') == 1
    post(client, f"{base(person)}/complete")
    add(
        client,
        person,
        label="Walking group",
        type="club",
        ring="outer",
        frequency="weekly",
        quality="supportive",
    )
    both = client.get(f"{base(person)}.svg").content.decode()
    assert "Margaret" in both
    assert both.count('class="entry"') == 3  # one in the baseline, two now
    assert client.get(f"{base(person)}.svg?snapshot=baseline").content.decode().count('class="entry"') == 1
    assert client.get(f"{base(person)}.svg?snapshot=end").status_code == 404


def test_a_connector_outside_the_team_cannot_see_a_teamed_persons_map(
    organisation: Any, connector: User, episode: SupportEpisode
) -> None:
    from tests.factories import make_staff, make_team

    south = make_team(organisation=organisation, name="South")
    elsewhere = make_staff(organisation=organisation, teams=[south])
    add(signed_in(connector), episode.person)
    assert signed_in(elsewhere).get(base(episode.person)).status_code == 404
    own = make_episode(connector=elsewhere, team=south)
    assert signed_in(elsewhere).get(base(own.person)).status_code == 200
