"""Versions of a career track's ladder: the comparison engine, the service that keeps a
version at each save, the track page and the API that show them, and version 1 of the tracks
that existed before versions were kept."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import translation

from opsteam.careers import selectors, selectors_growth, services
from opsteam.careers.ladder_versions import (
    ENTRY_ADDED,
    ENTRY_REMOVED,
    LEVEL_ADDED,
    LEVEL_REMOVED,
    REORDERED,
    STEP_FIELD,
    TRACK_FIELD,
    LadderChange,
    SnapshotError,
    compare_ladders,
)
from opsteam.careers.models import CareerTrackVersion
from opsteam.careers.services_framework import track_ladder_save
from opsteam.careers.tests.factories import (
    CareerStepFactory,
    CareerTrackFactory,
    LevelStandardFactory,
)
from opsteam.core.exceptions import PolicyDenied
from opsteam.core.models import AuditEntry
from opsteam.org.choices import LevelTrack
from opsteam.org.tests.factories import JobLevelFactory

# The comparison engine (no database) ----------------------------------------------------------


def step(level: int, code: str, order: int, **fields: Any) -> dict[str, Any]:
    return {
        "order": order,
        "level": level,
        "code": code,
        "name": fields.pop("name", f"级别{code}"),
        "name_en": fields.pop("name_en", f"Level {code}"),
        "rank": order,
        "min_months": fields.pop("min_months", 12),
        "standard_version": fields.pop("standard_version", 1),
        "entry_from": fields.pop("entry_from", []),
    }


def ladder(*steps: dict[str, Any], **track: Any) -> dict[str, Any]:
    fields = {
        "code": "PRO",
        "name": "专业通道",
        "name_en": "Professional",
        "kind": "professional",
        "description": "",
        "description_en": "",
        "is_active": True,
    }
    return {"track": {**fields, **track}, "steps": list(steps)}


P1, P2, P3, P4 = (step(1, "P1", 1), step(2, "P2", 2), step(3, "P3", 3), step(4, "P4", 4))


def test_a_first_version_has_no_changes():
    assert compare_ladders(None, ladder(P1, P2)) == []


def test_unchanged_ladder_has_no_changes():
    assert compare_ladders(ladder(P1, P2, P3), ladder(P1, P2, P3)) == []


def test_levels_added_and_removed_name_their_step():
    before = ladder(P1, P2, P3)
    after = ladder(step(2, "P2", 1), step(3, "P3", 2), step(4, "P4", 3))

    changes = compare_ladders(before, after)

    removed = [c for c in changes if c.kind == LEVEL_REMOVED]
    added = [c for c in changes if c.kind == LEVEL_ADDED]
    assert [(c.level["code"], c.before) for c in removed] == [("P1", 1)]
    assert [(c.level["code"], c.after) for c in added] == [("P4", 3)]
    # P2 and P3 moved down one step but kept their order: not a reorder
    assert not [c for c in changes if c.kind == REORDERED]


def test_a_new_order_of_the_shared_levels_is_one_reorder_with_both_sequences():
    before = ladder(P1, P2, P3)
    after = ladder(step(1, "P1", 1), step(3, "P3", 2), step(2, "P2", 3))

    changes = compare_ladders(before, after)

    assert changes == [LadderChange(REORDERED, before=["P1", "P2", "P3"], after=["P1", "P3", "P2"])]


def test_changed_fields_and_entries_are_listed_per_level():
    m1_before = step(
        10, "M1", 1, entry_from=[{"level": 3, "code": "P3", "name": "", "name_en": ""}]
    )
    m1_after = step(
        10,
        "M1",
        1,
        min_months=18,
        standard_version=2,
        name_en="Team leader",
        entry_from=[{"level": 4, "code": "P4", "name": "", "name_en": ""}],
    )

    changes = compare_ladders(
        ladder(m1_before, name="管理通道"), ladder(m1_after, name="管理通道（新）", is_active=False)
    )

    assert [(c.kind, c.field, c.before, c.after) for c in changes if c.kind == TRACK_FIELD] == [
        (TRACK_FIELD, "name", "管理通道", "管理通道（新）"),
        (TRACK_FIELD, "is_active", True, False),
    ]
    assert [(c.field, c.before, c.after) for c in changes if c.kind == STEP_FIELD] == [
        ("name_en", "Level M1", "Team leader"),
        ("min_months", 12, 18),
        ("standard_version", 1, 2),
    ]
    assert [(c.kind, c.entry["code"]) for c in changes if c.entry] == [
        (ENTRY_ADDED, "P4"),
        (ENTRY_REMOVED, "P3"),
    ]


def test_a_level_recoded_is_the_same_level_with_a_new_code():
    changes = compare_ladders(
        ladder(P1), ladder(step(1, "OP1", 1, name="级别P1", name_en="Level P1"))
    )

    assert [(c.kind, c.field, c.before, c.after) for c in changes] == [
        (STEP_FIELD, "code", "P1", "OP1")
    ]


def test_a_snapshot_without_steps_is_refused_naming_the_part():
    with pytest.raises(SnapshotError, match=r"after\.steps"):
        compare_ladders(ladder(P1), {"track": {}})


# Saving keeps versions ------------------------------------------------------------------------


@pytest.fixture
def levels(db):
    pro = LevelTrack.PROFESSIONAL
    made = {
        code: JobLevelFactory(code=code, name=name, name_en=name_en, rank=rank, track=pro)
        for code, name, name_en, rank in (
            ("P1", "运营助理", "Assistant", 1),
            ("P2", "运营专员", "Operator", 2),
            ("P3", "高级运营", "Senior operator", 3),
            ("P4", "运营专家", "Expert", 4),
        )
    }
    made["M1"] = JobLevelFactory(
        code="M1", name="组长", name_en="Team lead", rank=3, track=LevelTrack.MANAGEMENT
    )
    return made


TRACK = {"code": "PRO", "name": "专业通道", "name_en": "Professional", "kind": "professional"}


def save(actor, levels, codes, track=None, entries=None, **fields):
    entries = entries or {}
    steps = [(levels[code], [levels[e] for e in entries.get(code, [])]) for code in codes]
    return track_ladder_save(actor=actor, track=track, steps=steps, **{**TRACK, **fields})


def test_each_save_that_changes_the_ladder_keeps_the_next_version(user_as, levels):
    # given HR saves a ladder, then reorders it and adds a level
    hr = user_as("hr", name="李人事", name_en="Li HR")
    LevelStandardFactory(level=levels["P3"], min_months_in_level=12)
    track = save(hr, levels, ["P1", "P2", "P3"])
    save(hr, levels, ["P1", "P3", "P2", "P4"], track=track)

    # when the track's versions are read
    versions = selectors_growth.track_versions(track)

    # then the newest comes first, each with who saved it and what changed
    assert [row.number for row in versions] == [2, 1]
    assert [row.is_current for row in versions] == [True, False]
    second, first = versions
    assert first.changes == []
    assert first.version.snapshot["steps"][2] == {
        "order": 3,
        "level": levels["P3"].pk,
        "code": "P3",
        "name": "高级运营",
        "name_en": "Senior operator",
        "rank": 3,
        "min_months": 12,
        "standard_version": 1,
        "entry_from": [],
    }
    assert second.version.saved_by == hr
    with translation.override("zh-hans"):
        assert second.saved_by_name == "李人事"
    assert {change.kind for change in second.changes} == {LEVEL_ADDED, REORDERED}
    with translation.override("en"):
        assert second.sentences == [
            "P4 · Expert added as step 4.",
            "Order of the levels changed: P1 → P2 → P3 became P1 → P3 → P2 → P4.",
        ]
        assert second.version.summary_en == " ".join(second.sentences)
    assert (
        AuditEntry.objects.filter(object_type="careers.careertrackversion", action="create").count()
        == 2
    )


def test_saving_without_a_change_adds_no_version(user_as, levels):
    hr = user_as("hr")
    track = save(hr, levels, ["P1", "P2"])

    again = save(hr, levels, ["P1", "P2"], track=track)

    assert again.versions.count() == 1


def test_a_new_entry_and_a_renamed_track_are_a_new_version(user_as, levels):
    hr = user_as("hr")
    track = save(hr, levels, ["M1"], kind="management", code="MGT", name="管理通道")

    save(
        hr,
        levels,
        ["M1"],
        track=track,
        entries={"M1": ["P3"]},
        kind="management",
        code="MGT",
        name="管理通道（新）",
    )

    latest = track.versions.get(number=2)
    with translation.override("en"):
        texts = selectors_growth.track_versions(track)[0].sentences
    assert texts == [
        "Name: “管理通道” → “管理通道（新）”.",
        "M1 · Team lead may now also be entered from P3 · Senior operator.",
    ]
    assert latest.snapshot["steps"][0]["entry_from"][0]["code"] == "P3"


def test_a_version_cannot_be_changed_once_saved(user_as, levels):
    track = save(user_as("hr"), levels, ["P1"])
    version = track.versions.get()

    version.summary = "改写历史"
    with pytest.raises(ValueError, match="cannot be changed"):
        version.save()

    assert track.versions.get().summary != "改写历史"


def test_operators_cannot_record_a_version(user_as, levels):
    track = save(user_as("hr"), levels, ["P1"])

    with pytest.raises(PolicyDenied):
        services.track_version_record(actor=user_as("operator"), track=track)

    assert track.versions.count() == 1


def test_eligibility_follows_the_current_ladder_not_an_earlier_version(user_as, levels):
    # given P1 → P2 → P3, then P2 removed from the ladder
    hr = user_as("hr")
    track = save(hr, levels, ["P1", "P2", "P3"])
    save(hr, levels, ["P1", "P3"], track=track)

    # then from P1 the next level is P3 as the ladder now stands; version 1 still shows P2
    assert selectors.next_levels_map()[levels["P1"].pk] == [levels["P3"].pk]
    first = track.versions.get(number=1)
    assert [row["code"] for row in first.snapshot["steps"]] == ["P1", "P2", "P3"]


def test_tracks_saved_with_the_lower_level_services_are_versioned_too(user_as, levels):
    # the demo and imports use track_save and step_entries_set directly
    hr = user_as("hr")
    track = services.track_save(actor=hr, levels=[levels["M1"]], **{**TRACK, "code": "MGT"})
    services.step_entries_set(
        actor=hr, step=track.steps.get(), entry_levels=[levels["P3"], levels["P4"]]
    )

    assert list(track.versions.order_by("number").values_list("number", flat=True)) == [1, 2]
    assert track.versions.get(number=2).snapshot == selectors_growth.track_snapshot(track)


# The track page and the API -------------------------------------------------------------------


@pytest.fixture
def versioned(user_as, levels):
    hr = user_as("hr")
    track = save(hr, levels, ["P1", "P2", "P3"])
    save(hr, levels, ["P1", "P3", "P4"], track=track)
    return track


def test_the_track_page_lists_the_versions_and_shows_a_past_ladder_with_its_changes(
    client, user_as, versioned
):
    client.force_login(user_as("operator"))
    url = reverse("careers:track_detail", args=[versioned.pk])

    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    second = client.get(url, {"version": 2}, HTTP_ACCEPT_LANGUAGE="en")
    first = client.get(url, {"version": 1}, HTTP_ACCEPT_LANGUAGE="en")
    missing = client.get(url, {"version": 9})

    assert page.status_code == second.status_code == first.status_code == 200
    assert [row.number for row in page.context["versions"]] == [2, 1]
    assert page.context["selected_version"] is None
    assert 'href="?version=1#version"' in page.content.decode()
    html = second.content.decode()
    assert "What changed against version 1" in html
    assert "P2 · Operator removed (was step 2)." in html
    assert "P4 · Expert added as step 3." in html
    old = first.context["selected_version"]
    assert [row["label"] for row in old.steps_top_first] == [
        "P3 · Senior operator",
        "P2 · Operator",
        "P1 · Assistant",
    ]
    assert "The first version of the ladder." in first.content.decode()
    assert missing.status_code == 404


def test_the_track_page_reads_the_version_in_chinese(client, user_as, versioned):
    client.force_login(user_as("operator"))

    response = client.get(
        reverse("careers:track_detail", args=[versioned.pk]),
        {"version": 1},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )

    html = response.content.decode()
    assert "P2 · 运营专员" in html
    assert "P2 · Operator" not in html


def test_everyone_reads_the_versions_through_the_api(api_client_as, versioned):
    api = api_client_as("operator")

    listing = api.get(
        reverse("careers-track-versions", args=[versioned.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    detail = api.get(
        reverse("careers-track-version", args=[versioned.pk, 2]), HTTP_ACCEPT_LANGUAGE="en"
    )
    missing = api.get(reverse("careers-track-version", args=[versioned.pk, 7]))

    assert listing.status_code == 200
    rows = listing.json()["results"]
    assert [(row["number"], row["is_current"]) for row in rows] == [(2, True), (1, False)]
    assert rows[0]["summary"].startswith("P2 · Operator removed")
    body = detail.json()
    assert [step["code"] for step in body["snapshot"]["steps"]] == ["P1", "P3", "P4"]
    assert [(c["kind"], c["level"]) for c in body["changes"]] == [
        ("level_removed", "P2"),
        ("level_added", "P4"),
    ]
    assert body["changes"][1]["text"] == "P4 · Expert added as step 3."
    assert missing.status_code == 404


# Version 1 of the tracks that existed before versions were kept -------------------------------


def test_the_migration_gives_existing_tracks_a_first_version_matching_their_ladder(user_as, levels):
    # given a track made before versions existed (rows written directly, no service)
    track = CareerTrackFactory(code="OLD", name="老通道", kind=LevelTrack.PROFESSIONAL)
    CareerStepFactory(track=track, level=levels["P1"], order=1)
    lead = CareerStepFactory(track=track, level=levels["P2"], order=2)
    lead.entry_from.add(levels["M1"])
    LevelStandardFactory(level=levels["P2"], min_months_in_level=6)
    migration = importlib.import_module("opsteam.careers.migrations.0002_track_versions")

    # when the data migration runs, with the models as they were at that migration
    state = MigrationExecutor(connection).loader.project_state(("careers", "0002_track_versions"))
    migration.first_versions(state.apps, None)

    # then version 1 is the ladder exactly as the app reads it, so saving it unchanged adds
    # nothing
    version = CareerTrackVersion.objects.get(track=track)
    assert version.number == 1
    assert version.saved_by is None
    assert version.snapshot == selectors_growth.track_snapshot(track)
    assert version.summary_en.startswith("Version 1")
    hr = user_as("hr")
    services.track_version_record(actor=hr, track=track)
    assert track.versions.count() == 1


def test_summaries_are_kept_in_chinese_and_english(user_as, levels):
    hr = user_as("hr")
    track = save(hr, levels, ["P1"])
    save(hr, levels, ["P1", "P2"], track=track)

    version = track.versions.get(number=2)

    assert version.summary_en == "P2 · Operator added as step 2."
    # the Chinese summary names the level in Chinese whatever the catalogue holds
    assert "P2 · 运营专员" in version.summary
