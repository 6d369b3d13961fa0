"""`python -m layers …`: the store from the command line."""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Sequence, TextIO

import shapely

from layers.change import compare
from layers.changelog import as_text, changelog, changes_on, sources_text
from layers.compose import DescriptionError, compose, differences, write
from layers.contract import StoreError, parse_day
from layers.export import changes_export, history_export, state_export
from layers.formats import FORMATS
from layers.geojson import GeoJSONError, write_atomic
from layers.geometry import total_km2
from layers.importing import ImportRefused, Limits, import_version, listed
from layers.markup import quoted, spreadsheet_safe
from layers.prepared import DEFAULT_FOLDER, Prepared
from layers.record import Period, record_period
from layers.registry import RegistryError
from layers.site import write_site
from layers.store import Store, default_root
from layers.summary import war_in_numbers
from layers.timeline import answer, tag_points, tier, who
from layers.validation import check_store, outline_zone

ADDED_COLUMNS = ("faction", "tier", "note")  # what `who --csv` adds to every row


class CommandError(Exception):
    """A problem with what the user asked for; printed without a traceback."""


def _coordinate(text: str | None, name: str, limit: float) -> float:
    """A latitude (limit 90) or longitude (limit 180) in degrees, or a ValueError naming it."""
    try:
        value = float(str(text).strip())
    except ValueError:
        raise ValueError(f"{name} {text!r} is not a number") from None
    if not -limit <= value <= limit:
        raise ValueError(f"{name} {text} is outside -{limit:g}…{limit:g}")
    return value


def _notes(store: Store, period: Period, days: list, lats: Sequence[float], lons: Sequence[float]) -> list[list[str]]:
    """For each point, why its answer may be 'none' for a reason other than nobody holding the ground."""
    zone = outline_zone(store)
    shapely.prepare(zone)
    inside = shapely.contains_xy(zone, lons, lats)
    swapped = shapely.contains_xy(zone, lats, lons)
    notes = []
    for day, within, turned in zip(days, inside, swapped):
        said = [why] if (why := period.outside(day)) else []
        if not within:
            said.append("the point lies outside Libya" + (" (latitude and longitude swapped?)" if turned else ""))
        notes.append(said)
    return notes


def cmd_validate(store: Store, args, out: TextIO) -> int:
    problems = check_store(store)
    if problems:
        for problem in problems:
            print(problem, file=out)
        print(f"{len(problems)} problem(s) in {store.root}", file=out)
        return 1
    versions = store.versions()
    dates = store.index.dates
    areas = sum(len(store.frame(ref)) for ref in versions)
    span = f" ({dates[0]} to {dates[-1]})" if dates else ""
    print(
        f"{store.root} is clean: {len(store.registry)} factions, {len(versions)} versions, "
        f"{areas} areas, {len(dates)} change dates{span}",
        file=out,
    )
    return 0


def cmd_dates(store: Store, args, out: TextIO) -> int:
    for day in store.index.dates:
        print(day.isoformat(), file=out)
    if store.index.dates:
        period = record_period(store)
        print(f"note: the record runs from {period.first} to {period.last}", file=args.err)
    return 0


def _within_record(store: Store, *days: date) -> Period:
    """The record's period, or a CommandError for the first day it has no answer for."""
    period = record_period(store)
    for day in days:
        if why := period.outside(day):
            raise CommandError(why)
    return period


def cmd_who(store: Store, args, out: TextIO) -> int:
    if args.csv:
        if any(value is not None for value in (args.date, args.lat, args.lon)):
            raise CommandError("--csv reads dates and points from the file; leave out --date, --lat and --lon")
        return _who_csv(store, Path(args.csv), out, args.safe_csv)
    if args.date is None or args.lat is None or args.lon is None:
        raise CommandError("who needs --date, --lat and --lon (or --csv FILE)")
    try:
        lat, lon = _coordinate(args.lat, "--lat", 90), _coordinate(args.lon, "--lon", 180)
    except ValueError as err:
        raise CommandError(str(err)) from None
    day = parse_day(args.date, "--date")
    period = _within_record(store, day)
    for note in _notes(store, period, [day], [lat], [lon])[0]:
        print(f"note: {note}", file=args.err)
    holders = who(store, day, lon, lat)
    if args.json:
        print(
            json.dumps(
                {
                    "date": args.date,
                    "lat": lat,
                    "lon": lon,
                    "faction": answer(holders),
                    "tier": tier(holders),
                    "areas": [asdict(h) for h in holders],
                },
                ensure_ascii=False,
                indent=2,
            ),
            file=out,
        )
    else:
        print(answer(holders), file=out)
    return 0


