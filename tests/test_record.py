"""Well-established facts of the war, pinned through `who` on dates the chronology makes certain.

Each row: place id (geodata/places.geojson), date, the expected answer
(a faction, contested factions joined by '|' in registry order, or 'none').
"""

from datetime import date

import pytest

from layers.geometry import total_km2
from layers.timeline import answer, state_at, tier, who

FACTS = [
    # Tripoli and its airport: Libya Dawn from August 2014; the GNA shares the capital from March 2016
    ("tripoli-airport", "2014-06-01", "zintan"),
    ("tripoli-airport", "2014-08-01", "libya-dawn|zintan"),
    ("tripoli-airport", "2014-08-23", "libya-dawn"),
    ("tripoli", "2014-09-01", "libya-dawn"),
    ("tripoli", "2015-06-01", "libya-dawn"),
    ("tripoli", "2016-06-01", "libya-dawn|gna"),
    # Tobruk: the House of Representatives' seat from 4 August 2014
    ("tobruk", "2014-08-04", "tobruk"),
    ("tobruk", "2016-12-31", "tobruk"),
    # Misrata: Libya Dawn, then the GNA's al-Bunyan al-Marsous
    ("misrata", "2015-01-01", "libya-dawn"),
    ("misrata", "2016-08-01", "gna"),
    # Sirte: Dawn, contested with IS, IS from 20 May 2015, the GNA from 6 December 2016
    ("sirte", "2015-01-01", "libya-dawn"),
    ("sirte", "2015-03-01", "libya-dawn|islamic-state"),
    ("sirte", "2015-05-20", "islamic-state"),
    ("sirte", "2016-07-01", "gna|islamic-state"),
    ("sirte", "2016-12-06", "gna"),
    # Derna: divided between IS and the DMSC, then the DMSC's
    ("derna", "2014-11-01", "islamic-state|dmsc"),
    ("derna", "2015-09-01", "dmsc"),
    ("derna-fatayih", "2016-01-01", "islamic-state"),
    ("derna-fatayih", "2016-04-20", "dmsc"),
    # Ajdabiya: Jadhran's PFG town, fought over with the ARSC from 20 May 2015, the LNA's from 21 February 2016
    ("ajdabiya", "2015-03-01", "pfg"),
    ("ajdabiya", "2015-06-01", "arsc|pfg"),
    ("ajdabiya", "2016-03-01", "tobruk"),
    ("ajdabiya-south", "2015-06-01", "arsc"),
    ("ajdabiya-south", "2016-02-21", "tobruk"),
    # Benghazi: contested from Dignity's launch, the BRSC's from 31 July 2014; Berka and Fuwayhat behind LNA lines
    # from March 2015 (inferred), Sabri and Souq al-Hout with the militants to the end of 2016
    ("benghazi-centre", "2014-06-01", "tobruk|brsc"),
    ("benghazi-centre", "2014-08-15", "brsc"),
    ("benghazi-centre", "2015-01-01", "tobruk|brsc"),
    ("benghazi-centre", "2016-06-01", "tobruk"),
    ("benghazi-laithi", "2016-02-23", "tobruk"),
    ("benghazi-marisa", "2016-02-21", "tobruk"),
    ("benghazi-sabri", "2016-12-31", "brsc"),
    ("benina", "2014-09-01", "tobruk"),  # held under BRSC attack
    # The oil crescent: Jadhran's PFG until the LNA's 11 September 2016 offensive
    ("es-sider", "2015-01-01", "pfg"),
    ("brega", "2015-06-01", "pfg"),
    ("brega", "2016-09-13", "tobruk"),
    ("es-sider", "2016-09-11", "tobruk"),
    ("ras-lanuf", "2016-08-01", "pfg"),
    ("ras-lanuf", "2016-09-12", "tobruk"),
    ("zueitina", "2016-09-12", "tobruk"),
    ("bin-jawad", "2016-02-01", "islamic-state"),
    ("bin-jawad", "2016-05-30", "pfg"),
    ("bin-jawad", "2016-10-01", "tobruk"),
    ("nawfaliya", "2015-03-19", "libya-dawn"),
    ("nawfaliya", "2015-04-01", "islamic-state"),
    # The south
    ("brak-airbase", "2016-12-10", "tobruk"),
    ("ubari", "2014-10-01", "tuareg|tebu"),
    ("ubari", "2016-01-10", "tuareg|tebu"),  # both sides back in their positions after the ceasefire
    ("camp-27", "2014-08-07", "libya-dawn"),
    ("al-maya", "2014-08-07", "tobruk"),  # one camp changing hands does not move the Warshefana towns
    ("abu-grein", "2016-05-05", "islamic-state"),  # overrun by IS on 5 May 2016, freed by GNA forces on 18 May
    ("abu-grein", "2016-05-18", "gna"),
    # 2017-2020 (chronology, section "2017 - Oct 2020"): Benghazi, Derna and the oil crescent to the LNA
    ("benghazi-sabri", "2017-12-31", "tobruk"),
    ("derna", "2018-07-01", "tobruk"),  # "liberated" on 28 June 2018; old-city holdouts until February 2019
    ("es-sider", "2017-03-05", "bdb"),  # the BDB's attack of 3 March 2017
    ("es-sider", "2017-03-10", "gna"),  # handed to the GNA-appointed PFG chief on 7 March
    ("es-sider", "2017-03-15", "tobruk"),  # retaken by the LNA on 14 March
    ("es-sider", "2018-06-25", "tobruk"),  # retaken after Jadhran's June 2018 attack
    # Jufra and the south: the LNA's from June 2017 and the 2019 southern offensive, Murzuq excepted
    ("jufra-airbase", "2017-06-04", "tobruk"),
    ("tamanhint", "2017-05-26", "tobruk"),
    ("sabha", "2019-02-10", "tobruk"),
    ("sharara", "2019-02-15", "tobruk"),
    ("murzuq", "2019-09-01", "gna"),  # the South Protection Force, after the August 2019 fighting
    # The west: the GNA's Tripoli from May 2017, the LNA's offensive of April 2019 and its end in June 2020
    ("tripoli", "2017-06-01", "gna"),
    ("al-aziziya", "2017-11-08", "gna"),
    ("gharyan", "2019-04-10", "tobruk"),
    ("gharyan", "2019-07-01", "gna"),
    ("tripoli-airport", "2019-06-01", "tobruk|gna"),
    ("tripoli-airport", "2020-06-04", "gna"),
    ("ain-zara", "2019-05-01", "tobruk|gna"),  # a front line from the LNA's first week to June 2020
    ("ain-zara", "2020-06-10", "gna"),
    ("souq-al-khamis", "2019-06-01", "tobruk"),  # taken by the LNA on 5 April 2019
    ("el-feel", "2019-03-01", "tobruk"),  # taken by the LNA on 21 February 2019
    ("watiya", "2020-05-19", "gna"),
    ("sabratha", "2017-11-01", "tobruk"),  # the Anti-IS Operations Room's, from 6 October 2017
    ("surman", "2018-06-01", "tobruk|gna"),  # the LNA claimed it in October 2017; others say April 2019
    ("surman", "2019-05-01", "tobruk"),
    ("sabratha", "2020-04-14", "gna"),  # both taken by the GNA on 13 April 2020
    ("surman", "2020-04-14", "gna"),
    ("tarhuna", "2019-06-01", "tobruk"),
    ("tarhuna", "2020-06-06", "gna"),
    ("sirte", "2019-06-01", "gna"),
    ("sirte", "2020-01-07", "tobruk"),
    # At the ceasefire of 23 October 2020: the Sirte-Jufra line
    ("sirte", "2020-10-23", "tobruk"),
    ("jufra-airbase", "2020-10-23", "tobruk"),
    ("misrata", "2020-10-23", "gna"),
    ("tripoli", "2020-10-23", "gna"),
    # Towns held by their own forces: Bani Walid's Warfalla, Sabha's Awlad Suleiman and Qaddadfa
    ("bani-walid", "2015-06-01", "local-forces"),
    ("sabha", "2015-06-01", "local-forces"),
]


