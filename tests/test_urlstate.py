"""Reading a view from a URL: good values kept, bad ones replaced with a message saying why."""

from datetime import date

from layers.urlstate import Place, ViewState, read_query, to_query

DATES = [date(2015, 2, 17), date(2015, 3, 19), date(2015, 6, 4)]
FACTIONS = ["tobruk", "libya-dawn", "islamic-state"]
PLACES = {"sirte", "derna"}


def read(**params):
    return read_query(params, DATES, FACTIONS, PLACES)


def test_no_parameters_give_the_default_view_without_messages():
    state, messages = read()
    assert state == ViewState("map", DATES[0], DATES[0], DATES[-1], tuple(FACTIONS)) and messages == []


def test_the_war_in_numbers_is_a_view_a_link_can_open():
    assert read(view="numbers")[0].view == "numbers"


def test_a_date_between_change_dates_is_kept_to_the_day():
    assert read(date="2015-04-01")[0].day == date(2015, 4, 1)


def test_a_date_outside_the_data_is_clamped_with_a_message():
    state, [message] = read(date="2019-01-01")
    assert state.day == DATES[-1] and "outside the data" in message


def test_an_impossible_date_is_replaced_with_a_message():
    state, [message] = read(before="2015-13-01")
    assert state.before == DATES[0] and "'before'" in message and "not a real date" in message


def test_factions_keep_registry_order_and_unknown_ids_are_named():
    state, [message] = read(factions="islamic-state,zz,tobruk")
    assert state.factions == ("tobruk", "islamic-state") and "'zz'" in message


def test_an_empty_faction_list_hides_every_faction():
    assert read(factions="")[0].factions == ()


def test_a_place_is_a_known_id_or_a_latitude_longitude():
    assert read(place="sirte")[0].place == Place(id="sirte")
    assert str(read(place="31.2, 16.59")[0].place) == "31.20000,16.59000"
    state, [message] = read(place="95,10")
    assert state.place is None and "not a latitude,longitude on Earth" in message


def test_a_named_place_resolves_to_its_point_and_name(shipped):
    lat, lon, label = Place(id="sirte").resolve(shipped.places.set_index("id"))
    assert label == "Sirte" and round(lat, 1) == 31.2 and round(lon, 1) == 16.6  # Sirte: 31.2° N, 16.6° E


def test_a_clicked_point_resolves_to_itself_labelled_in_degrees(shipped):
    assert Place.clicked(31.123456, 16.5).resolve(shipped.places.set_index("id")) == (31.12346, 16.5, "31.1235° N, 16.5000° E")


def test_to_query_round_trips_through_read_query():
    state = ViewState("compare", date(2015, 3, 1), DATES[1], DATES[2], ("islamic-state",), Place(id="derna"))
    assert read(**to_query(state, FACTIONS)) == (state, [])


def test_to_query_leaves_out_factions_when_all_are_shown():
    assert "factions" not in to_query(read()[0], FACTIONS)


def test_a_very_long_bad_value_is_cut_short_in_its_message():
    _, [message] = read(view="x" * 5_000)
    assert len(message) < 200 and "x" * 60 + "…" in message


def test_before_later_than_after_is_swapped_with_a_message():
    state, [message] = read(view="compare", before="2015-06-04", after="2015-02-17")
    assert (state.before, state.after) == (date(2015, 2, 17), date(2015, 6, 4))
    assert "'before' 2015-06-04 is later than 'after' 2015-02-17" in message and "swapped" in message


def test_faction_ids_none_of_which_is_known_fall_back_to_every_faction():
    state, [message] = read(factions="../../etc")
    assert state.factions == tuple(FACTIONS) and "'../../etc'" in message and "showing every faction" in message
