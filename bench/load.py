"""Load: many readers stepping the date at once, each in a page of its own (one headless Chromium).

Every session opens the map on its own date (one after another), then all at once click Next
`steps` times, each waiting for its new areas drawn and its script finished. Reported, over
every step of every session: the median and 90th percentile of the redraw (the click to the new
areas in the map's SVG, `bench/browser.py`'s clock) and of the server's part of it (the rerun
request leaving to "script finished" arriving, on Chromium's network clock), and the server's
CPU time per date change under that load. The 25 pages share this machine's 2 cores with the
server, so the redraw is an upper bound for readers on machines of their own; the server's part
is what they would wait for; this app's map draws a step it holds without it, and the rest of the
page follows it. The benchmark loads Streamlit's floor the same way, for what the machine allows
any Streamlit app.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
from pathlib import Path

from playwright.async_api import Page, async_playwright

from bench.browser import AREAS, CHROMIUM, CHROMIUM_ARGS, DATE_MAP, INSTRUMENT, MAPS, MapPage, button_name, cpu_seconds

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from live_server import start, stop, wait_until_healthy  # noqa: E402
from offline_assets import OUTSIDE, serve_offline_async  # noqa: E402

TIMEOUT_MS = 120_000


async def _settled(page: Page) -> None:
    await page.wait_for_selector("[data-test-connection-state='CONNECTED']", timeout=TIMEOUT_MS)
    await page.wait_for_selector("[data-test-script-state='notRunning']", timeout=TIMEOUT_MS)


async def _open(browser, url: str) -> MapPage:
    """A page of its own, its map drawn and its first report of the view rerun, its socket watched."""
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    await context.route(OUTSIDE, serve_offline_async)
    await context.add_init_script(INSTRUMENT)
    page = await context.new_page()
    watched = MapPage(page)
    devtools = await context.new_cdp_session(page)
    await devtools.send("Network.enable")
    devtools.on("Network.webSocketFrameSent", lambda event: watched.note(True, event))
    devtools.on("Network.webSocketFrameReceived", lambda event: watched.note(False, event))
    await page.goto(url)
    await _settled(page)
    await page.frame_locator(MAPS).locator(AREAS).first.wait_for(state="attached", timeout=TIMEOUT_MS)
    await page.wait_for_timeout(1000)  # the floor's streamlit-folium map reports its view once drawn: a rerun
    await _settled(page)
    return watched


async def _steps(watched: MapPage, steps: int) -> list[tuple[float, float]]:
    """(redraw ms, server ms) of each step: the click to the new areas drawn, and the rerun request
    leaving to "script finished" arriving (Chromium's network clock)."""
    page, taken = watched.page, []
    date_map = await page.query_selector(DATE_MAP)
    buttons = await date_map.content_frame() if date_map else page.main_frame
    for _ in range(steps):
        seen = len(watched.frames)
        await buttons.evaluate("window.__bench.arm()")
        await buttons.get_by_role("button", name=button_name(bool(date_map), "Next"), exact=True).first.click()
        await buttons.wait_for_function("window.__bench.drawnAt !== null", timeout=TIMEOUT_MS)
        redraw = await buttons.evaluate("window.__bench.drawnAt - window.__bench.clicks.at(-1)")
        for _ in range(TIMEOUT_MS // 20):  # this app's map draws before the server has run
            if any(frame.finished for frame in watched.frames[seen:]):
                break
            await page.wait_for_timeout(20)
        await _settled(page)
        sent, done = watched.rerun(seen)
        taken.append((redraw, (done.seconds - sent.seconds) * 1000))
    return taken


async def _run(script: str, days: list[str], steps: int, env: dict | None) -> dict:
    process, url = start(script, env)
    try:
        wait_until_healthy(process, url)
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            pages = [await _open(browser, f"{url}/?date={day}") for day in days]  # one after another: then all at once
            cpu_before = cpu_seconds(process.pid)
            sessions = await asyncio.gather(*(_steps(page, steps) for page in pages))
            taken = [step for session in sessions for step in session]
            cpu_ms = (cpu_seconds(process.pid) - cpu_before) * 1000 / len(taken)
            await browser.close()
    finally:
        stop(process)
    redraws, server = sorted(redraw for redraw, _ in taken), sorted(server for _, server in taken)
    return {
        "median_ms": statistics.median(redraws),
        "p90_ms": redraws[int(0.9 * (len(redraws) - 1))],
        "server_median_ms": statistics.median(server),
        "server_p90_ms": server[int(0.9 * (len(server) - 1))],
        "cpu_ms": cpu_ms,
    }


def load(script: str, days: list[str], steps: int, env: dict | None = None) -> dict:
    """`len(days)` sessions of `streamlit run script` at once, each from its own date, each stepping `steps` times."""
    return asyncio.run(_run(script, days, steps, env))
