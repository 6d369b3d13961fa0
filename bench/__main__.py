"""The performance benchmark: `uv run python -m bench` from the repository root.

Prints medians measured on this machine:
0. `python -m layers prepare` on the shipped data, into a fresh folder (what the app then reads);
1. a date change on the shipped data: server time of the rerun, the server's CPU time per change
   (its CPU time over the walk / the changes) and bytes sent, for this app with every date prepared
   and with none, the naive map, and Streamlit's floor (bench/floor_app.py: one small layer swapped
   on a slider change);
2. the same change as seen in headless Chromium: click to new areas drawn, with the ratios to the
   naive map and to the floor (this app's map draws a date it holds before the server answers; the
   rest of its page follows the server's answer, its "server ms");
3. cold start: `streamlit run` to the first map drawn, and a warm server's first map of a new page;
   then load: 25 sessions stepping the date at once (bench/load.py); both for this app and the floor
   (the least a first map and a change through Streamlit and streamlit-folium take);
4. scale: a generated atlas (50 factions × 2,000 versions, polygons of 5,000+ vertices; built once
   into .cache/bench/, about 15 GB and some minutes), beside the same atlas cut to 20 versions per faction:
   load, peak memory, state at a date, who, the drawn layer, and reruns in the browser;
5. batch tagging: `who --csv` on 100,000 generated events (bench/tagging.py);
6. the static site (`python -m layers site`, built into .cache/bench/site) opened from a folder:
   first view, and a date change from the slider's input to the frame that paints it (bench/site.py).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Browser, sync_playwright

from bench import load, site, tagging
from bench.atlas import build
from bench.browser import CHROMIUM, CHROMIUM_ARGS, Step, change_date, cpu_seconds, open_page, wait_for_areas
from layers import Store
from layers.prepared import Prepared

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from live_server import start, stop, wait_until_healthy  # noqa: E402
from offline_assets import OUTSIDE, serve_offline  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
ATLAS = ROOT / ".cache" / "bench"
NAIVE = "bench/naive_app.py"
FLOOR = "bench/floor_app.py"
LOAD_SESSIONS, LOAD_STEPS = 25, 4


def visible_starts(store: Store, folder: Path, steps: int) -> list[str]:
    """The change dates from which `steps` Next clicks each change what the map shows at the country view
    (so the browser sees each one), from the prepared dates."""
    prepared, looks = Prepared(store, folder), []
    for day in store.index.dates:
        drawn = prepared.on(day).drawn
        areas = drawn["areas"]
        factions = [drawn["factions"][f]["id"] for f in areas["faction"]]
        looks.append(json.dumps([drawn["shapes"], areas["shape"], factions, areas["contested"], areas["zone"]]))
    return [
        store.index.dates[i].isoformat()
        for i in range(len(looks) - steps)
        if all(looks[j] != looks[j + 1] for j in range(i, i + steps))
    ]


@dataclass
class Walk:
    steps: list[Step]
    cpu_ms: float  # the server's CPU time over the walk / its changes


def walk(browser: Browser, script: str, start_day: str, steps: int, env: dict | None = None) -> dict[str, Walk]:
    """`steps` Next clicks (each a date not drawn before), then as many Previous (dates drawn before)."""
    process, url = start(script, env)
    try:
        wait_until_healthy(process, url)
        page = open_page(browser, f"{url}/?date={start_day}")
        walks = {}
        for kind, button in (("first visit", "Next"), ("revisit", "Previous")):
            before = cpu_seconds(process.pid)
            taken = [change_date(page, button) for _ in range(steps)]
            walks[kind] = Walk(taken, (cpu_seconds(process.pid) - before) * 1000 / steps)
        page.page.context.close()
    finally:
        stop(process)
    return walks


def first_map(browser: Browser, url: str) -> None:
    """Open the app in a new page and wait for its first areas drawn."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.route(OUTSIDE, serve_offline)
    try:
        page = context.new_page()
        page.goto(url)
        wait_for_areas(page)
    finally:
        context.close()


