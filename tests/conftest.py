import hashlib
import json
import os
import shutil
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest
import shapely
from markdown_it import MarkdownIt
from offline_assets import OUTSIDE, serve_offline
from playwright.sync_api import Page, sync_playwright

from layers.geojson import feature, feature_collection
from layers.store import LOCK_FILE, SHIPPED_ROOT, Store

HOSTILE = [  # what a hostile data folder or link puts where text is shown
    '<img src=x onerror="alert(1)">',
    "[Session expired](https://evil.example/login)",
    "![](https://evil.example/pixel.png)",
    "https://evil.example/autolink and www.evil.example",
    ":red[alarm] :material/warning: $x^2$ *em* `code`",
    ":streamlit: :tada: a -> b <= c -- d",  # shortcodes and typography Streamlit would turn into icons and arrows
    "${alert(1)} \\u` breaks out of a JavaScript template literal",
    "{{ 7*7 }} {% if 1 %}run{% endif %} {# hidden #} a template tag branca would run on the server",
]


def require(tool_present: bool, what: str, install: str) -> None:
    """In CI a missing tool fails the run; on a developer's machine the tests that need it wait for it."""
    if not tool_present:
        message = f"{what} is needed for these tests: `{install}` (bash .ci/run does)"
        pytest.fail(message) if os.environ.get("CI") else pytest.skip(message)


CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def browser():
    require(CHROMIUM.exists(), "Debian's chromium", "apt-get install chromium npm")
    require(shutil.which("npm") is not None, "npm", "apt-get install chromium npm")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"]
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    context.route(OUTSIDE, serve_offline)
    yield context.new_page()
    context.close()


class Watch:
    """What a page must never do: open a dialog, fetch from or link to the attacker's hosts."""

    HOSTS = ("evil.example", "sources.example")

    def __init__(self, page: Page):
        self.page, self.dialogs, self.requests = page, [], []
        page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))
        page.on(
            "request",
            lambda request: self.requests.append(request.url) if urlparse(request.url).hostname in self.HOSTS else None,
        )

    def live_markup(self) -> list[str]:
        """Links and images to the attacker's host, in the page and in every map frame."""
        found = []
        for frame in self.page.frames:
            found += frame.eval_on_selector_all(
                "a[href*='evil.example'], img[src*='evil.example'], img[src='x']", "els => els.map(e => e.outerHTML)"
            )
        return found

    def assert_clean(self) -> None:
        time.sleep(1)  # let a late script or image fire, if one was injected
        assert self.dialogs == [] and self.requests == [] and self.live_markup() == []


SOURCE = {"title": "Test source", "url": "https://example.org/report", "published": "2015-02-17"}


def area(lon: float, lat: float, name: str, half: float = 0.05, status: str = "held", **properties) -> dict:
    """A square area around a point, as a GeoJSON feature with the data contract's properties."""
    return feature(
        shapely.box(lon - half, lat - half, lon + half, lat + half),
        {"name": name, "status": status, "sources": [SOURCE], **properties},
    )


def markdown_html(text: str) -> str:
    """Markdown as GitHub-flavoured renderers show it (raw HTML and bare addresses linked), to check what a reader sees."""
    return MarkdownIt("gfm-like").render(text)


def write_layer(root: Path, faction: str, day: str, features: list[dict]) -> Path:
    path = root / "layers" / faction / f"{day}.geojson"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(feature_collection(features)), encoding="utf-8")
    return path


def tree_digest(root: Path) -> str:
    """A fingerprint of every data file under root, to prove a refused command changed nothing (the lock is no data)."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.name != LOCK_FILE:
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def hostile_geodata(root: Path) -> Path:
    """A copy of the shipped geodata whose every shown text is hostile: names, descriptions, notes, sources, places.

    The markup points at evil.example, which nothing may link, load or fetch;
    the cited addresses are sources.example ones that try to break out of their attribute.
    """
    shutil.copytree(SHIPPED_ROOT, root)

    hostile = " ".join(HOSTILE)

    def spoil(text: str) -> str:
        return f"{text} {hostile}"

    registry = json.loads((root / "factions.json").read_text(encoding="utf-8"))
    for faction in registry["factions"]:
        for field in ("name", "short_name", "description", "alliance_note"):
            faction[field] = spoil(faction.get(field, ""))
    (root / "factions.json").write_text(json.dumps(registry), encoding="utf-8")
    for path in (root / "layers").glob("*/*.geojson"):
        document = json.loads(path.read_text(encoding="utf-8"))
        for item in document["features"]:
            properties = item["properties"]
            properties["name"] = spoil(properties["name"])
            properties["note"] = hostile
            properties["sources"] = [
                {
                    "title": spoil(source["title"]),
                    "url": 'https://sources.example/"onmouseover="alert(1)',
                    "published": hostile,
                }
                for source in properties["sources"]
            ] + [{"title": "javascript link", "url": "javascript:alert(1)"}]
        path.write_text(json.dumps(document), encoding="utf-8")
    places = json.loads((root / "places.geojson").read_text(encoding="utf-8"))
    for item in places["features"]:
        item["properties"]["name"] = spoil(item["properties"]["name"])
    (root / "places.geojson").write_text(json.dumps(places), encoding="utf-8")
    return root


@pytest.fixture(scope="session", autouse=True)
def prepared_cache(tmp_path_factory):
    """Dates the app and tests prepare go to the test run's own folder, not the repository's .cache (a server
    started by a test inherits it)."""
    os.environ["LIBYA_CONTROL_CACHE"] = str(tmp_path_factory.mktemp("prepared"))


@pytest.fixture(scope="session")
def shipped() -> Store:
    return Store(SHIPPED_ROOT)


@pytest.fixture
def empty_root(tmp_path: Path) -> Path:
    """A store with the shipped registry, outline and places but no layers."""
    for name in ("factions.json", "libya.geojson", "places.geojson"):
        shutil.copy(SHIPPED_ROOT / name, tmp_path / name)
    (tmp_path / "layers").mkdir()
    return tmp_path


@pytest.fixture
def shipped_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped geodata."""
    root = tmp_path / "geodata"
    shutil.copytree(SHIPPED_ROOT, root)
    return root
