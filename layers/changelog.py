"""What changed on each change date: every area whose holders changed, from whom to whom, with its sources.

Areas are compared by name between a change date and the one before it;
zones are left out (they follow their areas), and so are new sources or notes
for the same holders, which change no one's ground.
"""

from __future__ import annotations

from datetime import date
from functools import cache, partial

import pandas as pd

from layers.contract import ZONE
from layers.markup import spreadsheet_safe
from layers.registry import Faction
from layers.store import Store, VersionRef

COLUMNS = ["date", "area", "before", "after", "sources", "note"]
Holders = tuple[tuple[str, str], ...]  # (faction, status) in registry order


Area = tuple[Holders, list[dict], "str | None"]  # holders, and the sources and note of the area's last row


def _version_areas(store: Store, ref: VersionRef) -> dict[str, tuple[str, list[dict], str | None]]:
    frame = store.frame(ref)
    rows = frame[frame["status"] != ZONE]
    notes = [note if isinstance(note, str) else None for note in rows["note"]]
    found = zip(rows["name"], rows["status"], rows["sources"], notes)
    return {name: (status, list(sources), note) for name, status, sources, note in found}


def _areas_on(refs: list[VersionRef], read) -> dict[str, Area]:
    """Each area in these versions (a date's), its holders in registry order."""
    areas: dict[str, Area] = {}
    for ref in refs:
        for name, (status, sources, note) in read(ref).items():
            holders = areas[name][0] if name in areas else ()
            areas[name] = ((*holders, (ref.faction, status)), sources, note)
    return areas


def _words(holders: Holders, registry: dict[str, Faction]) -> str:
    named = (f"{registry[f].short_name if f in registry else f} ({status})" for f, status in holders)
    return ", ".join(named) or "no holder recorded"


def _changes(day: date, before: dict[str, Area], after: dict[str, Area], registry: dict[str, Faction]) -> list[list]:
    rows = []
    for name in dict.fromkeys([*after, *before]):
        old, new = before.get(name, ((), [], None)), after.get(name, ((), [], None))
        if old[0] != new[0]:
            sources, note = (new[1], new[2]) if new[0] else (old[1], old[2])
            rows.append([day, name, _words(old[0], registry), _words(new[0], registry), sources, note])
    return rows


def changes_on(store: Store, day: date) -> pd.DataFrame:
    """The areas whose holders changed on `day`, a change date, against the change date before it."""
    previous = store.index.step(day, -1)
    read = partial(_version_areas, store)
    before = _areas_on(store.index.at(previous), read) if previous else {}
    return pd.DataFrame(_changes(day, before, _areas_on(store.index.at(day), read), store.registry), columns=COLUMNS)


def changelog(store: Store) -> pd.DataFrame:
    """`changes_on` every change date of the record, in date order, each version read once."""
    read = cache(partial(_version_areas, store))
    rows, before = [], {}
    for day in store.index.dates:
        after = _areas_on(store.index.at(day), read)
        rows += _changes(day, before, after, store.registry)
        before = after
    return pd.DataFrame(rows, columns=COLUMNS)


def sources_text(sources: list[dict]) -> str:
    """Sources as one cell of text any table holds: title (date) <url>, joined by ' | '."""
    parts = [
        (s.get("title", ""), f" ({s['published']})" if s.get("published") else "", f" <{s['url']}>" if s.get("url") else "")
        for s in sources
    ]
    return " | ".join("".join(part) for part in parts)


def as_text(changes: pd.DataFrame, safe: bool = False) -> pd.DataFrame:
    """The changes with sources as text (`sources_text`), ready for CSV; `safe` also puts a ' before
    text a spreadsheet would run as a formula (`spreadsheet_safe`)."""
    cell = spreadsheet_safe if safe else str
    table = changes.assign(sources=changes["sources"].map(sources_text), note=changes["note"].fillna(""))
    return table.assign(**{column: table[column].map(cell) for column in ["area", "before", "after", "sources", "note"]})
