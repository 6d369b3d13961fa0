"""Load: many readers stepping the date at once, each in a page of its own (one headless Chromium).

Every session opens the map on its own date, then clicks Next `steps` times, waiting each time
for the new areas drawn and the script finished; all sessions run at once. Reported: the
median and 90th percentile of the redraw (the click to the new areas in the map's SVG,
`bench/browser.py`'s clock) over every step of every session, and the server's CPU time per
date change under that load. The pages share this machine's 2 cores with the server, so the
figures are an upper bound for readers on machines of their own.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
from pathlib import Path

from playwright.async_api import Page, async_playwright

from bench.browser import CHROMIUM, CHROMIUM_ARGS, INSTRUMENT, cpu_seconds

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from live_server import start, stop, wait_until_healthy  # noqa: E402
from offline_assets import serve_offline_async  # noqa: E402

TIMEOUT_MS = 300_000


async def _settled(page: Page) -> None:
    await page.wait_for_selector("[data-test-connection-state='CONNECTED']", timeout=TIMEOUT_MS)
    await page.wait_for_selector("[data-test-script-state='notRunning']", timeout=TIMEOUT_MS)


async def _session(page: Page, url: str, steps: int, ready: asyncio.Barrier) -> list[float]:
    await page.goto(url)
    await _settled(page)
    await page.wait_for_function("window.__bench.signature() !== ''", timeout=TIMEOUT_MS)
    await page.wait_for_timeout(1000)  # the map's first report of its view reruns the page once
    await _settled(page)
    await ready.wait()
    redraws = []
    for _ in range(steps):
        await page.evaluate("window.__bench.arm()")
        await page.get_by_role("button", name="Next", exact=True).first.click()
        await page.wait_for_function("window.__bench.drawnAt !== null", timeout=TIMEOUT_MS)
        redraws.append(await page.evaluate("window.__bench.drawnAt - window.__bench.clicks.at(-1)"))
        await _settled(page)
    return redraws


async def _run(days: list[str], steps: int, env: dict | None) -> dict:
    process, url = start("app.py", env)
    try:
        wait_until_healthy(process, url)
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            pages = []
            for _ in days:
                context = await browser.new_context(viewport={"width": 1400, "height": 1000})
                await context.route("**/*", serve_offline_async)
                await context.add_init_script(INSTRUMENT)
                pages.append(await context.new_page())
            ready = asyncio.Barrier(len(days) + 1)
            sessions = [asyncio.create_task(_session(page, f"{url}/?date={day}", steps, ready)) for page, day in zip(pages, days)]
            await ready.wait()
            cpu_before = cpu_seconds(process.pid)
            redraws = [redraw for session in await asyncio.gather(*sessions) for redraw in session]
            cpu_ms = (cpu_seconds(process.pid) - cpu_before) * 1000 / len(redraws)
            await browser.close()
    finally:
        stop(process)
    ordered = sorted(redraws)
    return {
        "sessions": len(days),
        "changes": len(redraws),
        "median_ms": statistics.median(redraws),
        "p90_ms": ordered[int(0.9 * (len(ordered) - 1))],
        "cpu_ms": cpu_ms,
    }


def load(days: list[str], steps: int, env: dict | None = None) -> dict:
    """`len(days)` sessions at once, each from its own date, each stepping `steps` times."""
    return asyncio.run(_run(days, steps, env))
