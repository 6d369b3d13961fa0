"""What every file the project writes can be trusted for: RFC 7946 shape, and never half-written."""

import json

import pytest
import shapely
from shapely.geometry import shape

from layers.geojson import rfc7946_geometry, write_atomic


def test_written_geometry_winds_exteriors_counter_clockwise_and_holes_clockwise():
    square = shapely.Polygon([(0, 0), (0, 4), (4, 4), (4, 0)], holes=[[(1, 1), (2, 1), (2, 2), (1, 2)]])
    written = shape(rfc7946_geometry(square))
    assert written.exterior.is_ccw and not written.interiors[0].is_ccw


def test_written_coordinates_have_at_most_six_decimals():
    written = rfc7946_geometry(shapely.box(13.123456789, 32.987654321, 13.5, 33.0))
    assert all(round(c, 6) == c for xy in written["coordinates"][0] for c in xy)


def test_snapping_to_six_decimals_keeps_a_sliver_valid():
    sliver = shapely.Polygon([(13.0, 32.0), (13.1, 32.0000004), (13.2, 32.0), (13.1, 32.0000001)])
    assert shapely.is_valid(shape(rfc7946_geometry(sliver))) or shape(rfc7946_geometry(sliver)).is_empty


def test_an_interrupted_write_leaves_the_old_file_whole(tmp_path, monkeypatch):
    target = tmp_path / "layer.geojson"
    target.write_text('{"old": true}')

    def fail(*args):
        raise OSError("disk full")

    monkeypatch.setattr("layers.geojson.os.replace", fail)
    with pytest.raises(OSError):
        write_atomic(target, '{"new": true}')
    assert json.loads(target.read_text()) == {"old": True}
    assert list(tmp_path.iterdir()) == [target]  # no temporary file left behind


def test_an_atomic_write_keeps_the_files_permissions(tmp_path):
    target = tmp_path / "layer.geojson"
    target.write_text("{}")
    target.chmod(0o640)
    write_atomic(target, "[]")
    assert target.stat().st_mode & 0o777 == 0o640 and target.read_text() == "[]"
