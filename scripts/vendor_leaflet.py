"""Copy Leaflet from the npm registry into layers/site_assets/, for the static site (python -m layers site).

The site must work from a folder or any static host with nothing fetched from a CDN, so the
Leaflet it loads ships with the repository. The tarball is checked against the registry's
integrity hash. Run: uv run python scripts/vendor_leaflet.py
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import shutil
import tarfile
import urllib.request
from pathlib import Path

VERSION = "1.9.3"  # the version folium loads in the app, so the site draws the same
REGISTRY = "https://registry.npmjs.org/leaflet"
TARGET = Path(__file__).resolve().parent.parent / "layers" / "site_assets" / "leaflet"
KEPT = ("dist/leaflet.js", "dist/leaflet.css", "LICENSE")


def main() -> None:
    metadata = json.load(urllib.request.urlopen(f"{REGISTRY}/{VERSION}", timeout=60))
    tarball = urllib.request.urlopen(metadata["dist"]["tarball"], timeout=120).read()
    algorithm, expected = metadata["dist"]["integrity"].split("-", 1)
    if base64.b64encode(hashlib.new(algorithm, tarball).digest()).decode() != expected:
        raise SystemExit(f"leaflet {VERSION}: the tarball does not match the registry's {algorithm} integrity hash")
    shutil.rmtree(TARGET, ignore_errors=True)
    (TARGET / "images").mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(tarball)) as archive:
        for member in archive.getmembers():
            path = member.name.removeprefix("package/")
            if path in KEPT or (path.startswith("dist/images/") and path.endswith(".png")):
                (TARGET / path.removeprefix("dist/")).write_bytes(archive.extractfile(member).read())
    files = sorted(path.name for path in TARGET.rglob("*") if path.is_file())
    print(f"leaflet {VERSION} -> {TARGET.relative_to(TARGET.parents[2])}: {files}")


if __name__ == "__main__":
    main()
