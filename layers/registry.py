"""The factions: stable ids that links, files and tools depend on."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from layers.contract import IDENTIFIER
from layers.geojson import load_json

COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


class RegistryError(ValueError):
    pass


@dataclass(frozen=True)
class Faction:
    id: str
    name: str
    short_name: str
    colour: str
    description: str
    aliases: tuple[str, ...] = ()
    allied_with: tuple[str, ...] = ()
    alliance_note: str = ""


TEXTS = ("id", "name", "short_name", "colour", "description")
LISTS = ("aliases", "allied_with")


def _text_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def load_registry(path: Path) -> dict[str, Faction]:
    """Factions by id, in the registry's order (which is also the legend's)."""
    entries = load_json(path)
    if not isinstance(entries, dict) or not isinstance(entries.get("factions"), list):
        raise RegistryError(f"{path}: expected an object with a 'factions' list")
    factions: dict[str, Faction] = {}
    for number, entry in enumerate(entries["factions"], start=1):
        where = f"{path}: faction #{number}"
        if not isinstance(entry, dict):
            raise RegistryError(f"{where}: not an object")
        missing = [key for key in TEXTS if not entry.get(key)]
        if missing:
            raise RegistryError(f"{where}: missing {', '.join(missing)}")
        not_text = [key for key in (*TEXTS, "alliance_note") if not isinstance(entry.get(key, ""), str)]
        not_lists = [key for key in LISTS if not _text_list(entry.get(key, []))]
        if not_text or not_lists:
            wrong = [f"{key} is not text" for key in not_text] + [f"{key} is not a list of text" for key in not_lists]
            raise RegistryError(f"{where}: {'; '.join(wrong)}")
        if not IDENTIFIER.match(entry["id"]):
            raise RegistryError(f"{where}: id {entry['id']!r} is not lowercase words joined by '-'")
        if entry["id"] in factions:
            raise RegistryError(f"{where}: id {entry['id']!r} appears twice")
        if not COLOUR.match(entry["colour"]):
            raise RegistryError(f"{where} ({entry['id']}): colour {entry['colour']!r} is not #rrggbb")
        factions[entry["id"]] = Faction(
            id=entry["id"],
            name=entry["name"],
            short_name=entry["short_name"],
            colour=entry["colour"].lower(),
            description=entry["description"],
            aliases=tuple(entry.get("aliases", ())),
            allied_with=tuple(entry.get("allied_with", ())),
            alliance_note=entry.get("alliance_note", ""),
        )
    for faction in factions.values():
        unknown = [ally for ally in faction.allied_with if ally not in factions]
        if unknown:
            raise RegistryError(f"{path}: {faction.id} is allied with unknown faction(s) {', '.join(unknown)}")
    return factions
