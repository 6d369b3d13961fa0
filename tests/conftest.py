import hashlib
import json
import shutil
from pathlib import Path

import pytest
import shapely

from layers.geojson import feature, feature_collection
from layers.store import SHIPPED_ROOT, Store

SOURCE = {"title": "Test source", "url": "https://example.org/report", "published": "2015-02-17"}


def area(lon: float, lat: float, name: str, half: float = 0.05, status: str = "held", **properties) -> dict:
    """A square area around a point, as a GeoJSON feature with the data contract's properties."""
    return feature(
        shapely.box(lon - half, lat - half, lon + half, lat + half),
        {"name": name, "status": status, "sources": [SOURCE], **properties},
    )


def write_layer(root: Path, faction: str, day: str, features: list[dict]) -> Path:
    path = root / "layers" / faction / f"{day}.geojson"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(feature_collection(features)), encoding="utf-8")
    return path


def tree_digest(root: Path) -> str:
    """A fingerprint of every file under root, to prove a refused command changed nothing."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


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