@pytest.mark.parametrize("place, day, expected", FACTS, ids=[f"{p}@{d}" for p, d, _ in FACTS])
def test_the_record_answers_as_the_chronology_says(shipped, place, day, expected):
    point = shipped.places.set_index("id").geometry[place]
    assert answer(who(shipped, date.fromisoformat(day), point.x, point.y)) == expected


def test_no_area_is_recorded_before_there_is_evidence(shipped):
    tobruk = shipped.places.set_index("id").geometry["tobruk"]  # first source: the airbase backs Dignity on 21 May 2014
    assert [h for h in who(shipped, date(2014, 5, 20), tobruk.x, tobruk.y) if h.status != "zone"] == []


def test_from_august_2014_on_at_least_nine_tenths_of_libya_is_held_contested_or_in_a_zone(shipped):
    libya = total_km2([shipped.outline])
    for day in [d for d in shipped.index.dates if d >= date(2014, 8, 1)]:
        covered = total_km2(list(state_at(shipped, day).geometry)) / libya
        assert covered >= 0.9, f"{day}: {covered:.1%}"


def test_from_the_seed_map_on_at_least_95_of_the_100_largest_places_are_held_or_contested(shipped):
    largest = shipped.places.sort_values("population", ascending=False).head(100)
    for day in [d for d in shipped.index.dates if d >= date(2015, 2, 17)]:
        state = state_at(shipped, day)
        areas = state[state["status"] != "zone"]
        inside = set(largest.sjoin(areas, predicate="within")["id"])
        assert len(inside) >= 95, f"{day}: {sorted(set(largest['id']) - inside)}"


TIERS = [  # points off any named place, whose side the sources make plain; (lon, lat, date, answer, tier)
    (22.5, 24.5, "2015-02-17", "tobruk", "zone"),  # the desert round Kufra, held for the LNA
    (16.9, 30.9, "2015-09-01", "islamic-state", "zone"),  # the coast east of Sirte, IS's from Sirte to Harawa
    (14.5, 25.0, "2015-06-01", "tebu", "zone"),  # the Murzuq basin, Tebu country
    (14.0, 31.6, "2015-06-01", "local-forces", "zone"),  # the Warfalla country round Bani Walid
]


@pytest.mark.parametrize("lon, lat, day, expected, expected_tier", TIERS, ids=[f"{e}@{d}" for _, _, d, e, _ in TIERS])
def test_ground_between_the_places_is_in_the_zone_of_the_side_holding_them(shipped, lon, lat, day, expected, expected_tier):
    holders = who(shipped, date.fromisoformat(day), lon, lat)
    assert (answer(holders), tier(holders)) == (expected, expected_tier)


def test_a_town_nobody_is_known_to_hold_stays_blank_and_the_land_round_it_goes_by_the_rule(shipped):
    # No 2014-2016 source names who held Jalu; the desert 40 km east of it still goes to the nearest side
    jalu = shipped.places.set_index("id").geometry["jalu"]
    day = date(2015, 6, 1)
    assert tier(who(shipped, day, jalu.x, jalu.y)) == "none"
    assert tier(who(shipped, day, jalu.x + 0.45, jalu.y)) == "zone"
