"""The ``diplostance`` command: a thin dispatcher over typed Python functions.

Each subcommand lives next to the code it wraps and registers itself through a
``register(subparsers)`` function. The training package contributes ``train`` and
``evaluate`` through the ``diplostance.commands`` entry-point group, so this
package never imports ``training``.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import gc
import importlib
import logging
import os
import sys
import threading
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


# The cyclic GC's thresholds for a command-line run: the default (700, 10, 10) runs a full collection
# over every live object (torch and transformers hold ~500,000) several times while the modules, the
# model and the country matcher load: about a CPU second of ``diplostance score``'s start-up
# (benchmarks/results/startup.md). Reference counting still frees everything that is not a cycle.
CLI_GC_THRESHOLDS = (100_000, 20, 100)


def main(argv: Sequence[str] | None = None) -> int:
    thresholds = gc.get_threshold()
    gc.set_threshold(*CLI_GC_THRESHOLDS)  # the command's run only: the library leaves the GC alone
    try:
        return _main(argv)
    finally:
        gc.set_threshold(*thresholds)


def _main(argv: Sequence[str] | None) -> int:
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


def run() -> None:
    """The ``diplostance`` executable: :func:`main`, then :func:`exit_without_teardown`."""
    code = main()
    if os.environ.get("DIPLOSTANCE_FAST_EXIT", "1") == "0":
        raise SystemExit(code)
    exit_without_teardown(code)


def exit_without_teardown(code: int) -> None:
    """End the process once the command's work is done, without the interpreter's teardown.

    Tearing down a process that holds torch, transformers, a tokenizer and the country matcher (about
    600,000 objects) costs ~1.5 s after the last row is written: clearing every module, freeing every
    object, a last full collection. Nothing of it reaches the user, so a command-line run skips it:
    stop idle thread pools and wait for non-daemon threads (as the normal exit does), run the ``atexit``
    handlers (logging, Ray, tqdm flush and shut down there), flush the standard streams, then
    ``os._exit``. Files the commands write are closed before they return. ``DIPLOSTANCE_FAST_EXIT=0``
    keeps the normal exit.
    """
    # What the interpreter's own exit does first: stop idle thread pools, then join non-daemon threads.
    shutdown = getattr(threading, "_shutdown", None)
    if shutdown is not None and threading.current_thread() is threading.main_thread():
        shutdown()
    else:  # pragma: no cover - other Pythons, or called off the main thread
        for thread in threading.enumerate():
            if thread is not threading.current_thread() and not thread.daemon:
                thread.join()
    atexit._run_exitfuncs()
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed or broken pipe: nothing more to write
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    run()
