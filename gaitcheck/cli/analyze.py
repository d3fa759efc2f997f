"""``gaitcheck analyze VIDEO``: analyse one walking clip, print the verdicts, write reports and evidence."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..config import load_config
from ..errors import ConfigError
from ..pipeline import analyze
from ..report import write_csv, write_json
from ._args import check_outputs, frame_progress, height_cm, walker_point
from ._summary import format_summary


def register(sub: Any) -> None:
    a = sub.add_parser("analyze", help="analyse one walking clip",
                       description="Analyse one walking clip and print the verdicts; optionally write reports, "
                                   "an annotated video and a PDF report.")
    a.add_argument("video", help="the video file (never modified)")
    a.add_argument("--json", metavar="REPORT.json", help="write the full report as JSON")
    a.add_argument("--csv", metavar="FRAMES.csv", help="write the per-frame measures as CSV")
    a.add_argument("--annotated", metavar="OUT.mp4",
                   help="write the clip with the skeleton, head and trunk lines, gaze point, flags and a timeline "
                        "(H.264 MP4)")
    a.add_argument("--pdf", metavar="REPORT.pdf", help="write a one-to-two-page PDF report for the therapist")
    a.add_argument("--compare", metavar="OLD.json",
                   help="compare with an earlier session's JSON report (printed, and added to --pdf)")
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


def _check_distinct(args: argparse.Namespace) -> None:
    """Refuse two outputs on one file, or an output on the report given to --compare."""
    outputs = [(opt, getattr(args, opt)) for opt in ("json", "csv", "annotated", "pdf") if getattr(args, opt)]
    seen: dict[Path, str] = {}
    if args.compare:
        seen[Path(args.compare).resolve()] = "--compare"
    for opt, path in outputs:
        p = Path(path).resolve()
        if p in seen:
            raise ConfigError(f"--{opt} and {seen[p]} name the same file: {path}")
        seen[p] = f"--{opt}"


def run(args: argparse.Namespace) -> int:
    check_outputs(args.video, [args.json, args.csv, args.annotated, args.pdf])
    _check_distinct(args)
    cfg = load_config(args.config)
    old = None
    if args.compare:  # read it before the long analysis: a bad file fails at once
        from ..compare import load_report

        old = load_report(args.compare)
    with frame_progress(not args.quiet) as progress:
        report = analyze(args.video, cfg, model=args.model, height_cm=args.height_cm, track_id=args.track,
                         walker_point=args.walker_at, progress=progress, quiet=True)  # no C++ log lines
    print(format_summary(report))
    if args.json:
        write_json(report, args.json)
        print(f"\nReport written to {args.json}")
    if args.csv:
        write_csv(report, args.csv)
        print(f"Per-frame measures written to {args.csv}")
    if old is not None:
        from ..compare import compare_reports, format_comparison

        print(f"\nCompared with {args.compare}:\n")
        print(format_comparison(compare_reports(old, report)))
    if args.annotated:
        from ..evidence.video import write_annotated_video

        with frame_progress(not args.quiet, label="drawing") as progress:
            write_annotated_video(args.video, report, args.annotated, progress=progress)
        print(f"Annotated video written to {args.annotated}")
    if args.pdf:
        from ..evidence.pdf.report import write_pdf_report

        write_pdf_report(report, args.pdf, video=args.video, compare_to=old)
        print(f"PDF report written to {args.pdf}")
    return 0
