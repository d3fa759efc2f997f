"""``gaitcheck analyze VIDEO``: analyse one walking clip, print the verdicts, write reports."""

from __future__ import annotations

import argparse
from typing import Any

from .._cliutil import check_outputs, frame_progress, height_cm, walker_point
from ..config import load_config
from ..pipeline import analyze
from ..report import write_csv, write_json
from ..summary import format_summary


def register(sub: Any) -> None:
    a = sub.add_parser("analyze", help="analyse one walking clip",
                       description="Analyse one walking clip and print the verdicts; optionally write reports.")
    a.add_argument("video", help="the video file (never modified)")
    a.add_argument("--json", metavar="REPORT.json", help="write the full report as JSON")
    a.add_argument("--csv", metavar="FRAMES.csv", help="write the per-frame measures as CSV")
    a.add_argument("--config", metavar="gaitcheck.toml", help="thresholds and settings (see gaitcheck.example.toml)")
    a.add_argument("--model", metavar="PATH.task",
                   help="another PoseLandmarker model (default: the bundled one, or $GAITCHECK_MODEL)")
    a.add_argument("--height-cm", type=height_cm, metavar="N", help="the walker's height, for the gaze distance")
    who = a.add_mutually_exclusive_group()
    who.add_argument("--track", type=int, metavar="ID", help="choose this tracked person as the walker")
    who.add_argument("--walker-at", type=walker_point, metavar="X,Y,T",
                     help="choose the person nearest this point (fractions of the frame) at T seconds")
    a.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    a.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    check_outputs(args.video, [args.json, args.csv])
    cfg = load_config(args.config)
    with frame_progress(not args.quiet) as progress:
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
