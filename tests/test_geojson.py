"""What every file the project writes can be trusted for: RFC 7946 shape, and never half-written."""

import json

import pytest
import shapely
from hypothesis import given
from hypothesis import strategies as st
from shapely.geometry import shape

from layers.geojson import rfc7946_geometry, write_atomic


def test_written_geometry_winds_exteriors_counter_clockwise_and_holes_clockwise():
    square = shapely.Polygon([(0, 0), (0, 4), (4, 4), (4, 0)], holes=[[(1, 1), (2, 1), (2, 2), (1, 2)]])
    written = shape(rfc7946_geometry(square))
    assert written.exterior.is_ccw and not written.interiors[0].is_ccw


def test_written_coordinates_have_at_most_six_decimals():
    written = rfc7946_geometry(shapely.box(13.123456789, 32.987654321, 13.5, 33.0))
    assert all(round(c, 6) == c for xy in written["coordinates"][0] for c in xy)


coordinate = st.floats(min_value=10.0, max_value=25.0, allow_nan=False).map(lambda v: v + 1e-9)


@given(st.lists(st.tuples(coordinate, coordinate.map(lambda v: v + 10)), min_size=3, max_size=12))
def test_written_geometry_is_always_valid_counter_clockwise_and_six_decimal(points):
    polygon = shapely.make_valid(shapely.Polygon(points))
    written = shape(rfc7946_geometry(polygon)) if polygon.area > 0 else shapely.Polygon()
    assert written.is_valid
    for part in (p for p in shapely.get_parts(written) if not p.is_empty):
        assert part.exterior.is_ccw and all(not ring.is_ccw for ring in part.interiors)
        assert all(round(c, 6) == c for xy in part.exterior.coords for c in xy)


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