def cold_start(browser: Browser, script: str, env: dict | None = None) -> tuple[float, float, float]:
    """Seconds from starting `streamlit run script` to a healthy server and to the first map drawn, then
    from opening a second page on the warm server to its first map."""
    began = time.perf_counter()
    process, url = start(script, env)
    try:
        wait_until_healthy(process, url)
        healthy = time.perf_counter() - began
        first_map(browser, url)
        drawn = time.perf_counter() - began
        began = time.perf_counter()
        first_map(browser, url)
        warm = time.perf_counter() - began
    finally:
        stop(process)
    return healthy, drawn, warm


def median(values) -> float:
    return statistics.median(list(values))


def drawn_ms(walk: Walk) -> float:
    return median(s.drawn_ms for s in walk.steps)


def print_walks(title: str, results: dict[str, dict[str, Walk]]) -> None:
    print(f"\n{title}")
    print(f"  {'':40}{'server ms':>10}{'CPU ms':>10}{'KB sent':>10}{'drawn ms':>10}")
    for app, walks in results.items():
        for kind, walked in walks.items():
            print(
                f"  {app + ', ' + kind:40}{median(s.server_ms for s in walked.steps):10.0f}{walked.cpu_ms:10.0f}"
                f"{median(s.bytes for s in walked.steps) / 1000:10.1f}{drawn_ms(walked):10.0f}"
            )
    ours, naive, floor = (results.get(name) for name in ("this app", "naive", "floor"))
    for kind in ours or {}:
        if naive:
            print(f"  drawn {drawn_ms(naive[kind]) / drawn_ms(ours[kind]):.1f}× faster than the naive map ({kind})")
        if floor:
            print(f"  drawn in {drawn_ms(ours[kind]) / drawn_ms(floor[kind]):.1f}× the floor's time ({kind})")


