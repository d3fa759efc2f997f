"""The ``gaitcheck`` command line: a thin layer over :func:`gaitcheck.analyze`.

Exit codes: 0 = analysed, 1 = the input could not be analysed (bad video, no walker, model
problem), 2 = usage or configuration error, 130 = interrupted. Errors are one line on stderr.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from .config import load_config
from .errors import ConfigError, GaitcheckError
from .pipeline import _version, analyze
from .report import Report, write_csv, write_json

__all__ = ["format_summary", "main"]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, exit 2 (argparse's default prints usage too)
        sys.stderr.write(f"gaitcheck: error: {message} (see {self.prog} --help)\n")
        raise SystemExit(2)


def _point(text: str) -> tuple[float, float, float]:
    try:
        x, y, t = (float(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected X,Y,T (e.g. 0.7,0.6,3.5), got {text!r}") from None
    if not (0 <= x <= 1 and 0 <= y <= 1 and t >= 0):
        raise argparse.ArgumentTypeError("X and Y are fractions of the frame (0..1), T is seconds (>= 0)")
    return x, y, t


def _height(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a height in centimetres, got {text!r}") from None
    if not 50 <= v <= 250:
        raise argparse.ArgumentTypeError(f"a height of {v:g} cm is not plausible (50-250)")
    return v


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="gaitcheck", description="Check walking posture from a video: look ahead, don't slouch.")
    p.add_argument("--version", action="version", version=f"gaitcheck {_version()}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    a = sub.add_parser("analyze", help="analyse one walking clip",
                       description="Analyse one walking clip and print the verdicts; optionally write reports.")
    a.add_argument("video", help="the video file (never modified)")
    a.add_argument("--json", metavar="REPORT.json", help="write the full report as JSON")
    a.add_argument("--csv", metavar="FRAMES.csv", help="write the per-frame measures as CSV")
    a.add_argument("--config", metavar="gaitcheck.toml", help="thresholds and settings (see gaitcheck.example.toml)")
    a.add_argument("--model", metavar="PATH.task",
                   help="another PoseLandmarker model (default: the bundled one, or $GAITCHECK_MODEL)")
    a.add_argument("--height-cm", type=_height, metavar="N", help="the walker's height, for the gaze distance")
    who = a.add_mutually_exclusive_group()
    who.add_argument("--track", type=int, metavar="ID", help="choose this tracked person as the walker")
    who.add_argument("--walker-at", type=_point, metavar="X,Y,T",
                     help="choose the person nearest this point (fractions of the frame) at T seconds")
    a.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    return p


@contextmanager
def _progress(enabled: bool) -> Iterator[Progress | None]:
    console = Console(stderr=True)
    if not enabled or not console.is_terminal:
        yield None
        return
    with Progress(TextColumn("analysing"), BarColumn(), MofNCompleteColumn(), TextColumn("frames"),
                  TimeRemainingColumn(), console=console, transient=True) as bar:
        yield bar


def _check_outputs(video: str, outputs: Sequence[str | None]) -> None:
    src = Path(video).resolve()
    for out in outputs:
        if out is None:
            continue
        p = Path(out).resolve()
        if p == src:
            raise ConfigError(f"refusing to overwrite the input video with a report: {out}")
        if not p.parent.is_dir():
            raise ConfigError(f"the folder for {out} does not exist")


def format_summary(report: Report) -> str:
    """The short human summary the CLI prints."""
    d = report.to_dict()
    v, s = d["video"], d["subject"]
    lines = [f"{Path(v['path']).name}: {v['duration_s']:.1f} s, {v['frame_count']} frames at {v['fps']:.1f} fps, "
             f"{v['width']}x{v['height']}",
             f"view: {d['view']}; walker: track {s['track_id']}, found in {s['detection_rate']:.0%} of frames, "
             f"{s['analysable_s']:.1f} s of walking usable", ""]
    la, sl = d["checks"]["look_ahead"], d["checks"]["slouch"]

    def num(x: float | None, fmt: str, unit: str = "") -> str:
        return "unknown" if x is None else format(x, fmt) + unit

    pitch, gaze = la["median_head_pitch_deg"], la.get("median_gaze_distance_m")
    if pitch is None:
        la_nums = "head pitch unknown"
    else:
        where = "at or above the horizon" if gaze is None else f"at the floor {gaze:.1f} m ahead"
        la_nums = f"head pitch {pitch:.0f}° (median, + = down), points {where}"
    sl_nums = (f"trunk lean {num(sl['median_trunk_lean_deg'], '.0f', '°')} (+ = forward), forward head "
               f"{num(sl.get('median_forward_head_rel'), '.2f')} of trunk length")
    rows = [("Look ahead", la, la_nums), ("Slouch", sl, sl_nums)]
    for name, c, nums in rows:
        frac = "" if c["flagged_fraction"] is None else f", flagged {c['flagged_fraction']:.0%} of the time"
        lines.append(f"{name:<11} {c['status'].upper():<8} {nums}{frac}")
        lines.append(f"{'':<20} {c['feedback']}")
    if d["warnings"]:
        lines += ["", "Notes:"] + [f"  - {w}" for w in d["warnings"]]
    lines += ["", "This is feedback on how you walk, not a diagnosis."]
    return "\n".join(lines)


def _analyze(args: argparse.Namespace) -> int:
    _check_outputs(args.video, [args.json, args.csv])
    cfg = load_config(args.config)
    with _progress(not args.quiet) as bar:
        task = bar.add_task("analysing", total=None) if bar is not None else None

        def progress(done: int, total: int) -> None:
            if bar is not None and task is not None:
                bar.update(task, completed=done, total=total or None)

        report = analyze(args.video, cfg, model=args.model, height_cm=args.height_cm, track_id=args.track,
                         walker_point=args.walker_at, progress=progress)
    print(format_summary(report))
    if args.json:
        write_json(report, args.json)
        print(f"\nReport written to {args.json}")
    if args.csv:
        write_csv(report, args.csv)
        print(f"Per-frame measures written to {args.csv}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (see the module docstring)."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # usage errors, --help and --version: return the code instead of exiting
        return exc.code if isinstance(exc.code, int) else 2
    try:
        if args.command == "analyze":
            return _analyze(args)
        return 2  # pragma: no cover - argparse rejects unknown commands
    except ConfigError as exc:
        print(f"gaitcheck: error: {exc}", file=sys.stderr)
        return 2
    except GaitcheckError as exc:
        print(f"gaitcheck: error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # writing a report failed (disk full, permissions)
        print(f"gaitcheck: error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("gaitcheck: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
