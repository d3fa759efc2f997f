"""The ``gaitcheck`` command line: a thin layer over the library.

Each command lives in its own module of this package (listed in ``COMMANDS``). Exit codes: 0 = done,
1 = the input could not be analysed (bad video, no walker, model problem), 2 = usage or
configuration error, 130 = interrupted. Errors are one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from typing import NoReturn

from .._version import version
from ..errors import ConfigError, GaitcheckError
from . import analyze, batch, compare, export, forget, history, patients, rescore, serve
from ._summary import format_summary

__all__ = ["format_summary", "main"]


#: The commands, in the order ``gaitcheck --help`` lists them. A command module defines
#: ``register(subparsers)``, which adds its parser with ``set_defaults(run=run)``, where
#: ``run(args) -> int`` returns the exit code and raises GaitcheckError for bad input.
COMMANDS = (analyze, batch, rescore, compare, patients, history, export, forget, serve)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, exit 2 (argparse's default prints usage too)
        sys.stderr.write(f"gaitcheck: error: {message} (see {self.prog} --help)\n")
        raise SystemExit(2)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="gaitcheck", description="Check walking posture from a video: look ahead, don't slouch.")
    p.add_argument("--version", action="version", version=f"gaitcheck {version()}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for command in COMMANDS:
        command.register(sub)
    return p


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # SIGTERM (e.g. `kill`, a job scheduler) stops cleanly, like Ctrl-C


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (see the module docstring)."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # usage errors, --help and --version: return the code instead of exiting
        return exc.code if isinstance(exc.code, int) else 2
    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _interrupt) if in_main else None
    try:
        return _run(args)
    finally:
        if in_main:
            signal.signal(signal.SIGTERM, previous)


def _run(args: argparse.Namespace) -> int:
    try:
        code: int = args.run(args)
        return code
    except ConfigError as exc:
        print(f"gaitcheck: error: {exc}", file=sys.stderr)
        return 2
    except GaitcheckError as exc:
        print(f"gaitcheck: error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # output piped into e.g. `head`, which stopped reading: not an error
        sys.stdout = None  # nothing more can be written there
        return 0
    except OSError as exc:  # writing a report failed (disk full, permissions)
        print(f"gaitcheck: error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("gaitcheck: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
