"""``diplostance countries find TEXT``, ``countries languages`` and ``countries eval FILE...``."""

from __future__ import annotations

import argparse
import json
import sys

from . import find_countries
from .evaluate import evaluate, print_report


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("countries", help="find the countries a text names; score a gold file")
    sub = parser.add_subparsers(dest="countries_command", required=True, metavar="ACTION")

    find = sub.add_parser("find", help="print the country mentions of TEXT as JSON lines")
    find.add_argument("text", help="the text to search")
    find.add_argument("--lang", default=None, help="language hint (ISO 639-1), optional")
    find.set_defaults(func=_find)

    langs = sub.add_parser("languages", help="list the languages with a country table and their aliases")
    langs.set_defaults(func=_languages)

    ev = sub.add_parser("eval", help="precision/recall per language of the country sets in gold JSONL files")
    ev.add_argument("files", nargs="+", help="JSONL files with id, lang, text, gold")
    ev.add_argument("--no-lang", action="store_true", help="do not pass each line's lang as a hint")
    ev.add_argument("--errors", action="store_true", help="also list the sentences with errors")
    ev.add_argument("--json", action="store_true", help="print the full result as JSON")
    ev.set_defaults(func=_eval)


def _find(args: argparse.Namespace) -> int:
    for m in find_countries(args.text, args.lang):
        print(
            json.dumps(
                {"country": m.country, "start": m.start, "end": m.end, "text": m.text}, ensure_ascii=False
            )
        )
    return 0


def _languages(args: argparse.Namespace) -> int:
    from collections import Counter

    from . import LANGUAGES, get_matcher

    counts: Counter[str] = Counter()
    for entries in get_matcher().index.values():
        counts.update(e.lang for e in entries if e.kind != "block")
    print(
        f"{len(LANGUAGES)} languages with a country table (stems per language; others: all tables, a warning):"
    )
    for lang in sorted(LANGUAGES):
        print(f"{lang}\t{counts[lang]}")
    return 0


def _eval(args: argparse.Namespace) -> int:
    result = evaluate(args.files, use_lang=not args.no_lang)
    if args.json:
        json.dump(result, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        print_report(result, sys.stdout, show_errors=args.errors)
    return 0