def scale_queries(root: Path) -> dict:
    output = subprocess.run(
        [sys.executable, "-m", "bench.scale", str(root)], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=7, help="date changes per walk (default 7)")
    parser.add_argument("--cold-starts", type=int, default=3, help="cold starts to time (default 3)")
    parser.add_argument("--skip-scale", action="store_true", help="leave out the generated atlas")
    parser.add_argument("--tagging-only", action="store_true", help="only time batch tagging (no browser)")
    arguments = parser.parse_args()
    os.chdir(ROOT)
    if arguments.tagging_only:
        tagging.report(ATLAS)
        return
    print(f"Benchmark on {os.cpu_count()} cores; medians; Chromium headless at 1400×1000, map at the country view.")
    prepared, unprepared = ATLAS / "prepared", ATLAS / "prepared-none"
    for folder in (prepared, unprepared):
        shutil.rmtree(folder, ignore_errors=True)
    began = time.perf_counter()
    subprocess.run([sys.executable, "-m", "layers", "prepare", "--cache", str(prepared)], check=True, capture_output=True)
    store = Store()
    print(f"\n0. python -m layers prepare: {len(store.index.dates)} change dates in {time.perf_counter() - began:.0f} s")
    ready, bare = {"LIBYA_CONTROL_CACHE": str(prepared)}, {"LIBYA_CONTROL_CACHE": str(unprepared)}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        starts = visible_starts(store, prepared, arguments.steps)
        third = store.index.dates[len(store.index.dates) // 3].isoformat()
        start_day = next((day for day in starts if day >= third), None)
        if start_day is None:
            sys.exit(f"No {arguments.steps} change dates in a row after {third} change the country view: nothing to walk.")
        print_walks(
            f"1-2. Date change, shipped data ({arguments.steps} steps from {start_day}; 'first visit' = "
            "a date the server has not drawn yet, 'revisit' = walking back)",
            {
                "this app": walk(browser, "app.py", start_day, arguments.steps, ready),
                "this app, nothing prepared": walk(browser, "app.py", start_day, arguments.steps, bare),
                "naive": walk(browser, NAIVE, start_day, arguments.steps),
                "floor": walk(browser, FLOOR, start_day, arguments.steps),
            },
        )
        print(f"\n3. Cold start ({arguments.cold_starts} runs)")
        apps = (("this app", "app.py", ready), ("floor", FLOOR, None))
        for name, script, env in apps:
            starts = [cold_start(browser, script, env) for _ in range(arguments.cold_starts)]
            print(
                f"   {name}: server healthy {median(s[0] for s in starts):.2f} s, first map drawn "
                f"{median(s[1] for s in starts):.2f} s; a new page on the warm server: first map "
                f"{median(s[2] for s in starts):.2f} s"
            )
        starts = visible_starts(store, prepared, LOAD_STEPS)
        days = [starts[i * len(starts) // LOAD_SESSIONS] for i in range(LOAD_SESSIONS)]
        print(f"   Load: {LOAD_SESSIONS} sessions at once, each stepping the date {LOAD_STEPS} times")
        for name, script, env in apps:
            with ThreadPoolExecutor(1) as thread:  # Playwright's async API needs an event loop of its own
                figures = thread.submit(load.load, script, days, LOAD_STEPS, env).result()
            print(
                f"   {name}: redraw median {figures['median_ms']:.0f} ms, 90th percentile {figures['p90_ms']:.0f} ms; "
                f"the server's part median {figures['server_median_ms']:.0f} ms, 90th percentile "
                f"{figures['server_p90_ms']:.0f} ms; server CPU {figures['cpu_ms']:.0f} ms per change"
            )
        if not arguments.skip_scale:
            scale(browser, arguments.steps)
        began = time.perf_counter()
        folder = site.build(ATLAS / "site")
        figures = site.timings(browser, folder, steps=20)
        print(
            f"\n6. Static site (built in {time.perf_counter() - began:.0f} s), opened from a folder: "
            f"first view {figures['first_view_ms']:.0f} ms; date change (20 steps from 4 May 2016): script "
            f"{figures['script_ms']:.1f} ms, input to the frame that paints it {figures['frame_ms']:.1f} ms (target 16 ms)"
        )
        browser.close()
    tagging.report(ATLAS)


def scale(browser: Browser, steps: int) -> None:
    began = time.perf_counter()
    short, full = build(ATLAS / "atlas-20", versions=20), build(ATLAS / "atlas-2000", versions=2_000)
    print(f"\n4. Scale: generated atlas ready in {time.perf_counter() - began:.0f} s (reused when already built)")
    figures = {root.name: scale_queries(root) for root in (short, full)}
    print(f"  {'':34}{'20 versions':>14}{'2,000 versions':>16}")
    rows = [
        ("versions in the store", "versions", "{:,.0f}"),
        ("change dates", "dates", "{:,.0f}"),
        ("load (index, dates) s", "load", "{:.3f}"),
        ("state at a date, cold s", "state_cold", "{:.3f}"),
        ("state at a date, warm s", "state_warm", "{:.3f}"),
        ("who, cold s", "who_cold", "{:.3f}"),
        ("who, warm s", "who_warm", "{:.3f}"),
        ("drawn layer (simplify) s", "drawn", "{:.3f}"),
        ("peak memory MB", "peak_mb", "{:.0f}"),
    ]
    for label, key, form in rows:
        print(f"  {label:34}{form.format(figures['atlas-20'][key]):>14}{form.format(figures['atlas-2000'][key]):>16}")
    environment = {"LIBYA_CONTROL_GEODATA": str(full)}
    start_day = Store(full).index.dates[1_000].isoformat()
    print_walks(
        f"  Date change on the atlas ({steps} steps from {start_day})",
        {"this app": walk(browser, "app.py", start_day, steps, environment)},
    )
    naive = walk(browser, NAIVE, start_day, 3, environment)
    print_walks("  The naive map on the atlas (3 steps)", {"naive": naive})


if __name__ == "__main__":
    main()
