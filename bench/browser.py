"""Timing a Streamlit map in headless Chromium.

The date buttons are the page's (the naive map, the floor) or those of this app's map, in its frame
(layers/date_map.py): the clicks are timed in the document that holds them.

Two clocks, each where it is exact:
- Chromium's network stack (the DevTools protocol's WebSocket frame events,
  stamped as frames cross the socket, however busy the page is): the rerun
  request leaving and every ForwardMsg arriving, decoded with Streamlit's
  own protobuf classes to find the one that says the script finished.
- The clock of the document with the buttons: a capture-phase listener notes every click, and a
  poller running once per animation frame watches the map (that document itself, or the
  streamlit-folium iframe in it, found afresh each frame, since the naive map replaces it) and
  notes when its area paths first differ from what was drawn before the click.

Per date change:
  server ms  rerun request sent -> "script finished" received, over loopback
  bytes      everything the server sent for that rerun
  drawn ms   the click -> the new areas in the map's SVG
  CPU ms     the server process's CPU time (user and system, from /proc) from before the click
             until the socket is quiet again: what one reader's date change costs the server
"""

from __future__ import annotations

import base64
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Browser, Page
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from offline_assets import OUTSIDE, serve_offline  # noqa: E402  (test support shared with the benchmark)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-dev-shm-usage",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
MAPS = 'iframe[title="streamlit_folium.st_folium"], iframe[title="map_widget.date_map"]'
DATE_MAP = 'iframe[title="map_widget.date_map"]'
AREAS = "path.leaflet-interactive:not([fill='#ffffff'])"  # the areas a map draws (white: the outline's places)

INSTRUMENT = """
(() => {
  const bench = window.__bench = {clicks: [], drawnAt: null};
  window.addEventListener("click", () => bench.clicks.push(performance.now()), true);
  bench.signature = () => {
    const frame = document.querySelector('iframe[title="streamlit_folium.st_folium"]');
    const doc = frame ? frame.contentDocument : document.querySelector(".leaflet-container") && document;
    if (!doc) return "";
    const paths = doc.querySelectorAll('path.leaflet-interactive:not([fill="#ffffff"])');
    let signature = paths.length + ":";
    paths.forEach((p) => { signature += (p.getAttribute("d") || "").length + p.getAttribute("fill") + ","; });
    return paths.length ? signature : "";
  };
  bench.arm = () => {
    const before = bench.signature();
    bench.drawnAt = null;
    const watch = () => {
      const now = bench.signature();
      if (now && now !== before) { bench.drawnAt = performance.now(); return; }
      requestAnimationFrame(watch);
    };
    requestAnimationFrame(watch);
  };
})();
"""


@dataclass
class Step:
    server_ms: float
    bytes: int
    drawn_ms: float


def cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used so far (Linux: /proc/PID/stat, fields 14 and 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Frame:
    seconds: float  # Chromium's network timestamp
    sent: bool
    size: int
    finished: bool  # a ForwardMsg saying the script run finished


def button_name(in_date_map: bool, button: str) -> str:
    """The accessible name of "Next" or "Previous" where it is: this app's map names them for a change."""
    return f"{button} change" if in_date_map else button


@dataclass
class MapPage:
    page: Page
    frames: list[Frame] = field(default_factory=list)

    def date_buttons(self):
        """The document with the date buttons (a Playwright frame), and whether it is this app's map."""
        date_map = self.page.query_selector(DATE_MAP)
        return (date_map.content_frame(), True) if date_map else (self.page.main_frame, False)

    def rerun(self, seen: int) -> tuple[Frame, Frame]:
        """The rerun request sent after frame `seen` and the "script finished" that answers it."""
        frames = self.frames[seen:]
        sent = next(frame for frame in frames if frame.sent)
        return sent, next(frame for frame in frames if frame.finished and frame.seconds >= sent.seconds)

    def note(self, sent: bool, event: dict) -> None:
        response = event["response"]
        data = base64.b64decode(response["payloadData"]) if response["opcode"] == 2 else response["payloadData"].encode()
        finished = not sent and response["opcode"] == 2 and ForwardMsg.FromString(data).WhichOneof("type") == "script_finished"
        self.frames.append(Frame(event["timestamp"], sent, len(data), finished))


def open_page(browser: Browser, url: str) -> MapPage:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.route(OUTSIDE, serve_offline)
    context.add_init_script(INSTRUMENT)
    page = context.new_page()
    watched = MapPage(page)
    devtools = context.new_cdp_session(page)
    devtools.send("Network.enable")
    devtools.on("Network.webSocketFrameSent", lambda event: watched.note(True, event))
    devtools.on("Network.webSocketFrameReceived", lambda event: watched.note(False, event))
    page.goto(url)
    settle(page)
    wait_for_areas(page)
    quiet(watched)
    return watched


def quiet(watched: MapPage, seconds: float = 1.0) -> None:
    """Wait until the socket has been silent for `seconds` (the map's first report reruns the app once)."""
    while True:
        count = len(watched.frames)
        watched.page.wait_for_timeout(seconds * 1000)
        if len(watched.frames) == count:
            return


def settle(page: Page, timeout: float = 120_000) -> None:
    page.wait_for_selector("[data-test-connection-state='CONNECTED']", timeout=timeout)
    page.wait_for_selector("[data-test-script-state='notRunning']", timeout=timeout)


def wait_for_areas(page: Page, timeout: float = 120_000) -> None:
    page.frame_locator(MAPS).locator(AREAS).first.wait_for(state="attached", timeout=timeout)


def change_date(watched: MapPage, button: str, timeout: float = 120_000) -> Step:
    """Click a date button; wait until the map shows other areas and the script has finished."""
    page, (buttons, in_date_map) = watched.page, watched.date_buttons()
    seen = len(watched.frames)
    buttons.evaluate("window.__bench.arm()")
    buttons.get_by_role("button", name=button_name(in_date_map, button), exact=True).first.click()
    buttons.wait_for_function("window.__bench.drawnAt !== null", timeout=timeout)
    deadline = time.monotonic() + timeout / 1000
    while not any(frame.finished for frame in watched.frames[seen:]):
        if time.monotonic() > deadline:
            raise TimeoutError(f"no script-finished message after clicking {button!r}")
        page.wait_for_timeout(20)
    drawn = buttons.evaluate("window.__bench.drawnAt - window.__bench.clicks.at(-1)")
    sent, done = watched.rerun(seen)
    received = sum(
        frame.size for frame in watched.frames[seen:] if not frame.sent and sent.seconds <= frame.seconds <= done.seconds
    )
    settle(page)
    quiet(watched, 0.3)
    return Step((done.seconds - sent.seconds) * 1000, received, drawn)
