"""The data contract: what a layer file is called and what each of its features says.

A version of a faction's ground is `layers/<faction-id>/<YYYY-MM-DD>.geojson`,
a FeatureCollection of areas. Every area has a `name`, a `status` (its tier:
held, contested or zone), the other sides of a contested area in
`contested_with` (a contested area, or the zone around one), the `sources`
that support it, an optional `note`, and `first_evidence: true` where the
record of the area starts with the earliest source found rather than with a
change of holder (so its first `valid_from` is not a date it changed hands). Every
module that reads, writes, checks or shows these names them from here, so a
new property touches this file and the one that gives it meaning.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Iterable

from layers.markup import quoted

HELD, CONTESTED, ZONE = "held", "contested", "zone"
STATUSES = (HELD, CONTESTED, ZONE)
PROPERTIES = ("name", "status", "contested_with", "sources", "note", "first_evidence")  # in the order files write them
LISTS = ("contested_with", "sources")  # QGIS writes list fields as JSON text, GDAL as "(2:a,b)"
IDENTIFIER = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")  # faction and place ids: lowercase words joined by '-'
VERSION_NAME = re.compile(r"^([0-9]{4}-[0-9]{2}-[0-9]{2})\.geojson$")


class StoreError(ValueError):
    """A value or request the data refuses, with the reason."""


def parse_day(text: str, what: str = "date") -> date:
    """A real calendar date written YYYY-MM-DD, or a StoreError that says which part is wrong."""
    if not isinstance(text, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text.strip()):
        raise StoreError(f"{what} {quoted(text)} is not written YYYY-MM-DD")
    try:
        return date.fromisoformat(text.strip())
    except ValueError as err:
        raise StoreError(f"{what} {quoted(text)} is not a real date ({err})") from None


def is_sole(status: str, contested_with: Iterable[str]) -> bool:
    """Whether an area is ground one faction alone claims (see `sole_ground`)."""
    return status == HELD or (status == ZONE and not list(contested_with))


def sole_ground(frame) -> Any:
    """Which rows of an areas frame are ground one faction alone claims: held areas and uncontested zones.

    Sole ground of different factions never overlaps; contested ground (an area or a zone that
    names other sides) is where it may.
    """
    return (frame["status"] == HELD) | ((frame["status"] == ZONE) & (frame["contested_with"].str.len() == 0))


def feature_label(where: str, number: int, properties: Any) -> str:
    """How messages name a feature: its file, its position and, when it has one, its name."""
    name = properties.get("name") if isinstance(properties, dict) else None
    return f"{where}, feature #{number}" + (f" ({name})" if isinstance(name, str) and name else "")


def area_properties(
    name: str,
    status: str,
    sources: Iterable[dict],
    contested_with: Iterable[str] = (),
    note: str | None = None,
    first_evidence: bool = False,
) -> dict[str, Any]:
    """An area's properties as files write them: `contested_with` only for contested ground, `note` and
    `first_evidence` only when there is one.

    Contested ground is a contested area, or a zone around one (a zone naming the other sides).
    """
    properties: dict[str, Any] = {"name": name, "status": status}
    others = list(contested_with)
    if status == CONTESTED or (status == ZONE and others):
        properties["contested_with"] = others
    properties["sources"] = list(sources)
    if isinstance(note, str) and note:
        properties["note"] = note
    if first_evidence is True:
        properties["first_evidence"] = True
    return properties
