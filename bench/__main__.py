"""The performance benchmark: `uv run python -m bench` from the repository root.

Prints medians measured on this machine:
1. a date change on the shipped data: server time of the rerun, the server's CPU time and bytes sent,
   this app and the naive map;
2. the same change as seen in headless Chromium: click to new areas drawn, with the ratio to the naive map;
3. cold start: `streamlit run` to the first map drawn;
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
import statistics
import subprocess
import sys
import time
from pathlib import Path

from playwright.sync_api import Browser, sync_playwright

from bench import site, tagging
from bench.atlas import build
from bench.browser import CHROMIUM, CHROMIUM_ARGS, Step, change_date, open_page
from layers import Store, state_at
from layers.detail import level_for
from layers.mapping import LIBYA_ZOOM, control_data

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from live_server import start, stop, wait_until_healthy  # noqa: E402
from offline_assets import serve_offline  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
ATLAS = ROOT / ".cache" / "bench"
NAIVE = "bench/naive_app.py"


def visibly_changing_walk(store: Store, steps: int) -> str:
    """A start date from which `steps` Next clicks each change the drawn areas (so the browser sees each one)."""
    dates = store.index.dates
    level = level_for(LIBYA_ZOOM)
    drawn = [json.dumps(control_data(state_at(store, day), store.registry, level)["areas"]) for day in dates]
    for start_index in range(len(dates) // 3, len(dates) - steps):
        if all(drawn[i] != drawn[i + 1] for i in range(start_index, start_index + steps)):
            return dates[start_index].isoformat()
    raise RuntimeError(f"no run of {steps} visibly different change dates")


def walk(browser: Browser, script: str, start_day: str, steps: int, env: dict | None = None) -> dict[str, list[Step]]:
    """`steps` Next clicks (each a date not drawn before), then as many Previous (dates drawn before)."""
    process, url = start(script, env)
    try:
        wait_until_healthy(process, url)
        page = open_page(browser, f"{url}/?date={start_day}", process.pid)
        forward = [change_date(page, "Next") for _ in range(steps)]
        back = [change_date(page, "Previous") for _ in range(steps)]
        page.page.context.close()
    finally:
        stop(process)
    return {"first visit": forward, "revisit": back}


def cold_start(browser: Browser) -> tuple[float, float]:
    """Seconds from starting `streamlit run app.py` to a healthy server, and to the first map drawn."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.route("**/*", serve_offline)
    page = context.new_page()
    began = time.perf_counter()
    process, url = start()
    try:
        wait_until_healthy(process, url)
        healthy = time.perf_counter() - began
        page.goto(url)
        page.frame_locator('iframe[title="streamlit_folium.st_folium"]').locator(
            "path.leaflet-interactive:not([fill='#ffffff'])"
        ).first.wait_for(state="attached", timeout=120_000)
        drawn = time.perf_counter() - began
    finally:
        stop(process)
        context.close()
    return healthy, drawn


def median(values) -> float:
    return statistics.median(list(values))


def print_walks(title: str, results: dict[str, dict[str, list[Step]]]) -> None:
    print(f"\n{title}")
    print(f"  {'':28}{'server ms':>10}{'CPU ms':>10}{'KB sent':>10}{'drawn ms':>10}")
    for app, walks in results.items():
        for kind, steps in walks.items():
            print(
                f"  {app + ', ' + kind:28}{median(s.server_ms for s in steps):10.0f}{median(s.cpu_ms for s in steps):10.0f}"
                f"{median(s.bytes for s in steps) / 1000:10.1f}{median(s.drawn_ms for s in steps):10.0f}"
            )
    if len(results) == 2:
        ours, naive = results.values()
        for kind in ours:
            ratio = median(s.drawn_ms for s in naive[kind]) / median(s.drawn_ms for s in ours[kind])
            print(f"  drawn {ratio:.1f}× faster than the naive map ({kind})")


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
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        start_day = visibly_changing_walk(Store(), arguments.steps)
        print_walks(
            f"1-2. Date change, shipped data ({arguments.steps} steps from {start_day}; 'first visit' = "
            "a date the server has not drawn yet, 'revisit' = walking back)",
            {
                "this app": walk(browser, "app.py", start_day, arguments.steps),
                "naive": walk(browser, NAIVE, start_day, arguments.steps),
            },
        )
        starts = [cold_start(browser) for _ in range(arguments.cold_starts)]
        print(
            f"\n3. Cold start ({arguments.cold_starts} runs): server healthy {median(h for h, _ in starts):.2f} s, "
            f"first map drawn {median(d for _, d in starts):.2f} s"
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
