"""The map's CDN scripts and styles, served to a test browser from npm packages.

Tests never touch the network: the folium map inside streamlit-folium loads
Leaflet and its plugins from CDNs, so a Playwright route answers those
requests with the same files taken from the npm registry (`npm pack`) at
test setup, and answers every other outside request (map tiles) empty.
"""

from __future__ import annotations

import mimetypes
import re
import subprocess
import tarfile
from pathlib import Path

# What the route sees: requests that would leave this machine. The browser matches the pattern itself,
# so the app's own requests go straight to the server, never through Playwright's driver and a handler.
OUTSIDE = re.compile(r"^https?://(?!(?:localhost|127\.0\.0\.1)[:/])")

CACHE = Path(__file__).resolve().parent.parent / ".cache" / "npm-assets"

# CDN address pattern -> (npm package spec, path inside the package)
ASSETS = [
    (r"https://cdn\.jsdelivr\.net/npm/(?P<spec>(?:@[^/@]+/)?[^/@]+@[^/]+)/(?P<path>.+)", None),
    (r"https://code\.jquery\.com/jquery-(?P<version>[\d.]+)\.min\.js", ("jquery@{version}", "dist/jquery.min.js")),
    (r"https://cdn\.jsdelivr\.net/gh/jieter/Leaflet\.Sync/L\.Map\.Sync(?:\.min)?\.js", ("leaflet.sync@0.2.4", "L.Map.Sync.js")),
    (
        r"https://cdnjs\.cloudflare\.com/ajax/libs/Leaflet\.awesome-markers/(?P<version>[\d.]+)/(?P<file>[^/]+\.(?P<kind>js|css))",
        ("drmonty-leaflet-awesome-markers@{version}", "{kind}/{file}"),
    ),
    (
        r"https://cdnjs\.cloudflare\.com/ajax/libs/Leaflet\.awesome-markers/(?P<version>[\d.]+)/images/(?P<file>[^/]+\.png)",
        ("drmonty-leaflet-awesome-markers@{version}", "css/images/{file}"),
    ),
]


def package_dir(spec: str) -> Path:
    """The unpacked npm package, fetched once into the cache."""
    target = CACHE / spec.replace("/", "__")
    if not (target / "package").is_dir():
        target.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "pack", spec, "--silent"], cwd=target, check=True, stdout=subprocess.DEVNULL)
        with tarfile.open(next(target.glob("*.tgz"))) as archive:
            archive.extractall(target, filter="data")
    return target / "package"


def local_file(url: str) -> Path | None:
    for pattern, mapping in ASSETS:
        match = re.fullmatch(pattern, url.split("?")[0])
        if not match:
            continue
        if mapping is None:
            spec, path = match["spec"], match["path"]
        else:
            spec, path = (part.format(**match.groupdict()) for part in mapping)
        file = package_dir(spec) / path
        return file if file.is_file() else None
    return None


def answer(url: str) -> dict:
    """How the offline browser answers a request to the internet (`OUTSIDE`), as `route.fulfill`'s arguments:
    local copies for CDN assets, empty answers for the rest (map tiles)."""
    file = local_file(url)
    if file is not None:
        return {
            "status": 200,
            "body": file.read_bytes(),
            "content_type": mimetypes.guess_type(file.name)[0] or "application/octet-stream",
        }
    if url.endswith(".css"):
        return {"status": 200, "body": "", "content_type": "text/css"}
    return {"status": 204, "body": ""}


def serve_offline(route) -> None:
    """A Playwright route handler (sync API) for `OUTSIDE`, giving `answer`'s answers."""
    route.fulfill(**answer(route.request.url))


async def serve_offline_async(route) -> None:
    """`serve_offline` for Playwright's async API."""
    await route.fulfill(**answer(route.request.url))


def prefetch(urls: list[str]) -> None:
    """Fetch every package the given CDN addresses need, so a test run fails early if npm cannot."""
    for url in urls:
        local_file(url)
