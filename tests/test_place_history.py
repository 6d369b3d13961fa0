"""Place history: who held a point from when to when."""

from datetime import date

from conftest import area, write_layer

from layers.place_history import place_history
from layers.store import Store


def test_a_point_gets_one_span_per_unchanged_holder(shipped):
    spans = place_history(shipped, 17.83306, 30.78306)  # Nawfaliya
    in_2015 = [(s.start, s.end, s.factions) for s in spans if date(2015, 2, 8) <= s.start < date(2016, 1, 1)]
    assert in_2015 == [
        (date(2015, 2, 8), date(2015, 3, 19), ("islamic-state",)),
        (date(2015, 3, 19), date(2015, 3, 20), ("libya-dawn",)),
        (date(2015, 3, 20), date(2015, 3, 28), ()),
        (date(2015, 3, 28), date(2016, 5, 31), ("islamic-state",)),
    ]


def test_spans_follow_each_other_without_gaps(shipped):
    spans = place_history(shipped, 17.83306, 30.78306)
    assert all(a.end == b.start for a, b in zip(spans, spans[1:])) and spans[-1].end is None


def test_contested_ground_lists_every_side(shipped):
    [spring_2015] = [s for s in place_history(shipped, 16.5887, 31.2089) if s.start == date(2015, 2, 12)]  # Sirte
    assert spring_2015.factions == ("libya-dawn", "islamic-state")
    assert {h.status for h in spring_2015.holders} == {"contested"}


def test_a_point_nobody_held_has_one_empty_span(shipped):
    [span] = place_history(shipped, 23.5, 19.95)  # the far south-east, beyond the zone rule's reach
    assert span.holders == () and span.end is None


def test_each_span_carries_its_sources(shipped):
    last = place_history(shipped, 16.5887, 31.2089)[-1]
    assert all(s["url"].startswith("http") for h in last.holders for s in h.sources)


def test_a_new_version_that_keeps_the_same_area_does_not_split_the_span(empty_root):
    write_layer(empty_root, "tobruk", "2015-02-17", [area(18.0, 27.0, "Oasis")])
    write_layer(empty_root, "tobruk", "2015-04-01", [area(18.0, 27.0, "Oasis"), area(20.0, 27.0, "Elsewhere")])
    [span] = place_history(Store(empty_root), 18.0, 27.0)
    assert span.start == date(2015, 2, 17) and span.factions == ("tobruk",)


def test_a_first_evidence_start_is_told_apart_from_a_change_of_holder(shipped):
    tobruk = shipped.places.set_index("id").geometry["tobruk"]
    spans = place_history(shipped, tobruk.x, tobruk.y)
    [first] = [s for s in spans if "tobruk" in s.factions and s.holders[0].status == "held"][:1]
    assert first.start == date(2014, 5, 21) and first.first_recorded == ("tobruk",)
    assert all(s.first_recorded == () for s in spans if s.start > first.start)
