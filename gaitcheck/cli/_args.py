"""Helpers shared by the CLI's commands: argument types, the progress bar, output checks."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from ..config import TURNS, Config
from ..errors import ConfigError

__all__ = ["add_turn", "check_outputs", "frame_progress", "height_cm", "turned_config", "walker_point"]


def walker_point(text: str) -> tuple[float, float, float]:
    try:
        x, y, t = (float(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected X,Y,T (e.g. 0.7,0.6,3.5), got {text!r}") from None
    if not (0 <= x <= 1 and 0 <= y <= 1 and t >= 0):
        raise argparse.ArgumentTypeError("X and Y are fractions of the frame (0..1), T is seconds (>= 0)")
    return x, y, t


def height_cm(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a height in centimetres, got {text!r}") from None
    if not 50 <= v <= 250:
        raise argparse.ArgumentTypeError(f"a height of {v:g} cm is not plausible (50-250)")
    return v


def add_turn(p: argparse.ArgumentParser) -> None:
    """The ``--turn`` option: turn the video before the analysis (the config's ``pose.turn``)."""
    p.add_argument("--turn", choices=TURNS, metavar="{auto,0,90,180,270}",
                   help="turn the video this many degrees clockwise first, for a clip whose rotation was lost "
                        "(default: the config's pose.turn, auto: turned only when everyone lies across the "
                        "picture; 0: never)")


def turned_config(cfg: Config, turn: str | None) -> Config:
    """``cfg`` with ``--turn`` applied (None: as the config says)."""
    return cfg if turn is None else cfg.with_overrides("pose", turn=turn)


@contextmanager
def frame_progress(enabled: bool, label: str = "analysing") -> Iterator[Callable[[int, int], None]]:
    """A rich progress bar on stderr (frames done, time left); yields the ``progress(done, total)`` callback.

    Nothing is drawn when disabled or when stderr is not a terminal.
    """
    console = Console(stderr=True)
    if not enabled or not console.is_terminal:
        yield lambda done, total: None
        return
    with Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TextColumn("frames"),
                  TimeRemainingColumn(), console=console, transient=True) as bar:
        task = bar.add_task(label, total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total or None)


def check_outputs(video: str, outputs: Sequence[str | None]) -> None:
    src = Path(video).resolve()
    for out in outputs:
        if out is None:
            continue
        p = Path(out).resolve()
        if p == src:
            raise ConfigError(f"refusing to overwrite the input video with a report: {out}")
        if not p.parent.is_dir():
            raise ConfigError(f"the folder for {out} does not exist")


