"""Queries against one store, run in a fresh process so that its peak memory is its own.

    python -m bench.scale <geodata folder>      prints one JSON object of timings (seconds) and peak MB

load     Store(), its version index and the list of change dates (what the app does on start)
state    state_at on dates not read before (cold) and again (warm)
who      who() at a point on dates not read before (cold) and again (warm)
drawn    control_data at the country zoom: the simplified, compact layer the map is sent
"""

from __future__ import annotations

import json
import random
import resource
import statistics
import sys
import time
from pathlib import Path

from layers import Store, state_at
from layers.detail import level_for
from layers.mapping import LIBYA_ZOOM, control_data
from layers.timeline import who

SAMPLES = 7


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def measure(root: Path) -> dict:
    start = time.perf_counter()
    store = Store(root)
    dates = store.index.dates
    load = time.perf_counter() - start
    chooser = random.Random(5)
    state_days, who_days = chooser.sample(dates, SAMPLES), chooser.sample(dates, SAMPLES)
    west, south, east, north = store.outline.bounds
    points = []
    while len(points) < SAMPLES:
        lon, lat = chooser.uniform(west, east), chooser.uniform(south, north)
        points.append((lon, lat))
    level = level_for(LIBYA_ZOOM)
    return {
        "versions": len(store.versions()),
        "factions": len(store.registry),
        "dates": len(dates),
        "load": load,
        "state_cold": statistics.median(timed(lambda d=d: state_at(store, d)) for d in state_days),
        "state_warm": statistics.median(timed(lambda d=d: state_at(store, d)) for d in state_days),
        "who_cold": statistics.median(timed(lambda d=d, p=p: who(store, d, *p)) for d, p in zip(who_days, points)),
        "who_warm": statistics.median(timed(lambda d=d, p=p: who(store, d, *p)) for d, p in zip(who_days, points)),
        "drawn": statistics.median(
            timed(lambda d=d: control_data(state_at(store, d), store.registry, level)) for d in state_days
        ),
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


if __name__ == "__main__":
    print(json.dumps(measure(Path(sys.argv[1]))))