def _who_csv(store: Store, path: Path, out: TextIO, safe: bool) -> int:
    """Tag every row; nothing is written unless every row reads."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            columns = next(reader, [])
            rows = []
            for fields in reader:
                if not fields:
                    continue  # a blank line
                if len(fields) != len(columns):
                    raise CommandError(
                        f"{path}, line {reader.line_num}: expected {len(columns)} fields ({','.join(columns)}), "
                        f"found {len(fields)}"
                    )
                rows.append((reader.line_num, fields))
    except OSError as err:
        raise CommandError(f"{path}: {err.strerror}") from None
    except UnicodeDecodeError as err:
        raise CommandError(f"{path}: not UTF-8 text ({err.reason} at byte {err.start}); save it as UTF-8 CSV") from None
    except csv.Error as err:
        raise CommandError(f"{path}: not a readable CSV ({err})") from None
    named: dict[str, int] = {}
    for position, column in enumerate(columns):
        key = column.strip().lower()
        if key in named:
            raise CommandError(
                f"{path}: columns {named[key] + 1} and {position + 1} are both named {quoted(key)}; "
                "rename one so no value is lost or read from the wrong column"
            )
        named[key] = position
    missing = [c for c in ("date", "lat", "lon") if c not in named]
    if missing:
        raise CommandError(f"{path}: missing column(s) {', '.join(missing)}; the header must include date,lat,lon")
    for added in ADDED_COLUMNS:
        if added in named:
            raise CommandError(f"{path}: already has a {added!r} column; rename it so it is not overwritten")
    days, lats, lons, parsed = [], [], [], {}  # events repeat their dates: each is parsed once
    for line, fields in rows:
        try:
            text = fields[named["date"]]
            days.append(parsed[text] if text in parsed else parsed.setdefault(text, parse_day(text, "date")))
            lats.append(_coordinate(fields[named["lat"]], "lat", 90))
            lons.append(_coordinate(fields[named["lon"]], "lon", 180))
        except (ValueError, StoreError) as err:
            raise CommandError(f"{path}, line {line}: {err}") from None
    cell = spreadsheet_safe if safe else str
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([cell(c) for c in [*columns, *ADDED_COLUMNS]])
    period = record_period(store)
    answers, tiers = tag_points(store, days, lons, lats)
    for row, day in enumerate(days):
        if period.outside(day):  # the note says why; the last state is not carried past the record's end
            answers[row], tiers[row] = "none", "none"
    tagged = zip(rows, answers, tiers, _notes(store, period, days, lats, lons))
    lines = ([*fields, faction, drawn, "; ".join(notes)] for (_, fields), faction, drawn, notes in tagged)
    writer.writerows(([cell(c) for c in line] for line in lines) if safe else lines)
    return 0


def cmd_export(store: Store, args, out: TextIO) -> int:
    factions = None
    if args.faction:
        for faction in args.faction:
            store.faction(faction)
        factions = args.faction
    suffixes = {kind.extension: name for name, kind in FORMATS.items()}
    named = suffixes.get(Path(args.out).suffix.lower()) if args.out else None
    if args.format and named and named != args.format:
        raise CommandError(f"--out {args.out} names a {FORMATS[named].label} file but --format is {args.format}")
    name = args.format or named or "geojson"
    if name == "gpkg" and not args.out:
        raise CommandError("a GeoPackage is a database file, not text: give --out FILE.gpkg")
    if args.history:
        export = history_export(store, factions)
    elif args.changes:
        before, after = sorted(parse_day(day, "date") for day in args.changes)
        _within_record(store, before, after)
        export = changes_export(compare(store, before, after), store.registry, factions)
    else:
        day = parse_day(args.date)
        _within_record(store, day)
        export = state_export(store, day, factions)
    data = FORMATS[name].write(export)
    if args.out:
        write_atomic(Path(args.out), data)
    else:
        out.write(data.decode("utf-8"))
    return 0


def cmd_diff(store: Store, args, out: TextIO) -> int:
    before, after = parse_day(args.date1, "first date"), parse_day(args.date2, "second date")
    if before > after:
        print(f"note: {before} is later than {after}; swapped them, so gains are gains", file=args.err)
        before, after = after, before
    _within_record(store, before, after)
    table = compare(store, before, after).table
    if table.empty:
        raise CommandError(f"no faction holds ground on {before} or {after}")
    if args.json:
        print(table.round(1).to_json(orient="records", indent=2), file=out)
    else:
        print(f"km² held on {before} and {after} (equal-area projection; contested ground apart)", file=out)
        print(table.to_string(index=False, float_format=lambda v: f"{v:,.0f}"), file=out)
    return 0


def cmd_site(store: Store, args, out: TextIO) -> int:
    began = time.perf_counter()
    write_site(store, Path(args.out))
    files = [path for path in Path(args.out).rglob("*") if path.is_file()]
    size = sum(path.stat().st_size for path in files) / 1e6
    print(f"{args.out}: {len(files)} files, {size:.1f} MB, in {time.perf_counter() - began:.0f} s; open index.html", file=out)
    return 0


def cmd_prepare(store: Store, args, out: TextIO) -> int:
    began, prepared = time.perf_counter(), Prepared(store, Path(args.cache) if args.cache else None)
    for day in store.index.dates:
        prepared.on(day)
    missing = [day for day in store.index.dates if not prepared.is_kept(day)]
    if missing:
        raise CommandError(
            f"{len(missing)} of {len(store.index.dates)} change dates could not be kept in {prepared.folder} "
            f"(the first {missing[0]}): a folder that cannot be written, or a layer file that cannot be read "
            "(`validate` names it)"
        )
    print(
        f"{len(store.index.dates)} change dates prepared in {prepared.folder} in {time.perf_counter() - began:.0f} s",
        file=out,
    )
    return 0


def cmd_stats(store: Store, args, out: TextIO) -> int:
    series = war_in_numbers(store, total_km2([store.outline]))
    if args.csv:
        series.round({"held_km2": 1, "zone_km2": 1, "contested_km2": 1, "share": 5}).to_csv(out, index=False, lineterminator="\n")
    else:
        print("km² per faction on every change date (equal-area projection; share = held and zone of Libya)", file=out)
        print(series.to_string(index=False, float_format=lambda v: f"{v:,.0f}", formatters={"share": "{:.1%}".format}), file=out)
    return 0


def cmd_changes(store: Store, args, out: TextIO) -> int:
    if args.date:
        asked = parse_day(args.date)
        _within_record(store, asked)
        day = store.index.last_change(asked)
        table = changes_on(store, day)
        if day != asked:
            print(f"note: {asked} is not a change date; the last one on or before it is {day}", file=args.err)
    else:
        table = changelog(store)
    if args.csv or args.safe_csv:
        as_text(table, args.safe_csv).to_csv(out, index=False, lineterminator="\n")
        return 0
    for row in table.itertuples():
        print(f"{row.date}  {row.area}: {row.before} -> {row.after}", file=out)
        print(f"            sources: {sources_text(row.sources)}", file=out)
    if table.empty:
        print("no area changed holder", file=out)
    return 0


def cmd_add(store: Store, args, out: TextIO) -> int:
    limits = Limits(max_mb=args.max_mb, max_vertices=args.max_vertices)
    result = import_version(store, args.faction, args.date, Path(args.file), args.replace, args.empty, limits)
    action = "replaced" if result.replaced else "added"
    print(f"{action} {result.path.relative_to(store.root)}: {result.areas} area(s)", file=out)
    if not result.areas:
        removed = f"; it no longer holds {listed(result.removed)}" if result.removed else ""
        print(f"the layer is empty: {args.faction} holds nothing from {args.date}{removed}", file=out)
    if result.ignored_properties:
        print(f"ignored properties outside the data contract: {', '.join(result.ignored_properties)}", file=out)
    return 0


def cmd_compose(store: Store, args, out: TextIO) -> int:
    produced = compose(store)
    if args.check:
        report = differences(store, produced)
        for line in report:
            print(line, file=out)
        print(f"{len(produced)} layer files; {len(report)} differ from the description", file=out)
        return 1 if report else 0
    for path in write(store, produced):
        print(f"removed {path}", file=out)
    print(f"composed {len(produced)} layer files from control/areas.toml", file=out)
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="python -m layers", description="Territorial-control layers of Libya's war, versioned by date."
    )
    top.add_argument(
        "--geodata",
        default=str(default_root()),
        help="the data folder (default: $LIBYA_CONTROL_GEODATA, else the shipped geodata/)",
    )
    commands = top.add_subparsers(dest="command", required=True)

    commands.add_parser("validate", help="check every file, geometry, source and overlap").set_defaults(run=cmd_validate)
    commands.add_parser("dates", help="list the change dates").set_defaults(run=cmd_dates)

    who_cmd = commands.add_parser("who", help="which faction held a point on a date")
    who_cmd.add_argument("--date", help="YYYY-MM-DD")
    who_cmd.add_argument("--lat")
    who_cmd.add_argument("--lon")
    who_cmd.add_argument("--json", action="store_true", help="add status, version date, area name and sources")
    who_cmd.add_argument(
        "--csv", help="tag every row of a CSV with columns date,lat,lon; writes it to stdout with faction and note columns"
    )
    who_cmd.add_argument(
        "--safe-csv",
        action="store_true",
        help="for spreadsheets: a ' before cells that begin with = + - @ (formulas); numbers are left alone",
    )
    who_cmd.set_defaults(run=cmd_who)

    export_cmd = commands.add_parser(
        "export", help="the state at a date, the whole history, or changes, as GeoJSON, GeoPackage, KML or CSV"
    )
    what = export_cmd.add_mutually_exclusive_group(required=True)
    what.add_argument("--date", help="the state on this date")
    what.add_argument("--history", action="store_true", help="every version, with valid_from and valid_to")
    what.add_argument("--changes", nargs=2, metavar=("BEFORE", "AFTER"), help="ground gained and lost between two dates")
    export_cmd.add_argument("--faction", action="append", help="only this faction (repeat for more)")
    export_cmd.add_argument(
        "--format",
        choices=list(FORMATS),
        help="geojson (RFC 7946), gpkg, kml or csv (default: from the --out suffix, else geojson)",
    )
    export_cmd.add_argument("--out", help="file to write (default: stdout; a GeoPackage needs one)")
    export_cmd.set_defaults(run=cmd_export)

    diff_cmd = commands.add_parser("diff", help="km² held, gained and lost per faction between two dates")
    diff_cmd.add_argument("date1")
    diff_cmd.add_argument("date2")
    diff_cmd.add_argument("--json", action="store_true")
    diff_cmd.set_defaults(run=cmd_diff)

    changes_cmd = commands.add_parser("changes", help="what changed hands on each change date, with sources")
    changes_cmd.add_argument("--date", help="only the change date on or before this one (default: the whole record)")
    changes_cmd.add_argument("--csv", action="store_true", help="CSV: sources as 'title (date) <url>' joined by ' | '")
    changes_cmd.add_argument("--safe-csv", action="store_true", help="CSV for spreadsheets: ' before text starting = + - @")
    changes_cmd.set_defaults(run=cmd_changes)

    stats_cmd = commands.add_parser("stats", help="km² and share of Libya per faction on every change date")
    stats_cmd.add_argument("--csv", action="store_true", help="write CSV (for Excel, pandas or R) instead of a table")
    stats_cmd.set_defaults(run=cmd_stats)

    site_cmd = commands.add_parser("site", help="a static site of the whole record, for any static host or a folder")
    site_cmd.add_argument("--out", required=True, help="the folder to write (empty, or a site this command wrote)")
    site_cmd.set_defaults(run=cmd_site)

    prepare_cmd = commands.add_parser(
        "prepare", help="work out what the app shows on every change date, so that no reader waits for it"
    )
    prepare_cmd.add_argument("--cache", help=f"the folder to keep it in (default: $LIBYA_CONTROL_CACHE, else {DEFAULT_FOLDER})")
    prepare_cmd.set_defaults(run=cmd_prepare)

    add_cmd = commands.add_parser("add", help="import a new version of a faction's layer from a GeoJSON file")
    add_cmd.add_argument("faction")
    add_cmd.add_argument("date")
    add_cmd.add_argument("file")
    add_cmd.add_argument("--replace", action="store_true", help="overwrite a version added by hand earlier")
    add_cmd.add_argument(
        "--empty", action="store_true", help="the file has no features on purpose: the faction holds nothing from this date"
    )
    add_cmd.add_argument(
        "--max-mb", type=float, default=Limits.max_mb, help=f"refuse a file larger than this (default {Limits.max_mb:g} MB)"
    )
    add_cmd.add_argument(
        "--max-vertices",
        type=int,
        default=Limits.max_vertices,
        help=f"refuse a layer with more vertices than this (default {Limits.max_vertices:,})",
    )
    add_cmd.set_defaults(run=cmd_add)

    compose_cmd = commands.add_parser("compose", help="regenerate the layers from geodata/control/areas.toml")
    compose_cmd.add_argument("--check", action="store_true", help="only report files that differ; exit 1 if any")
    compose_cmd.set_defaults(run=cmd_compose)
    return top


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    args = parser().parse_args(argv)
    args.err = err
    store = Store(Path(args.geodata))
    try:
        return args.run(store, args, out)
    except ImportRefused as refused:
        for problem in refused.problems:
            print(f"error: {problem}", file=err)
        print(f"error: nothing was written ({len(refused.problems)} problem(s))", file=err)
        return 1
    except (CommandError, StoreError, GeoJSONError, RegistryError, DescriptionError) as problem:
        print(f"error: {problem}", file=err)
        return 1
    except OSError as problem:
        print(f"error: {problem.filename or ''}: {problem.strerror or problem}", file=err)
        return 1
