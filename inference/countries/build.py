"""Generate ``aliases.tsv`` from CLDR (via Babel, a development-time dependency only).

Run as ``python -m inference.countries.build``. It writes one line per alias:
``country  lang  alias  kind  flags  source``

- ``name``: CLDR territory display names in each language (``cldr:territory:<locale>``);
  ``X - Y`` becomes ``X-Y`` and ``X (Y)`` yields ``X`` and ``Y``; English ``&`` gets an
  ``and`` variant.
- ``capital``: CLDR time-zone exemplar cities for capitals that have their own zone
  (``cldr:tz:<zone>``); capitals without one (Washington, Beijing, Ankara, ...) are in
  ``aliases_extra.tsv``. Capitals are matched as the state: in international news they
  are overwhelmingly metonymic ("Moscow said"). Two are left out on purpose: Brussels
  (in news it stands for the EU, not Belgium) and Jerusalem (contested; in Arabic and
  Turkish news mostly the holy city, not the Israeli state).

Hand-curated additions (adjectives, demonyms, seats, abbreviations, compounds, blockers,
irregular inflections) live in ``aliases_extra.tsv``, one line each, with a ``source``.
The runtime reads both files and never imports Babel.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from .codes import ALPHA2_TO_ALPHA3, LANGS

# Extra CLDR locales whose names are added under the base language.
EXTRA_LOCALES: dict[str, tuple[str, ...]] = {
    "zh": ("zh_Hant",),
    "pt": ("pt_PT",),
    "es": ("es_419",),
    "sr": ("sr_Latn",),
}
# Languages whose CLDR locale has another code (CLDR has Filipino, not Tagalog).
CLDR_LOCALE: dict[str, str] = {"tl": "fil"}

# Capitals (or seats of government) that have their own IANA zone, so CLDR translates them.
CAPITAL_ZONES: dict[str, str] = {
    "AFG": "Asia/Kabul",
    "ALB": "Europe/Tirane",
    "DZA": "Africa/Algiers",
    "AGO": "Africa/Luanda",
    "ARG": "America/Buenos_Aires",
    "ARM": "Asia/Yerevan",
    "AUT": "Europe/Vienna",
    "AZE": "Asia/Baku",
    "BHS": "America/Nassau",
    "BGD": "Asia/Dhaka",
    "BLR": "Europe/Minsk",
    "BTN": "Asia/Thimphu",
    "BOL": "America/La_Paz",
    "BIH": "Europe/Sarajevo",
    "BWA": "Africa/Gaborone",
    "BGR": "Europe/Sofia",
    "BFA": "Africa/Ouagadougou",
    "KHM": "Asia/Phnom_Penh",
    "CAF": "Africa/Bangui",
    "TCD": "Africa/Ndjamena",
    "COL": "America/Bogota",
    "COG": "Africa/Brazzaville",
    "COD": "Africa/Kinshasa",
    "HRV": "Europe/Zagreb",
    "CUB": "America/Havana",
    "CYP": "Asia/Nicosia",
    "CZE": "Europe/Prague",
    "DNK": "Europe/Copenhagen",
    "DOM": "America/Santo_Domingo",
    "EGY": "Africa/Cairo",
    "GNQ": "Africa/Malabo",
    "ERI": "Africa/Asmara",
    "EST": "Europe/Tallinn",
    "ETH": "Africa/Addis_Ababa",
    "FIN": "Europe/Helsinki",
    "FRA": "Europe/Paris",
    "GAB": "Africa/Libreville",
    "GMB": "Africa/Banjul",
    "GEO": "Asia/Tbilisi",
    "DEU": "Europe/Berlin",
    "GHA": "Africa/Accra",
    "GRC": "Europe/Athens",
    "GIN": "Africa/Conakry",
    "HTI": "America/Port-au-Prince",
    "HND": "America/Tegucigalpa",
    "HUN": "Europe/Budapest",
    "ISL": "Atlantic/Reykjavik",
    "IDN": "Asia/Jakarta",
    "IRN": "Asia/Tehran",
    "IRQ": "Asia/Baghdad",
    "IRL": "Europe/Dublin",
    "ITA": "Europe/Rome",
    "JPN": "Asia/Tokyo",
    "JOR": "Asia/Amman",
    "KEN": "Africa/Nairobi",
    "PRK": "Asia/Pyongyang",
    "KOR": "Asia/Seoul",
    "KGZ": "Asia/Bishkek",
    "LAO": "Asia/Vientiane",
    "LVA": "Europe/Riga",
    "LBN": "Asia/Beirut",
    "LSO": "Africa/Maseru",
    "LBR": "Africa/Monrovia",
    "LBY": "Africa/Tripoli",
    "LIE": "Europe/Vaduz",
    "LTU": "Europe/Vilnius",
    "MDG": "Indian/Antananarivo",
    "MYS": "Asia/Kuala_Lumpur",
    "MLI": "Africa/Bamako",
    "MHL": "Pacific/Majuro",
    "MRT": "Africa/Nouakchott",
    "MEX": "America/Mexico_City",
    "MDA": "Europe/Chisinau",
    "MNG": "Asia/Ulaanbaatar",
    "MNE": "Europe/Podgorica",
    "MOZ": "Africa/Maputo",
    "NAM": "Africa/Windhoek",
    "NPL": "Asia/Kathmandu",
    "NLD": "Europe/Amsterdam",
    "NIC": "America/Managua",
    "NER": "Africa/Niamey",
    "MKD": "Europe/Skopje",
    "NOR": "Europe/Oslo",
    "OMN": "Asia/Muscat",
    "PNG": "Pacific/Port_Moresby",
    "PRY": "America/Asuncion",
    "PER": "America/Lima",
    "PHL": "Asia/Manila",
    "POL": "Europe/Warsaw",
    "PRT": "Europe/Lisbon",
    "ROU": "Europe/Bucharest",
    "RUS": "Europe/Moscow",
    "RWA": "Africa/Kigali",
    "SAU": "Asia/Riyadh",
    "SEN": "Africa/Dakar",
    "SRB": "Europe/Belgrade",
    "SLE": "Africa/Freetown",
    "SVK": "Europe/Bratislava",
    "SVN": "Europe/Ljubljana",
    "SOM": "Africa/Mogadishu",
    "SSD": "Africa/Juba",
    "ESP": "Europe/Madrid",
    "SDN": "Africa/Khartoum",
    "SUR": "America/Paramaribo",
    "SWE": "Europe/Stockholm",
    "SYR": "Asia/Damascus",
    "TJK": "Asia/Dushanbe",
    "THA": "Asia/Bangkok",
    "TLS": "Asia/Dili",
    "TGO": "Africa/Lome",
    "TTO": "America/Port_of_Spain",
    "TUN": "Africa/Tunis",
    "TKM": "Asia/Ashgabat",
    "UGA": "Africa/Kampala",
    "UKR": "Europe/Kiev",
    "GBR": "Europe/London",
    "URY": "America/Montevideo",
    "UZB": "Asia/Tashkent",
    "VEN": "America/Caracas",
    "ZMB": "Africa/Lusaka",
    "ZWE": "Africa/Harare",
    "TWN": "Asia/Taipei",
    "KIR": "Pacific/Tarawa",
    "TUV": "Pacific/Funafuti",
    "BEN": "Africa/Porto-Novo",
}
# Capitals that are also common personal names or brands: checked by the person rule.
PERSON_CAPITALS = frozenset({"PER", "GBR", "FRA"})
_NON_LATIN = frozenset(
    {
        "ru",
        "uk",
        "ar",
        "fa",
        "he",
        "zh",
        "ja",
        "ko",
        "hi",
        "th",
        "el",
        "bg",
        "ka",
        "hy",
        "kk",
        "ur",
        "bn",
        "ta",
        "am",
    }
)
# Names that need a context rule (rules.py): Georgia the US state; Jordan/Chad/Salvador as people
# (in every language: since issue 15 every table reads every text).
_PERSON_LANGS = frozenset({"en", "fr", "es", "pt", "it", "nl", "sv", "id", "tr", "pl"})
_PERSON_NAMES = frozenset({"Jordan", "Chad", "Salvador"})  # in any language's table
_NAME_FLAGS: dict[str, str] = {"GEO": "georgia", "JOR": "person", "TCD": "person", "SLV": "person"}
# Language-specific context rules (rules.py): unvocalised عمان is Oman or Amman; Arabic مصر
# may be "insisting"; Hebrew הודו may be "they thanked".
_LANG_FLAGS: dict[tuple[str, str, str], str] = {
    ("OMN", "ar", "name"): "oman",
    ("OMN", "fa", "name"): "oman",
    ("JOR", "ar", "capital"): "amman",
    ("JOR", "fa", "capital"): "amman",
    ("EGY", "ar", "name"): "misr",
    ("IND", "he", "name"): "hodu",
}

HEADER = "country\tlang\talias\tkind\tflags\tsource"
OUT = Path(__file__).with_name("aliases.tsv")


def _name_variants(name: str, lang: str) -> list[str]:
    out: list[str] = []
    paren = re.fullmatch(r"(.+?)\s*[(（](.+?)[)）]", name)
    parts = [paren.group(1), paren.group(2)] if paren else [name]
    for part in parts:
        part = re.sub(r"\s+[-–]\s+", "-", part.strip())
        out.append(part)
        if lang == "en" and "&" in part:
            out.append(part.replace("&", "and"))
        if lang == "en" and part.startswith("St. "):
            out.append("Saint " + part[4:])
    if paren and re.fullmatch(r"[A-Z]{2,4}", parts[1]):
        out.remove(parts[1])  # "(DRC)"-style abbreviations are curated by hand
    return out


def generate() -> list[tuple[str, str, str, str, str, str]]:
    """All CLDR-derived rows, sorted and de-duplicated."""
    from babel import Locale  # dev-time only
    from babel.dates import get_timezone_location

    rows: set[tuple[str, str, str, str, str, str]] = set()
    for lang in LANGS:
        for loc_id in (CLDR_LOCALE.get(lang, lang), *EXTRA_LOCALES.get(lang, ())):
            loc = Locale.parse(loc_id)
            for a2, a3 in ALPHA2_TO_ALPHA3.items():
                name = loc.territories.get(a2)
                if not name:
                    continue
                variants = _name_variants(name, lang)
                if a2 in ("CD", "CG"):
                    # bare "Congo" (or "金"/"布" of "刚果（金）") is ambiguous: keep only full forms
                    variants = [v for v in variants if "-" in v or " " in v or len(v) > 8]
                    if re.search(r"[(（]", name):
                        variants.append(name)
                for variant in variants:
                    flags = _NAME_FLAGS.get(a3, "")
                    if flags == "person" and lang not in _PERSON_LANGS and variant not in _PERSON_NAMES:
                        flags = ""
                    if lang == "vi" and " " not in variant:
                        flags = "person"  # one-syllable names are given names too (Nguyễn Thị Nga)
                    flags = _LANG_FLAGS.get((a3, lang, "name"), flags)
                    rows.add((a3, lang, variant, "name", flags, f"cldr:territory:{loc_id}"))
            for a3, zone in CAPITAL_ZONES.items():
                city = get_timezone_location(zone, locale=loc, return_city=True)
                if not city or (lang in _NON_LATIN and city.isascii()):
                    continue
                flags = "person" if a3 in PERSON_CAPITALS else _LANG_FLAGS.get((a3, lang, "capital"), "")
                rows.add((a3, lang, city, "capital", flags, f"cldr:tz:{zone}"))
    # Keep one row per (country, lang, alias, kind): the first locale wins.
    seen: dict[tuple[str, str, str, str], tuple[str, str, str, str, str, str]] = {}
    for row in sorted(rows, key=lambda r: (r[0], r[1], r[2], r[3], len(r[5]), r[5])):
        seen.setdefault(row[:4], row)
    return sorted(seen.values())


def write(path: Path = OUT) -> int:
    rows = generate()
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        fh.write(HEADER + "\n")
        for row in rows:
            fh.write("\t".join(row) + "\n")
    return len(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    n = write(args.out)
    print(f"wrote {n} aliases to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
