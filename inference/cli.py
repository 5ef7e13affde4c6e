"""The ``diplostance`` command: a thin dispatcher over typed Python functions.

Each subcommand lives next to the code it wraps and registers itself through a
``register(subparsers)`` function. The training package contributes ``train`` and
``evaluate`` through the ``diplostance.commands`` entry-point group, so this
package never imports ``training``.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from importlib.metadata import entry_points

# "module:function" of each built-in subcommand's register function.
BUILTIN_COMMANDS: tuple[str, ...] = (
    "inference.countries.cli:register",
    "inference.batch.cli:register_score",
    "inference.batch.cli:register_report",
    "inference.encoder:register_cli",
)

Register = Callable[[argparse._SubParsersAction], None]


def _load(spec: str) -> Register | None:
    module_name, _, attr = spec.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as err:
        # A subcommand whose module is not present (optional part) is simply absent.
        if err.name and module_name.startswith(err.name):
            return None
        raise
    return getattr(module, attr)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="diplostance",
        description="Multilingual stance and sentiment toward countries in news.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    registers = [_load(spec) for spec in BUILTIN_COMMANDS]
    registers += [ep.load() for ep in entry_points(group="diplostance.commands")]
    for register in registers:
        if register is not None:
            register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra and not getattr(args, "accepts_overrides", False):
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    args.overrides = extra
    try:
        result = args.func(args)
    except KeyboardInterrupt as err:  # the scorer's message says what was saved and how to resume
        print(str(err) or "interrupted", file=sys.stderr)
        return 130
    except (ValueError, OSError) as err:
        if os.environ.get("DIPLOSTANCE_DEBUG"):
            raise
        print(f"diplostance {args.command}: error: {err}", file=sys.stderr)
        return 2
    return int(result or 0)


if __name__ == "__main__":
    raise SystemExit(main())
