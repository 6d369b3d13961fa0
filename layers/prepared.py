"""What the map shows on each change date, worked out once and kept on disk.

A date's map at the country view (every faction's areas and town dots, `control_data` at
`LEVEL`), the km² beside it and the areas that changed hands on it depend only on the
data, not on the reader, and cost a server about 200 ms of CPU to work out; read back,
they cost about 1 ms. So each is kept as compressed JSON in a cache folder, under a hash
of everything it was made from: the layer files in force on the date and on the change
date before it, the registry, the places, and this package's code. An edit to any of them
gives new names, so a kept date is never stale; `.cache/` can be deleted at any time. What it
holds reaches readers' maps as HTML, so the folder is made private and must be as trusted as the code.

A date not prepared yet is worked out when first asked for, then kept; `python -m layers
prepare` works out every date beforehand (a server's deploy step). `LIBYA_CONTROL_CACHE`
points at another folder; a folder that cannot be written only means nothing is kept.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
import zlib
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import numpy
import shapely

from layers.changelog import changes_on
from layers.detail import level_for
from layers.geojson import write_atomic
from layers.mapping import LIBYA_ZOOM, control_data, place_marks
from layers.store import Store, VersionRef
from layers.summary import ground_km2
from layers.timeline import state_at

LEVEL = level_for(LIBYA_ZOOM)  # the country view, where the app and the compare maps open
CODE = Path(__file__).resolve().parent
DEFAULT_FOLDER = CODE.parent / ".cache" / "prepared"
LOG = logging.getLogger(__name__)
DRAWN_KEYS = {"factions", "sources", "texts", "grid", "shapes", "areas", "dots"}  # control_data's


def cache_folder() -> Path:
    return Path(os.environ.get("LIBYA_CONTROL_CACHE") or DEFAULT_FOLDER)


@dataclass(frozen=True)
class Day:
    """What one change date shows, in the form the app draws it."""

    drawn: dict  # `control_data` of every faction at LEVEL
    ground: dict[str, list[float]]  # each faction's held, zone and contested km² (its version's)
    changes: list[list]  # area, holders before, holders after, sources: `changes_on`, as JSON


@cache
def _code_hash() -> str:
    """This package's code and the geometry libraries it draws with."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"shapely {shapely.__version__} GEOS {shapely.geos_version_string} numpy {numpy.__version__}\n".encode())
    for module in sorted(CODE.glob("*.py")):
        digest.update(module.name.encode() + b"\0" + module.read_bytes())
    return digest.hexdigest()


@cache
def _file_hash(path: Path, size: int, modified_ns: int) -> str:
    """A file's content hash, worked out once per size and modification time."""
    return hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()


def _hash(path: Path) -> str:
    status = path.stat()
    return _file_hash(path, status.st_size, status.st_mtime_ns)


class Prepared:
    """The change dates of one store, each worked out once: read from the cache folder, or made and kept."""

    def __init__(self, store: Store, folder: Path | None = None):
        self.store = store
        self.folder = folder or cache_folder()
        self.marks = place_marks(store.places)

    def sources_of(self, day: date) -> list[VersionRef]:
        """The versions a change date is made from: those in force on it and on the change date before it."""
        previous = self.store.index.step(day, -1)
        return sorted({*self.store.index.at(day), *(self.store.index.at(previous) if previous else [])})

    def key(self, day: date) -> str | None:
        """The name a change date is kept under, or None when it cannot be kept (a version held only in memory).

        A version's end (the date of its faction's next version) is part of it: popups say "until" then.
        """
        refs = self.sources_of(day)
        if not all(self.store.on_disk(ref) for ref in refs):
            return None
        digest = hashlib.blake2b(digest_size=20)
        digest.update(f"{_code_hash()} {day} {LEVEL}\n".encode())
        for path in (self.store.root / "factions.json", self.store.root / "places.geojson"):
            digest.update(f"{path.name} {_hash(path)}\n".encode())
        for ref in refs:
            digest.update(f"{ref.relpath} {_hash(self.store.path(ref))} until {self.store.index.ends[ref]}\n".encode())
        return digest.hexdigest()

    def is_kept(self, day: date) -> bool:
        """Whether what `day` shows is kept in the folder as the data and code are now."""
        try:
            key = self.key(self.store.index.last_change(day) or day)
        except OSError:
            return False
        return key is not None and (self.folder / f"{key}.json.gz").is_file()

    def on(self, day: date) -> Day:
        """What `day` shows: its change date's."""
        day = self.store.index.last_change(day) or day
        try:
            key = self.key(day)
        except OSError:
            key = None  # a file that cannot be read: worked out below, which says what is wrong with it
        path = self.folder / f"{key}.json.gz" if key else None
        if path and path.is_file():
            try:
                kept = Day(**json.loads(gzip.decompress(path.read_bytes())))
                if DRAWN_KEYS <= kept.drawn.keys():
                    return kept
                raise ValueError(f"its map lacks {sorted(DRAWN_KEYS - kept.drawn.keys())}")
            except (OSError, EOFError, zlib.error, ValueError, TypeError, AttributeError) as err:
                LOG.warning("prepared date %s unreadable (%s): working it out again", path.name, err)
        text = json.dumps(self._make(day).__dict__, separators=(",", ":"))
        if path and not any(ref in self.store.unreadable for ref in self.sources_of(day)):  # drawn without a broken file
            try:
                self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
                write_atomic(path, gzip.compress(text.encode(), 6))
            except OSError as err:
                LOG.warning("cannot keep prepared dates in %s: %s", self.folder, err)
        return Day(**json.loads(text))  # as read back: the same whether made now or kept

    def _make(self, day: date) -> Day:
        state = state_at(self.store, day)
        changes = changes_on(self.store, day)
        return Day(
            drawn=control_data(state, self.store.registry, LEVEL, None, self.marks),
            ground={ref.faction: list(self._ground(ref)) for ref in self.store.index.at(day)},
            changes=[[row.area, row.before, row.after, row.sources] for row in changes.itertuples()],
        )

    @cache  # noqa: B019 (one Prepared per store, kept as long as it)
    def _ground(self, ref: VersionRef) -> tuple[float, float, float]:
        return ground_km2(self.store.frame(ref))
