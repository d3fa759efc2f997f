"""The CLI's commands, one module each.

A command module defines ``register(subparsers)``, which adds its parser and sets ``run`` as the
default: ``parser.set_defaults(run=run)`` where ``run(args: argparse.Namespace) -> int`` returns
the exit code. :mod:`gaitcheck.cli` finds every module here; a new command is a new file.
Commands raise :class:`gaitcheck.GaitcheckError` for bad input; the CLI turns it into one line.
"""
