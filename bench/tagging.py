"""Batch tagging: `python -m layers who --csv` on 100,000 events dated over the whole record.

The events are generated once (a fixed seed): seven in ten lie within 10 km of a named
place, where the areas are, the rest anywhere in Libya's bounding box.
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from layers import Store

ROWS = 100_000


def events(path: Path, rows: int = ROWS) -> Path:
    """A CSV of id,date,lat,lon over the record's dates (written once, reused)."""
    if path.exists():
        return path
    store, chance = Store(), random.Random(2014)
    places = [(point.y, point.x) for point in store.places.geometry]
    first, last = store.index.dates[0], store.index.dates[-1]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        out.write("id,date,lat,lon\n")
        for number in range(rows):
            day = first + timedelta(days=chance.randrange((last - first).days + 1))
            if chance.random() < 0.7:
                lat, lon = chance.choice(places)
                lat, lon = lat + chance.uniform(-0.1, 0.1), lon + chance.uniform(-0.1, 0.1)
            else:
                lat, lon = chance.uniform(19.5, 33.2), chance.uniform(9.4, 25.2)
            out.write(f"{number},{day},{lat:.5f},{lon:.5f}\n")
    return path


def tagging_seconds(csv: Path, runs: int = 3) -> list[float]:
    """Wall-clock seconds of the whole command, Python's start included, as a user waits for it.

    As on a usual install, Python keeps its compiled modules (`__pycache__`), written by a
    first untimed run; an environment that sets PYTHONDONTWRITEBYTECODE, as this machine's
    does, would otherwise compile every module on every run, a second more here.
    """
    command = [sys.executable, "-m", "layers", "who", "--csv", str(csv)]
    environment = {**os.environ, "PYTHONDONTWRITEBYTECODE": ""}  # empty is unset
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=environment)
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=environment)
        times.append(time.perf_counter() - began)
    return times


def report(cache: Path) -> None:
    dates = Store().index.dates
    csv = events(cache / f"events-{ROWS}-{dates[0]}-{dates[-1]}.csv")  # a longer record gets its own events
    times = tagging_seconds(csv)
    print(
        f"\n5. Batch tagging: who --csv on {ROWS:,} events dated {dates[0]} to {dates[-1]}: "
        f"median {statistics.median(times):.2f} s over {len(times)} runs (target: under 5 s)"
    )
