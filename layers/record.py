"""The period the record covers: from its first change to the last day its sources carry it to.

A date outside it has no answer. The data says nothing about it, and carrying the last state
forward would answer a question about 2019 with the map of 2016. The last day is stated in
the description (`[record] last_day` in control/areas.toml); a store without one ends on its
last change.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date

from layers.compose import DESCRIPTION
from layers.contract import StoreError, parse_day
from layers.store import Store


@dataclass(frozen=True)
class Period:
    first: date
    last: date

    def outside(self, day: date) -> str | None:
        """Why the record has no answer for `day`, or None when it does."""
        if day < self.first:
            return f"{day} is before the record begins ({self.first})"
        if day > self.last:
            return f"{day} is after the record's last day ({self.last}); the data says nothing about later dates"
        return None


def record_period(store: Store) -> Period:
    """The period of the store's record, or a StoreError naming what is wrong with its stated end."""
    dates = store.index.dates
    if not dates:
        raise StoreError(f"{store.root} holds no versions yet, so it records no period")
    path = store.root / DESCRIPTION
    stated = None
    if path.exists():
        try:
            stated = tomllib.loads(path.read_text(encoding="utf-8")).get("record", {}).get("last_day")
        except tomllib.TOMLDecodeError as err:
            raise StoreError(f"{DESCRIPTION}: {err}") from None
    if stated is None:
        return Period(dates[0], dates[-1])
    last = parse_day(str(stated), f"{DESCRIPTION}: [record] last_day")
    if last < dates[-1]:
        raise StoreError(f"{DESCRIPTION}: [record] last_day {last} is before the last change ({dates[-1]})")
    return Period(dates[0], last)
