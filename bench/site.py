"""The static site in headless Chromium, opened from a folder: first view, and a date change drawn.

- first view: from navigation start to the first area path in the page (the page's own clock);
- date change: the slider's input event dispatched, the new areas drawn by the same task, and the
  next animation frame that paints them: input to that frame, on the page's clock.
"""

from __future__ import annotations

import statistics
from pathlib import Path

from playwright.sync_api import Browser

from layers.site import write_site
from layers.store import Store

FIRST_AREA = """
new Promise((done) => {
  const seen = () => document.querySelector("path.leaflet-interactive");
  if (seen()) return done(performance.now());
  new MutationObserver((_, watch) => { if (seen()) { watch.disconnect(); done(performance.now()); } })
    .observe(document.documentElement, {childList: true, subtree: true});
})
"""
# A day offset on the slider, the input event a reader's drag fires, then the frame that paints it.
CHANGE = """
(offset) => new Promise((done) => {
  const slider = document.querySelector(".date-bar input"), before = document.querySelectorAll("path").length;
  const began = performance.now();
  slider.value = offset;
  slider.dispatchEvent(new Event("input"));
  const drawn = performance.now();
  requestAnimationFrame(() => done({script: drawn - began, frame: performance.now() - began}));
})
"""


def build(out: Path) -> Path:
    """The site of the shipped data, built afresh (a site left from other code would time that code)."""
    write_site(Store(), out)
    return out


def timings(browser: Browser, site: Path, steps: int) -> dict:
    """Median first view (ms) over 3 loads, and median date change (ms) over `steps` changes."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.route("http*://**", lambda route: route.fulfill(status=204, body=""))  # tiles: none, as offline
    page = context.new_page()
    first = []
    for _ in range(3):
        page.goto((site / "index.html").as_uri() + "#date=2016-05-04", wait_until="commit")
        first.append(page.evaluate(FIRST_AREA))
    dates = page.evaluate("window.LIBYA_ATLAS.dates")
    start = dates.index("2016-05-04")
    day0 = page.evaluate("Date.parse(window.LIBYA_ATLAS.record.first)")
    offsets = [(page.evaluate(f"Date.parse('{day}')") - day0) // 86_400_000 for day in dates[start + 1 : start + 1 + steps]]
    changes = [page.evaluate(CHANGE, offset) for offset in offsets]
    context.close()
    return {
        "first_view_ms": statistics.median(first),
        "script_ms": statistics.median(c["script"] for c in changes),
        "frame_ms": statistics.median(c["frame"] for c in changes),
    }
