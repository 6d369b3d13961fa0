"""The war in numbers: km² and share of Libya per faction on every change date."""

import io
from datetime import date

import pandas as pd
import pytest

from layers.cli import main
from layers.geometry import total_km2
from layers.summary import war_chart, war_in_numbers


@pytest.fixture(scope="module")
def series(shipped):
    return war_in_numbers(shipped, total_km2([shipped.outline]))


def test_every_change_date_has_its_factions(series, shipped):
    assert sorted(set(series["date"])) == shipped.index.dates


def test_held_and_zone_ground_never_adds_up_to_more_than_libya(series):
    assert series.groupby("date")["share"].sum().max() <= 1.0 + 1e-9


def test_at_the_ceasefire_the_lna_side_holds_most_of_libya(series):
    ceasefire = series[series["date"] == date(2020, 10, 23)].set_index("faction")
    assert ceasefire.loc["tobruk", "share"] > 0.5 > ceasefire.loc["gna", "share"] > 0


def test_the_islamic_state_holds_ground_in_2015_and_none_after_losing_sirte(series):
    holding = series[(series["faction"] == "islamic-state") & (series["share"] > 0)]
    assert date(2015, 6, 9) in set(holding["date"])
    assert holding["date"].max() < date(2017, 1, 1)  # later, only raids such as Tazirbu's (contested ground)


def test_stats_writes_a_csv_that_pandas_reads(shipped):
    out = io.StringIO()
    assert main(["--geodata", str(shipped.root), "stats", "--csv"], out=out) == 0
    table = pd.read_csv(io.StringIO(out.getvalue()), parse_dates=["date"])
    assert list(table.columns) == ["date", "faction", "held_km2", "zone_km2", "share", "contested_km2"]
    assert table["date"].min() == pd.Timestamp("2014-05-16") and table["date"].max() == pd.Timestamp("2020-10-23")


def test_the_chart_marks_the_selected_date_and_lets_a_click_pick_a_change_date(series, shipped):
    spec = war_chart(series, shipped.registry, date(2019, 6, 1)).to_dict()
    (picked,) = spec["params"]
    assert picked["name"] == "picked" and picked["select"]["fields"] == ["date"] and picked["select"]["on"] == "click"
    marked = spec["datasets"][spec["layer"][2]["data"]["name"]]
    assert [row["date"][:10] for row in marked] == ["2019-06-01"]
