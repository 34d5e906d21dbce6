"""Network map services: the short form, validation (first names only), history kept on every edit,
move and removal, the baseline taken once, the end map at closing, sharing, and who may do what."""

from __future__ import annotations

from typing import Any

import pytest

from linkwork.accounts.models import Organisation, User
from linkwork.audit.models import AuditEvent
from linkwork.core.errors import DomainError, PermissionDenied, ValidationFailed
from linkwork.core.policies import Action, can, policy_for, visible_to
from linkwork.networks import selectors, services
from linkwork.networks.models import (
    NetworkEntry,
    NetworkEntryVersion,
    NetworkMap,
    NetworkSnapshot,
    SnapshotKind,
)
from linkwork.people.models import Person
from linkwork.support.models import SupportEpisode
from linkwork.support.services import episode_close
from tests.journey_factories import make_episode, make_person, make_referral
from tests.networks.conftest import SURNAME

pytestmark = pytest.mark.django_db


def add(
    actor: Any, person: Person, label: str = "Jean", type: str = "family", ring: str = "inner", **more: Any
) -> NetworkEntry:
    return services.entry_add(actor=actor, person=person, label=label, type=type, ring=ring, **more)


def test_the_short_form_needs_only_label_type_and_ring(connector: User, episode: SupportEpisode) -> None:
    entry = add(connector, episode.person, label="  Tuesday   choir ", type="club", ring="outer")
    assert (entry.label, entry.type, entry.ring) == ("Tuesday choir", "club", "outer")
    assert (entry.frequency, entry.quality, entry.wants, entry.note) == ("", "", "", "")
    assert entry.new_since_support is False  # no baseline yet
    assert entry.organisation_id == episode.organisation_id
    assert NetworkMap.objects.filter(person=episode.person).exists()
    event = AuditEvent.objects.filter(event="network_entry.added").get()
    assert event.object_id == str(entry.pk)
    assert "Tuesday" not in str(event.values) and "Tuesday" not in str(event.detail)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"label": "   "}, "label"),
        ({"label": "x" * 61}, "label"),
        ({"type": "cousin"}, "type"),
        ({"ring": "far"}, "ring"),
        ({"frequency": "hourly"}, "frequency"),
        ({"quality": "great"}, "quality"),
        ({"wants": "all"}, "wants"),
        ({"note": "n" * 301}, "note"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(
    connector: User, episode: SupportEpisode, fields: dict[str, Any], field: str
) -> None:
    values = {"label": "Jean", "type": "family", "ring": "inner"} | fields
    with pytest.raises(ValidationFailed) as refused:
        services.entry_add(actor=connector, person=episode.person, **values)
    assert field in refused.value.fields
    assert not NetworkEntry.objects.exists()


def test_a_label_with_the_persons_surname_is_refused_for_people_only(
    connector: User, episode: SupportEpisode
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        add(connector, episode.person, label=f"Jean {SURNAME.lower()}")
    assert refused.value.fields["label"] == services.LABEL_SURNAME
    # A place may share the word, and a surname inside another word is not the surname.
    add(connector, episode.person, label=f"{SURNAME} Park", type="park", ring="outer")
    add(connector, episode.person, label=f"Jean{SURNAME}s", type="friend")
    entry = add(connector, episode.person, label="Jean", type="park")
    with pytest.raises(ValidationFailed):  # changing the type to a person checks the label again
        services.entry_update(actor=connector, entry=entry, type="family", label=f"Jean {SURNAME}")
    with pytest.raises(ValidationFailed):
        services.entry_update(actor=connector, entry=add(connector, episode.person), label=f"Jean {SURNAME}")


def test_history_is_kept_on_every_edit_move_and_removal(connector: User, episode: SupportEpisode) -> None:
    entry = add(connector, episode.person, frequency="monthly", note="Phones on Sundays")
    services.entry_update(actor=connector, entry=entry, frequency="weekly", quality="supportive")
    services.entry_move(actor=connector, entry=entry, ring="middle")
    services.entry_update(actor=connector, entry=entry, frequency="weekly")  # no change: no history
    services.entry_update(actor=connector, entry=entry, note="")
    services.entry_remove(actor=connector, entry=entry)
    versions = list(NetworkEntryVersion.objects.filter(entry=entry))
    assert [v.change for v in versions] == ["added", "updated", "moved", "updated", "removed"]
    assert [v.frequency for v in versions] == ["monthly", "weekly", "weekly", "weekly", "weekly"]
    assert [v.ring for v in versions] == ["inner", "inner", "middle", "middle", "middle"]
    assert [v.note for v in versions] == ["Phones on Sundays"] * 3 + ["", ""]
    assert all(v.recorded_by == connector for v in versions)
    assert [v.pk for v in selectors.entry_history(actor=connector, entry=entry)] == [v.pk for v in versions]
    entry.refresh_from_db()
    assert entry.removed_at is not None  # kept, so the tie shows as lost
    events = list(
        AuditEvent.objects.filter(event__startswith="network_entry.")
        .order_by("seq")
        .values_list("event", flat=True)
    )
    assert events == [
        "network_entry.added",
        "network_entry.updated",
        "network_entry.moved",
        "network_entry.updated",
        "network_entry.removed",
    ]
    moved = AuditEvent.objects.get(event="network_entry.moved")
    assert moved.values == {"ring": ["inner", "middle"]}


def test_a_removed_entry_cannot_be_changed_and_removing_twice_does_nothing(
    connector: User, episode: SupportEpisode
) -> None:
    entry = add(connector, episode.person)
    services.entry_remove(actor=connector, entry=entry)
    services.entry_remove(actor=connector, entry=entry)
    assert entry.versions.count() == 2
    with pytest.raises(DomainError) as refused:
        services.entry_move(actor=connector, entry=entry, ring="outer")
    assert refused.value.code == "ENTRY_REMOVED"
    assert list(selectors.map_current(actor=connector, person=episode.person)) == []


def test_the_baseline_is_taken_once_on_first_completion(connector: User, episode: SupportEpisode) -> None:
    first = add(connector, episode.person)
    services.map_mark_complete(actor=connector, person=episode.person)
    add(connector, episode.person, label="Sid", type="friend")
    services.map_mark_complete(actor=connector, person=episode.person)
    baselines = NetworkSnapshot.objects.filter(person=episode.person, kind=SnapshotKind.BASELINE)
    assert baselines.count() == 1
    baseline = baselines.get()
    assert baseline.episode == episode
    assert [e["id"] for e in baseline.entries] == [first.pk]
    assert baseline.entries[0]["label"] == "Jean" and baseline.entries[0]["category"] == "people"
    assert AuditEvent.objects.filter(event="network_map.completed").count() == 1
    assert AuditEvent.objects.filter(event="network_snapshot.taken").count() == 1
    # After the baseline, new entries are new since support began unless said otherwise.
    assert add(connector, episode.person, label="Quiz night", type="activity").new_since_support is True
    assert add(connector, episode.person, label="Ann", new_since_support=False).new_since_support is False


def test_an_empty_map_can_be_the_baseline(connector: User, episode: SupportEpisode) -> None:
    network_map = services.map_mark_complete(actor=connector, person=episode.person)
    assert network_map.completed_at is not None
    assert NetworkSnapshot.objects.get(kind="baseline").entries == []


def test_editing_after_the_baseline_leaves_the_baseline_frozen(
    connector: User, episode: SupportEpisode
) -> None:
    entry = add(connector, episode.person, frequency="monthly")
    services.map_mark_complete(actor=connector, person=episode.person)
    services.entry_update(actor=connector, entry=entry, frequency="daily", label="Jeanie")
    baseline = selectors.snapshot_get(actor=connector, person=episode.person, kind="baseline")
    assert baseline is not None
    assert (baseline.entries[0]["label"], baseline.entries[0]["frequency"]) == ("Jean", "monthly")


def test_the_end_map_is_taken_at_closing_once(connector: User, episode: SupportEpisode) -> None:
    kept = add(connector, episode.person, frequency="monthly")
    gone = add(connector, episode.person, label="Sid", type="friend", ring="middle")
    services.map_mark_complete(actor=connector, person=episode.person)
    services.entry_remove(actor=connector, entry=gone)
    services.entry_move(actor=connector, entry=kept, ring="middle")
    episode_close(actor=connector, episode=episode, outcome="goals-met")
    end = services.network_snapshot_end(actor=connector, episode=episode)
    assert end is not None and end.kind == "end" and end.episode == episode
    assert [e["id"] for e in end.entries] == [kept.pk]
    assert services.network_snapshot_end(actor=connector, episode=episode) == end  # once per episode
    assert NetworkSnapshot.objects.filter(kind="end").count() == 1
    compared = selectors.map_comparison(actor=connector, person_id=episode.person_id)
    assert compared.after.snapshot == "end"
    assert [t.id for t in compared.comparison.lost] == [gone.pk]
    assert [t.id for t in compared.comparison.weakened] == [kept.pk]


def test_no_end_map_when_the_map_was_never_completed(connector: User, episode: SupportEpisode) -> None:
    add(connector, episode.person)
    episode_close(actor=connector, episode=episode, outcome="goals-met")
    assert services.network_snapshot_end(actor=connector, episode=episode) is None
    assert not NetworkSnapshot.objects.exists()


def test_a_new_episode_gets_its_own_baseline(connector: User, episode: SupportEpisode) -> None:
    add(connector, episode.person)
    services.map_mark_complete(actor=connector, person=episode.person)
    episode_close(actor=connector, episode=episode, outcome="goals-met")
    services.network_snapshot_end(actor=connector, episode=episode)
    again = make_episode(connector=connector, referral=make_referral(person=episode.person))
    add(connector, episode.person, label="Quiz night", type="activity", ring="outer")
    services.map_mark_complete(actor=connector, person=episode.person)
    baselines = NetworkSnapshot.objects.filter(kind="baseline").order_by("taken_at")
    assert [b.episode_id for b in baselines] == [episode.pk, again.pk]
    # The comparison now runs from the newest baseline to the map now, not to the old end map.
    compared = selectors.map_comparison(actor=connector, person_id=episode.person_id)
    assert compared.after.snapshot == "current"
    assert len(compared.before.entries) == 2


def test_no_comparison_without_a_baseline(connector: User, episode: SupportEpisode) -> None:
    with pytest.raises(DomainError) as refused:
        selectors.map_comparison(actor=connector, person_id=episode.person_id)
    assert refused.value.code == "NO_BASELINE"


def test_only_casework_staff_change_the_map(
    connector: User,
    supervisor: User,
    volunteer: User,
    analyst: User,
    outsider: User,
    episode: SupportEpisode,
) -> None:
    entry = add(supervisor, episode.person)
    for actor in (volunteer, analyst, outsider):
        with pytest.raises(PermissionDenied):
            add(actor, episode.person)
        with pytest.raises(PermissionDenied):
            services.entry_move(actor=actor, entry=entry, ring="outer")
        with pytest.raises(PermissionDenied):
            services.entry_remove(actor=actor, entry=entry)
        with pytest.raises(PermissionDenied):
            services.map_mark_complete(actor=actor, person=episode.person)
        with pytest.raises(PermissionDenied):
            services.map_share_with_volunteers(actor=actor, person=episode.person, shared=True)
    assert NetworkEntry.objects.count() == 1
    assert AuditEvent.objects.filter(event="auth.permission_denied").count() == 15
    services.map_share_with_volunteers(actor=connector, person=episode.person, shared=True)
    with pytest.raises(PermissionDenied):  # sharing lets volunteers look, never change
        services.entry_move(actor=volunteer, entry=entry, ring="outer")


def test_sharing_is_recorded_and_idempotent(connector: User, episode: SupportEpisode) -> None:
    services.map_share_with_volunteers(actor=connector, person=episode.person, shared=True)
    services.map_share_with_volunteers(actor=connector, person=episode.person, shared=True)
    services.map_share_with_volunteers(actor=connector, person=episode.person, shared=False)
    values = [e.values for e in AuditEvent.objects.filter(event="network_map.shared").order_by("seq")]
    assert values == [{"shared_with_volunteers": [False, True]}, {"shared_with_volunteers": [True, False]}]


@pytest.fixture
def shared_world(
    organisation: Organisation,
    connector: User,
    volunteer: User,
    other_volunteer: User,
    episode: SupportEpisode,
) -> dict[str, Any]:
    """Two people with maps: one shared (the volunteer is assigned), one not."""
    add(connector, episode.person)
    services.map_mark_complete(actor=connector, person=episode.person)
    services.map_share_with_volunteers(actor=connector, person=episode.person, shared=True)
    hidden = make_episode(
        connector=connector, person=make_person(organisation=organisation), volunteers=[volunteer]
    )
    add(connector, hidden.person)
    services.map_mark_complete(actor=connector, person=hidden.person)
    return {"shared": episode.person, "hidden": hidden.person}


@pytest.mark.parametrize(
    "who", ["connector", "supervisor", "volunteer", "other_volunteer", "analyst", "outsider"]
)
@pytest.mark.parametrize("model", [NetworkMap, NetworkEntry, NetworkSnapshot])
@pytest.mark.parametrize("action", [Action.VIEW, Action.UPDATE, Action.DELETE])
def test_policy_record_and_query_checks_agree(
    shared_world: dict[str, Any], request: pytest.FixtureRequest, who: str, model: type[Any], action: str
) -> None:
    actor = request.getfixturevalue(who)
    records = list(model.objects.all())
    assert records
    in_scope = set(visible_to(actor, action, model).values_list("pk", flat=True))
    assert {r.pk for r in records if policy_for(model).allows(actor, action, r)} == in_scope
    assert {r.pk for r in records if can(actor, action, r)} == in_scope
    people = {r.person_id for r in records if r.pk in in_scope}
    if who in ("connector", "supervisor"):
        assert people == {p.pk for p in shared_world.values()}
    elif who == "volunteer" and action == Action.VIEW:
        assert people == {shared_world["shared"].pk}
    else:
        assert people == set()


def test_a_volunteer_loses_the_map_when_support_closes(
    connector: User, volunteer: User, episode: SupportEpisode
) -> None:
    add(connector, episode.person)
    services.map_share_with_volunteers(actor=connector, person=episode.person, shared=True)
    assert selectors.map_current(actor=volunteer, person=episode.person).count() == 1
    episode_close(actor=connector, episode=episode, outcome="goals-met")
    assert selectors.map_current(actor=volunteer, person=episode.person).count() == 0
