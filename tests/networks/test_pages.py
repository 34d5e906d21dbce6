"""The network map pages: fast entry, moving between rings, downloads, and who may open them."""

from __future__ import annotations

import re

from linkwork.accounts.models import User
from linkwork.networks.models import NetworkEntry, NetworkEntryVersion, NetworkSnapshot
from linkwork.people.models import Person
from linkwork.support.models import SupportEpisode
from tests.conftest import signed_in
from tests.networks.conftest import SURNAME


def test_a_connector_adds_an_entry_with_the_short_form_and_sees_it_in_the_picture(
    connector: User, episode: SupportEpisode
) -> None:
    client = signed_in(connector)
    url = f"/people/{episode.person_id}/network-map/"
    response = client.post(url, {"label": "Lunch club", "type": "club", "ring": "middle"})
    assert response.status_code == 302
    html = client.get(url).content.decode()
    pictures = "".join(re.findall(r"<svg.*?</svg>", html, re.S))
    assert "Lunch club" in pictures
    assert SURNAME not in pictures


def test_a_bad_short_form_shows_errors_and_adds_nothing(connector: User, episode: SupportEpisode) -> None:
    response = signed_in(connector).post(
        f"/people/{episode.person_id}/network-map/", {"label": "", "type": "club"}
    )
    assert response.status_code == 200
    assert 'href="#id_label"' in response.content.decode()
    assert not NetworkEntry.objects.exists()


def test_moving_an_entry_between_rings_keeps_its_history(connector: User, episode: SupportEpisode) -> None:
    client = signed_in(connector)
    client.post(
        f"/people/{episode.person_id}/network-map/", {"label": "Sister", "type": "family", "ring": "outer"}
    )
    entry = NetworkEntry.objects.get()
    client.post(f"/network-entries/{entry.pk}/move/", {"ring": "inner"})
    entry.refresh_from_db()
    assert entry.ring == "inner"
    assert NetworkEntryVersion.objects.filter(entry=entry).count() == 2


def test_completing_the_first_map_saves_the_baseline(connector: User, episode: SupportEpisode) -> None:
    client = signed_in(connector)
    client.post(
        f"/people/{episode.person_id}/network-map/", {"label": "Dog", "type": "animal", "ring": "inner"}
    )
    client.post(f"/people/{episode.person_id}/network-map/complete/")
    assert NetworkSnapshot.objects.filter(person_id=episode.person_id, kind="baseline").count() == 1


def test_the_picture_downloads_as_svg_and_png_without_the_surname(
    connector: User, episode: SupportEpisode
) -> None:
    client = signed_in(connector)
    client.post(
        f"/people/{episode.person_id}/network-map/",
        {"label": "Neighbour Ann", "type": "neighbour", "ring": "middle"},
    )
    svg = client.get(f"/people/{episode.person_id}/network-map/download.svg")
    png = client.get(f"/people/{episode.person_id}/network-map/download.png")
    assert svg.status_code == 200 and svg["Content-Type"].startswith("image/svg+xml")
    assert SURNAME not in svg.content.decode()
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    assert client.get(f"/people/{episode.person_id}/network-map/download.pdf").status_code == 404


def test_volunteers_see_the_map_only_once_it_is_shared_and_cannot_change_it(
    connector: User, volunteer: User, episode: SupportEpisode
) -> None:
    url = f"/people/{episode.person_id}/network-map/"
    assert signed_in(volunteer).get(url).status_code == 404
    signed_in(connector).post(f"/people/{episode.person_id}/network-map/sharing/", {"shared": "yes"})
    page = signed_in(volunteer).get(url)
    assert page.status_code == 200
    assert "Add to the map" not in page.content.decode()
    assert signed_in(volunteer).post(url, {"label": "X", "type": "club", "ring": "inner"}).status_code in (
        302,
        200,
    )
    assert not NetworkEntry.objects.filter(label="X").exists()


def test_other_organisations_and_analysts_cannot_open_the_map(
    outsider: User, analyst: User, person: Person, episode: SupportEpisode
) -> None:
    for user in (outsider, analyst):
        assert signed_in(user).get(f"/people/{person.pk}/network-map/").status_code == 404
        assert signed_in(user).get(f"/people/{person.pk}/network-map/download.png").status_code == 404
