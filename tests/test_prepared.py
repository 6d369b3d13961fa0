"""Prepared dates: what the map shows on a change date, worked out once, kept on disk, never stale."""

import gzip
import io
import logging
from datetime import date
from pathlib import Path

import pytest
from conftest import area, write_layer

from layers.cli import main
from layers.mapping import shown_only
from layers.prepared import Day, Prepared
from layers.store import Store

TRIPOLI, MISRATA = (13.187, 32.887), (15.092, 32.377)


def names(drawn: dict) -> set[str]:
    return {drawn["texts"][name] for name in drawn["areas"]["name"]}


def two_dates(root: Path) -> Store:
    write_layer(root, "libya-dawn", "2015-01-01", [area(*TRIPOLI, "Tripoli")])
    write_layer(root, "libya-dawn", "2015-03-01", [area(*TRIPOLI, "Tripoli"), area(*MISRATA, "Misrata")])
    return Store(root)


def kept(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.json.gz"))


def test_a_date_read_back_shows_what_was_worked_out(shipped, tmp_path, monkeypatch):
    worked_out = Prepared(shipped, tmp_path).on(date(2015, 2, 17))
    monkeypatch.setattr(Prepared, "_make", lambda self, day: pytest.fail("worked out again, not read back"))
    read_back = Prepared(shipped, tmp_path).on(date(2015, 2, 17))
    assert len(kept(tmp_path)) == 1 and read_back == worked_out
    drawn = read_back.drawn
    factions = drawn["areas"]["faction"]
    derna = {drawn["factions"][f]["id"] for f, n in zip(factions, drawn["areas"]["name"]) if "Derna" in drawn["texts"][n]}
    assert {"islamic-state", "dmsc"} <= derna  # Derna, contested by both on 17 Feb 2015


def test_a_prepared_date_carries_its_km2_and_what_changed_hands(empty_root, tmp_path):
    store = two_dates(empty_root)
    later = Prepared(store, tmp_path).on(date(2015, 3, 1))
    assert [change[0] for change in later.changes] == ["Misrata"]
    held, zone, contested = later.ground["libya-dawn"]
    assert 2 * 100 < held < 2 * 130 and zone == contested == 0  # two squares of 0.1° at 32-33° N, about 115 km² each


def test_an_edited_layer_file_is_worked_out_again_not_read_stale(empty_root, tmp_path):
    store = two_dates(empty_root)
    assert names(Prepared(store, tmp_path).on(date(2015, 3, 1)).drawn) == {"Tripoli", "Misrata"}
    write_layer(empty_root, "libya-dawn", "2015-03-01", [area(*TRIPOLI, "Tripoli"), area(*MISRATA, "Misrata port")])
    assert names(Prepared(Store(empty_root), tmp_path).on(date(2015, 3, 1)).drawn) == {"Tripoli", "Misrata port"}


def test_a_later_version_ends_the_kept_dates_areas(empty_root, tmp_path):
    """A new version of a faction ends its areas of the version before: their popups must say until when."""
    store = two_dates(empty_root)
    assert since(Prepared(store, tmp_path).on(date(2015, 3, 1)), "Misrata") == "since 2015-03-01"
    write_layer(empty_root, "libya-dawn", "2015-06-01", [area(*TRIPOLI, "Tripoli")])
    later = Prepared(Store(empty_root), tmp_path).on(date(2015, 3, 1))
    assert since(later, "Misrata") == "since 2015-03-01, until 2015-06-01"


def since(day: Day, name: str) -> str:
    drawn = day.drawn
    [row] = [i for i, n in enumerate(drawn["areas"]["name"]) if drawn["texts"][n] == name]
    return drawn["texts"][drawn["areas"]["since"][row]]


def test_a_day_between_changes_is_the_change_date_before_it(empty_root, tmp_path):
    store = two_dates(empty_root)
    prepared = Prepared(store, tmp_path)
    assert prepared.on(date(2015, 2, 10)) == prepared.on(date(2015, 1, 1)) and len(kept(tmp_path)) == 1


def test_every_change_date_is_prepared_from_the_command_line(empty_root, tmp_path):
    two_dates(empty_root)
    out = io.StringIO()
    assert main(["--geodata", str(empty_root), "prepare", "--cache", str(tmp_path / "cache")], out=out) == 0
    assert "2 change dates prepared" in out.getvalue() and len(kept(tmp_path / "cache")) == 2


def test_prepare_fails_naming_the_folder_when_it_cannot_keep_the_dates(empty_root, tmp_path):
    two_dates(empty_root)
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    out, err = io.StringIO(), io.StringIO()
    assert main(["--geodata", str(empty_root), "prepare", "--cache", str(blocked / "cache")], out=out, err=err) == 1
    assert "2 of 2 change dates could not be kept" in err.getvalue() and str(blocked / "cache") in err.getvalue()


def test_a_date_drawn_without_an_unreadable_file_is_not_kept(empty_root, tmp_path):
    two_dates(empty_root)
    (empty_root / "layers" / "libya-dawn" / "2015-03-01.geojson").write_text("{broken", encoding="utf-8")
    write_layer(empty_root, "tobruk", "2015-04-01", [area(20.07, 32.12, "Benghazi")])
    store = Store(empty_root, skip_unreadable=True)
    prepared = Prepared(store, tmp_path)
    assert names(prepared.on(date(2015, 3, 1)).drawn) == set() and store.unreadable
    assert names(prepared.on(date(2015, 4, 1)).drawn) == {"Benghazi"}  # the broken file read before, still in force
    assert kept(tmp_path) == []


@pytest.mark.parametrize(
    "corrupt",
    [
        lambda data: b"not gzip",
        lambda data: data[:12] + bytes(b ^ 0x55 for b in data[12:-8]) + data[-8:],  # its compressed body damaged
        lambda data: gzip.compress(b'{"drawn": {}, "ground": {}, "changes": []}'),  # well formed, no map in it
    ],
)
def test_a_corrupt_kept_date_is_worked_out_again(empty_root, tmp_path, caplog, corrupt):
    store = two_dates(empty_root)
    Prepared(store, tmp_path).on(date(2015, 1, 1))
    [path] = kept(tmp_path)
    path.write_bytes(corrupt(path.read_bytes()))
    with caplog.at_level(logging.WARNING):
        assert names(Prepared(store, tmp_path).on(date(2015, 1, 1)).drawn) == {"Tripoli"}
    assert "working it out again" in caplog.text


def test_a_folder_that_cannot_be_written_only_means_nothing_is_kept(empty_root, tmp_path, caplog):
    store = two_dates(empty_root)
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    with caplog.at_level(logging.WARNING):
        assert names(Prepared(store, blocked / "cache").on(date(2015, 1, 1)).drawn) == {"Tripoli"}
    assert "cannot keep prepared dates" in caplog.text


def test_hiding_factions_leaves_their_areas_texts_and_dots_out(shipped, tmp_path):
    everything = Prepared(shipped, tmp_path).on(date(2015, 6, 4)).drawn
    islamic_state = shown_only(everything, ["islamic-state"])
    assert [f["id"] for f in islamic_state["factions"]] == ["islamic-state"]
    assert "Nawfaliya" in names(islamic_state) and "Tobruk and the Egyptian border" not in islamic_state["texts"]
    assert len(islamic_state["shapes"]) == len(set(islamic_state["areas"]["shape"])) < len(everything["shapes"])
    assert all(dot[1] == [0] for dot in islamic_state["dots"])


def test_showing_every_faction_shows_the_prepared_date_unchanged(shipped, tmp_path):
    everything = Prepared(shipped, tmp_path).on(date(2015, 6, 4)).drawn
    assert shown_only(everything, list(shipped.registry)) is everything
