"""``gaitcheck analyze VIDEO``: analyse one walking clip, print the verdicts, write reports and evidence."""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..config import Config, load_config
from ..errors import ConfigError
from ..pipeline import analyze
from ..report import write_csv, write_json
from ._args import add_turn, check_outputs, frame_progress, height_cm, turned_config, walker_point
from ._records import add_db, open_db
from ._summary import format_summary

if TYPE_CHECKING:
    from ..records import RecordStore


def register(sub: Any) -> None:
    """Add the ``analyze`` command and its options to the CLI."""
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
    add_turn(a)
    a.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    rec = a.add_argument_group("patient records", "save the session in the records database (see gaitcheck history)")
    rec.add_argument("--patient", type=patient_code, metavar="CODE",
                     help="save this analysis as a session of the patient with this code (a pseudonym, e.g. P-0042)")
    rec.add_argument("--patient-name", metavar="NAME", help="the patient's display name (stored with the code)")
    rec.add_argument("--note", metavar="TEXT", help="the therapist's note on this session")
    rec.add_argument("--recorded-at", type=recorded_at, metavar="WHEN",
                     help="when the clip was recorded, e.g. 2026-03-14 or 2026-03-14T10:30 (default: the clip's own "
                          "creation time, else its file time)")
    rec.add_argument("--keep-video", action="store_true",
                     help="store the clip itself too (by default only its sha256 is kept)")
    add_db(rec)
    a.set_defaults(run=run)


def patient_code(text: str) -> str:
    """Argument type: a patient code as the records store accepts it."""
    from ..records.sessions import check_code

    try:
        return check_code(text)
    except ConfigError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def recorded_at(text: str) -> datetime:
    """Argument type: when the clip was filmed (ISO date or date and time)."""
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date or date and time (e.g. 2026-03-14T10:30), got {text!r}"
                                         ) from None


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
    """Run ``analyze``: score one clip, write what was asked for, print the summary; return the exit code."""
    check_outputs(args.video, [args.json, args.csv, args.annotated, args.pdf])
    _check_distinct(args)
    if args.patient is None and any(getattr(args, k) for k in ("patient_name", "note", "recorded_at", "keep_video")):
        raise ConfigError("--patient-name, --note, --recorded-at and --keep-video need --patient CODE")
    cfg = turned_config(load_config(args.config), args.turn)
    store = open_db(args) if args.patient else None  # a bad or newer database fails before the analysis
    try:
        return _analyse(args, cfg, store)
    finally:
        if store is not None:
            store.close()


def _analyse(args: argparse.Namespace, cfg: Config, store: RecordStore | None) -> int:
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
    if store is not None:
        session = store.add(report, args.patient, video=args.video, note=args.note, display_name=args.patient_name,
                            recorded_at=args.recorded_at, keep_video=args.keep_video)
        print(f"\nSaved as session {session.id} of patient {session.patient} (recorded "
              f"{session.recorded_at:%Y-%m-%d %H:%M} UTC) in {store.where}")
    return 0
