"""Load the alias tables (``aliases.tsv`` generated from CLDR, ``aliases_extra.tsv`` curated).

Columns: ``country lang alias kind flags source``.

- ``country``: ISO alpha-3, ``-`` for a *blocker* (a longer phrase that must not yield a
  country: "Guinea pig", "Indian Ocean", "ジョージア州"), or ``|``-separated codes for a
  *compound* whose ``alias`` is split into the same number of ``|`` segments
  (``中|美`` -> ``CHN|USA``; ``对|华`` -> ``-|CHN``).
- ``lang``: the language the alias belongs to, or ``*`` (any language).
- ``kind``: ``name formal short capital seat abbr adj demonym combining compound block``.
- ``flags`` (comma-separated): ``cap`` (original must start upper-case), ``upper`` (no
  lower-case letters: ``US`` not ``us``), ``nocase``; when none of the three is given the
  case rule comes from the alias itself (``ABC`` -> upper, ``Abc`` -> cap, ``abc`` -> none).
  ``person``, ``georgia``, ``oman``, ``amman``, ``misr`` and ``hodu`` turn on context rules
  (``rules.py``); ``hyphen`` requires a
  following ``-`` (``sino-``); ``hint`` uses the alias only when the caller's ``lang``
  says so; ``isolated`` (a lone Han character in a Korean headline) needs non-CJK
  neighbours; ``noinfl`` disables inflection; ``exact`` needs the text's diacritics to match
  the alias's (Vietnamese ``Mỹ`` is not English ``My``; every Vietnamese alias gets it).
  On blockers: ``kilang`` (a Swahili Ki- language name, off after an associative
  connector: ``watalii wa Kichina`` is "Chinese tourists") and ``mali`` (Polish "mali",
  small, on only before a masculine-personal plural: ``Mali chłopcy``).
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from .codes import COUNTRIES
from .inflect import KO_PARTICLES, expand
from .inflect_more import LANGS as MORE_LANGS
from .normalize import normalize_alias

HERE = Path(__file__).parent
TABLES: tuple[Path, ...] = (HERE / "aliases_extra.tsv", HERE / "aliases_more.tsv", HERE / "aliases.tsv")
COLUMNS = ("country", "lang", "alias", "kind", "flags", "source")
KINDS = frozenset(
    {"name", "formal", "short", "capital", "seat", "abbr", "adj", "demonym", "combining", "compound", "block"}
)
FLAGS = frozenset(
    {
        "cap",
        "upper",
        "nocase",
        "person",
        "georgia",
        "hyphen",
        "hint",
        "isolated",
        "noinfl",
        "oman",
        "amman",
        "misr",
        "hodu",
        "exact",
        "kilang",
        "mali",
    }
)
# Languages whose diacritics carry the meaning: every alias of theirs gets the ``exact`` flag.
EXACT_LANGS = frozenset({"vi"})


class Entry(NamedTuple):
    """One way of matching a stem: what it names and what must surround it. (A named tuple: the
    cached index makes ~10^5 of them at start-up, several times faster than a frozen dataclass.)"""

    countries: tuple[str, ...]  # one per segment; "-" = no country
    seg_lens: tuple[int, ...]  # normalised length of each segment (last one absorbs the tail)
    lang: str
    kind: str
    case: str  # "cap", "upper" or ""
    flags: frozenset[str]
    endings: frozenset[str]
    tail_in_span: bool
    order: int
    alias: str


def _case_rule(alias: str, flags: set[str]) -> str:
    for rule in ("cap", "upper"):
        if rule in flags:
            return rule
    if "nocase" in flags:
        return ""
    letters = [c for c in alias if c.isalpha()]
    if not letters or not any(c.isupper() or c.islower() for c in letters):
        return ""  # uncased script
    if len(letters) >= 2 and all(c.isupper() for c in letters if c.isupper() or c.islower()):
        return "upper"
    return "cap" if letters[0].isupper() else ""


def read_rows(path: Path) -> list[dict[str, str]]:
    """Rows of one alias TSV as dicts; raises ``ValueError`` naming the bad line."""
    rows: list[dict[str, str]] = []
    with path.open(encoding="utf-8") as fh:
        header = fh.readline().rstrip("\n").split("\t")
        if tuple(header) != COLUMNS:
            raise ValueError(f"{path}: expected columns {list(COLUMNS)}, found {header}")
        for lineno, line in enumerate(fh, start=2):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            cells = line.split("\t")
            if len(cells) != len(COLUMNS):
                raise ValueError(f"{path}:{lineno}: expected {len(COLUMNS)} tab-separated cells, got {cells}")
            row = dict(zip(COLUMNS, cells, strict=True))
            _validate(row, f"{path}:{lineno}")
            rows.append(row)
    return rows


def _validate(row: dict[str, str], where: str) -> None:
    codes = row["country"].split("|")
    bad = [c for c in codes if c != "-" and c not in COUNTRIES]
    if bad:
        raise ValueError(f"{where}: unknown country code(s) {bad} in {row['country']!r}")
    if row["kind"] not in KINDS:
        raise ValueError(f"{where}: unknown kind {row['kind']!r}; expected one of {sorted(KINDS)}")
    flags = {f for f in row["flags"].split(",") if f}
    if flags - FLAGS:
        raise ValueError(f"{where}: unknown flag(s) {sorted(flags - FLAGS)}; expected {sorted(FLAGS)}")
    if len(codes) != row["alias"].count("|") + 1:
        raise ValueError(f"{where}: {len(codes)} countries for alias segments {row['alias']!r}")
    if not row["source"]:
        raise ValueError(f"{where}: empty source")


def build_index(paths: tuple[Path, ...] = TABLES) -> dict[str, list[Entry]]:
    """Map each normalised stem to the entries that may match there (in priority order)."""
    rows: list[dict[str, str]] = []
    for path in paths:
        rows.extend(read_rows(path))
    # Blockers first so that a blocker wins a tie with the alias it blocks; then file order.
    rows.sort(key=lambda r: r["kind"] != "block")
    index: dict[str, list[Entry]] = {}
    seen: set[tuple[str, tuple[str, ...], str, frozenset[str], str, frozenset[str]]] = set()
    for order, row in enumerate(rows):
        flags = {f for f in row["flags"].split(",") if f}
        if row["lang"] in EXACT_LANGS:
            flags.add("exact")
        segments = [normalize_alias(s) for s in row["alias"].split("|")]
        norm = "".join(segments)
        if not norm.strip():
            continue
        countries = tuple(row["country"].split("|"))
        kind, lang = row["kind"], row["lang"]
        if len(segments) > 1 and lang == "ko":
            pairs = [(norm, KO_PARTICLES)]
        elif len(segments) > 1 and lang in MORE_LANGS and "noinfl" not in flags:
            # a glued compound of the 30 newer languages inflects its last word as an
            # adjective (Greek ελληνο|αλβανικός -> ελληνοαλβανικά, ελληνοαλβανικής)
            head = "".join(segments[:-1])
            pairs = [(norm, frozenset({""}))] + [
                (head + stem, endings) for stem, endings in expand(lang, "adj", segments[-1])
            ]
        elif "noinfl" in flags or len(segments) > 1:
            pairs = [(norm, frozenset({""}))]
        else:
            pairs = expand(lang, kind, norm)
        # the same for every form of the row
        case = _case_rule(row["alias"].split("|")[0], flags)
        frozen_flags = frozenset(flags)
        head_len = sum(len(s) for s in segments[:-1])
        head_lens = tuple(len(s) for s in segments[:-1])
        for stem, endings in pairs:
            key = (stem, countries, lang, endings, case, frozen_flags)
            if key in seen:
                continue
            seen.add(key)
            index.setdefault(stem, []).append(
                Entry(
                    countries=countries,
                    seg_lens=head_lens + (len(stem) - head_len,),
                    lang=lang,
                    kind=kind,
                    case=case,
                    flags=frozen_flags,
                    endings=endings,
                    tail_in_span=endings is not KO_PARTICLES,
                    order=order,
                    alias=row["alias"],
                )
            )
    return index
