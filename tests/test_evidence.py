"""Evidence for the therapist, on synthetic data (fast): overlays, the annotated-video writer, the PDF
and the session comparison. The same outputs on real clips are tested in test_evidence_real.py."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from _synth import make_extraction, make_walker

import gaitcheck
from gaitcheck import cli
from gaitcheck.compare import compare_reports, format_comparison, load_report
from gaitcheck.errors import InputError
from gaitcheck.evidence.draw import FLAG_RED, annotate_frame, thumbnail, timeline_strip
from gaitcheck.evidence.keyframes import choose_key_frames, crop_size, fewer_key_frames
from gaitcheck.evidence.marks import clip_overlay, gaze_points
from gaitcheck.evidence.pdf.report import DISCLAIMER, render_pages, write_pdf_report
from gaitcheck.evidence.video import write_annotated_video
from gaitcheck.gait import GaitResult
from gaitcheck.landmarks import Landmark as L
from gaitcheck.report import Report

try:
    from tests import _clips as clips
except ImportError:  # tests/ is not a package: pytest put it on sys.path
    import _clips as clips  # type: ignore[no-redef]

SIZE = (1280, 720)


def synthetic_report(head_pitch_deg: float = 0.0, *, t: np.ndarray | None = None, frame_size=SIZE, scale=1.0,
                     speed_px_s=250.0, trunk_lean_deg: float = 0.0) -> gaitcheck.Report:
    times = np.arange(90) / 30 if t is None else t
    walker = make_walker(t=times, head_pitch_deg=head_pitch_deg, trunk_lean_deg=trunk_lean_deg,
                         frame_size=frame_size, scale=scale, speed_px_s=speed_px_s,
                         start_x=frame_size[0] * 0.2)
    return gaitcheck.score(make_extraction(walker, frame_size=frame_size))


def red_fraction(img: np.ndarray, border: int) -> float:
    """Share of strongly red pixels in a ring ``border`` pixels wide along the left, right and top edges,
    away from the corners (where the caption sits)."""
    h, w = img.shape[:2]
    b = max(2, border - 2)
    ring = np.concatenate([img[h // 4 : 3 * h // 4, 1:b].reshape(-1, 3), img[h // 4 : 3 * h // 4, w - b : w - 1]
                           .reshape(-1, 3), img[1:b, w // 2 : 3 * w // 4].reshape(-1, 3)]).astype(int)
    red = (ring[:, 0] > 150) & (ring[:, 1] < 90) & (ring[:, 2] < 90)
    return float(red.mean())


def pdf_text(path: Path) -> tuple[int, str]:
    pypdf = pytest.importorskip("pypdf")
    reader = pypdf.PdfReader(str(path))
    return len(reader.pages), "\n".join(p.extract_text() for p in reader.pages)


# ---- overlay data ----------------------------------------------------------------------------------

def test_gaze_point_lies_on_the_floor_ahead_at_the_walkers_scale():
    # eye 300 px above the floor (y=600), eye height 1.5 m -> 200 px/m; gaze 2 m -> 400 px ahead
    px = np.full((5, 33, 2), np.nan)
    for lm in (L.LEFT_EYE, L.RIGHT_EYE):
        px[:, lm] = (500, 300)
    for lm in (L.LEFT_HEEL, L.RIGHT_HEEL):
        px[:, lm] = (480, 600)
    t = np.arange(5) / 30
    for facing, x in ((1.0, 900.0), (-1.0, 100.0)):
        pts, dirs = gaze_points(px, t, np.full(5, facing), np.full(5, 20.0), np.full(5, 2.0), 1.5, 15.0, 0.0, SIZE)
        np.testing.assert_allclose(pts, np.tile([x, 600.0], (5, 1)))
        assert np.all(np.sign(dirs[:, 0]) == facing) and np.all(dirs[:, 1] > 0)  # ahead and down
        np.testing.assert_allclose(np.degrees(np.arctan2(dirs[:, 1], np.abs(dirs[:, 0]))), 35.0)


def test_gaze_point_unknown_without_feet_or_distance():
    px = np.full((3, 33, 2), np.nan)
    px[:, [L.LEFT_EYE, L.RIGHT_EYE]] = (500, 300)
    pts, dirs = gaze_points(px, np.arange(3) / 30, np.ones(3), np.full(3, 10.0), np.full(3, 3.0), 1.5, 15.0, 0.0,
                            SIZE)
    assert np.isnan(pts).all() and np.isfinite(dirs).all()  # no floor: only the direction


def test_clip_overlay_follows_the_report():
    report = synthetic_report(30.0)
    clip = clip_overlay(report)
    assert len(clip) == len(report.frames) and clip.frame_size == SIZE
    assert clip.look_down.all() and not clip.slouch.any()
    marks = clip.frame(45)
    assert marks.captions == ("Looking down",)
    assert marks.head_pitch_deg == pytest.approx(report.frames.head_pitch_deg[45], abs=0.01)
    assert marks.head_pitch_deg == pytest.approx(30.0, abs=2.0)  # the anatomical head's pitch
    assert np.isfinite(marks.gaze_point).all() and marks.gaze_point[0] > marks.px[L.NOSE, 0]  # ahead (walks right)


def test_clip_overlay_needs_landmarks():
    report = synthetic_report()
    with pytest.raises(InputError, match="no landmarks"):
        clip_overlay(dataclasses.replace(report, series=None))


# ---- drawing ------------------------------------------------------------------------------------------

def test_flagged_frame_gets_a_red_border_and_unflagged_does_not():
    image = np.full((SIZE[1], SIZE[0], 3), 90, np.uint8)
    before = image.copy()
    flagged = annotate_frame(image, clip_overlay(synthetic_report(30.0)).frame(45))
    clean = annotate_frame(image, clip_overlay(synthetic_report(0.0)).frame(45))
    np.testing.assert_array_equal(image, before)  # the input is not drawn on
    assert flagged.shape == clean.shape == image.shape and flagged.dtype == np.uint8
    assert red_fraction(flagged, 12) > 0.9
    assert red_fraction(clean, 12) == 0.0
    assert tuple(flagged[SIZE[1] // 2, 3]) == FLAG_RED


def test_overlay_draws_skeleton_lines_and_numbers_near_the_walker():
    report = synthetic_report(0.0)
    marks = clip_overlay(report).frame(30)
    image = np.zeros((SIZE[1], SIZE[0], 3), np.uint8)
    out = annotate_frame(image, marks)
    hip = (marks.px[L.LEFT_HIP] + marks.px[L.RIGHT_HIP]) / 2
    sh = (marks.px[L.LEFT_SHOULDER] + marks.px[L.RIGHT_SHOULDER]) / 2
    mid = np.round((hip + sh) / 2).astype(int)
    assert out[mid[1] - 2 : mid[1] + 3, mid[0] - 2 : mid[0] + 3].max() > 100  # the trunk line
    drawn = out.any(axis=2)
    assert not drawn[:, :12].any() and not drawn[:12].any()  # no border; labels stay inside the frame


def test_timeline_strip_sits_at_the_bottom_with_a_moving_cursor():
    clip = clip_overlay(synthetic_report(30.0))
    strip = timeline_strip(clip)
    h = strip.image.shape[0]
    assert strip.top + h == SIZE[1] and 60 <= h <= SIZE[1] * 0.2
    image = np.zeros((SIZE[1], SIZE[0], 3), np.uint8)
    early = annotate_frame(image, clip.frame(5), t_s=float(clip.t[5]), strip=strip)
    late = annotate_frame(image, clip.frame(80), t_s=float(clip.t[80]), strip=strip)
    assert not early[100 : strip.top - 50, 20:90].any()  # above the strip, behind the walker: nothing
    assert (early[strip.top + strip.y_range[0] + 2, strip.x_range[0] + 40] > 60).any()  # shaded: flagged all along
    diff = np.nonzero((early[strip.top :] != late[strip.top :]).any(axis=2))[1]
    assert diff.size and strip.x_of(float(clip.t[5])) <= diff.max()  # the cursor moved
    with pytest.raises(ValueError, match="frame size"):
        annotate_frame(np.zeros((100, 100, 3), np.uint8), clip.frame(5), t_s=0.0, strip=strip)


def test_thumbnail_crops_around_a_small_walker():
    report = synthetic_report(0.0, scale=0.4)
    clip = clip_overlay(report)
    size = crop_size(clip.px[[10, 50]], clip.frame_size)
    assert size is not None and size[1] < SIZE[1] * 0.7
    img = thumbnail(np.zeros((SIZE[1], SIZE[0], 3), np.uint8), clip.frame(10), 400, crop=(0, 0, *size))
    assert img.shape[1] == 400 and img.any()


# ---- the annotated video (synthetic clip: no pose model) -----------------------------------------------

def probe(path: Path) -> tuple[str, str, int, tuple[int, int], list[float], bool]:
    with av.open(str(path)) as c:
        s = c.streams.video[0]
        frames = list(c.decode(video=0))
        times = [float(f.pts * f.time_base) for f in frames]
        return (s.codec_context.name, s.codec_context.pix_fmt, len(frames), (s.codec_context.width,
                s.codec_context.height), times, bool(c.streams.audio))


@pytest.mark.parametrize("vfr", [False, True], ids=["cfr", "vfr"])
def test_annotated_video_keeps_frames_and_timestamps(tmp_path, vfr):
    src = tmp_path / "walk.mp4"
    times = np.array(clips.make_clip(src, n_frames=60, size=(320, 192), vfr=vfr))
    report = synthetic_report(30.0, t=times, frame_size=(320, 192), scale=0.25, speed_px_s=60.0)
    out = tmp_path / "annotated.mp4"
    calls: list[tuple[int, int]] = []
    write_annotated_video(src, report, out, progress=lambda done, total: calls.append((done, total)))
    codec, pix, n, size, out_times, audio = probe(out)
    assert (codec, pix, n, size, audio) == ("h264", "yuv420p", 60, (320, 192), False)
    np.testing.assert_allclose(out_times, times, atol=1e-4)
    with av.open(str(out)) as c:  # the MPEG clock: every input time is a whole number of its ticks
        assert c.streams.video[0].time_base == Fraction(1, 90000)
    assert calls[-1] == (60, 60)
    assert out.read_bytes().find(b"moov") < out.read_bytes().find(b"mdat")  # +faststart
    assert not list(tmp_path.glob(".*tmp*"))  # no temporary file left


def test_annotated_video_is_upright_for_a_rotated_phone_clip(tmp_path):
    src = tmp_path / "portrait.mp4"
    clips.make_clip(src, n_frames=30, size=(96, 160), rotation=90)  # stored landscape, shown portrait
    report = synthetic_report(0.0, t=np.arange(30) / 30, frame_size=(96, 160), scale=0.1, speed_px_s=20.0)
    out = tmp_path / "annotated.mp4"
    write_annotated_video(src, report, out, timeline=False)
    with av.open(str(out)) as c:
        first = next(c.decode(video=0)).to_ndarray(format="rgb24")
    assert first.shape == (160, 96, 3)
    corners = clips.corner_means(first)
    assert corners["tl"] > 200 and max(corners["tr"], corners["bl"], corners["br"]) < 100  # the marker, top-left


def test_annotated_video_refuses_the_input_and_another_videos_report(tmp_path):
    src = tmp_path / "walk.mp4"
    clips.make_clip(src, n_frames=30, size=(320, 192))
    report = synthetic_report(t=np.arange(30) / 30, frame_size=(320, 192), scale=0.25, speed_px_s=60.0)
    with pytest.raises(InputError, match="overwrite the input"):
        write_annotated_video(src, report, src)
    other = synthetic_report(t=np.arange(30) / 30)  # 1280x720
    with pytest.raises(InputError, match="another video"):
        write_annotated_video(src, other, tmp_path / "out.mp4")
    longer = synthetic_report(t=np.arange(40) / 30, frame_size=(320, 192), scale=0.25, speed_px_s=60.0)
    with pytest.raises(InputError, match="another video"):
        write_annotated_video(src, longer, tmp_path / "out.mp4")
    assert not (tmp_path / "out.mp4").exists() and not list(tmp_path.glob(".*tmp*"))


# ---- key frames and the PDF --------------------------------------------------------------------------------

def test_key_frames_worst_moment_good_moment_and_spread():
    flagged = choose_key_frames(synthetic_report(30.0))
    assert 3 <= len(flagged) <= 6 and [k.label for k in flagged] == list("ABC"[: len(flagged)])
    assert any("worst moment" in k.title for k in flagged)
    clean = choose_key_frames(synthetic_report(0.0))
    assert len(clean) == 3 and any(k.title == "Good moment" for k in clean)
    assert [k.frame for k in clean] == sorted(k.frame for k in clean)
    assert len(fewer_key_frames(clean, 2)) == 2


def _clear_of_the_sides(report: gaitcheck.Report, frame: int, room: float) -> bool:
    """Whether the walker's landmarks keep ``room`` of their height (plus the body's 0.15) from both sides."""
    xy = report.series.pixels()[frame]
    height = float(np.ptp(xy[:, 1]))
    side = (0.15 + room) * height
    return bool(xy[:, 0].min() - side >= 0 and xy[:, 0].max() + side <= SIZE[0])


@pytest.mark.parametrize("pitch", [30.0, 0.0])
def test_key_frames_show_the_walker_clear_of_the_pictures_sides(pitch):
    # the walker crosses the whole picture, flagged or not all along: the worst moment (the peak is at the
    # walk's end, where the head bows most) and the good one are taken where the walker is clear of the sides
    t = np.arange(150) / 30
    common = {"t": t, "frame_size": SIZE, "scale": 0.5, "speed_px_s": 300.0, "start_x": -40.0}
    walker = make_walker(head_pitch_deg=pitch, **common)
    bowed = make_walker(head_pitch_deg=pitch + 8.0, **common)  # the head bows further in the last 0.5 s
    walker = tuple(np.concatenate([a[:135], b[135:]]) for a, b in zip(walker, bowed, strict=True))
    report = gaitcheck.score(make_extraction(walker, frame_size=SIZE))
    keys = choose_key_frames(report)
    assert keys and all(_clear_of_the_sides(report, k.frame, 0.25) for k in keys)
    if pitch:
        worst = next(k for k in keys if "worst moment" in k.title)
        peak = report.look_ahead.episodes[0].peak_frame
        assert not _clear_of_the_sides(report, peak, 0.25) and worst.frame < peak  # moved off the edge
    # the page's pictures follow the same rule
    from gaitcheck import ui
    moments = ui.verdict_moments(report, ui.cards(report.to_dict()))
    assert all(_clear_of_the_sides(report, m.frame, 0.25) for m in moments.values() if m is not None)


def test_key_frames_of_a_walker_never_clear_of_the_sides_are_taken_where_they_are_whole():
    # a tall walker in a narrow picture is never 0.25 of their height clear of both sides: whole is enough
    size = (400, 720)
    t = np.arange(90) / 30
    walker = make_walker(t=t, frame_size=size, scale=0.9, speed_px_s=40.0, start_x=150.0)
    report = gaitcheck.score(make_extraction(walker, frame_size=size))
    from gaitcheck.evidence.keyframes import whole_body_frames
    assert not whole_body_frames(report, 0.25).any() and whole_body_frames(report).any()
    keys = choose_key_frames(report)
    assert keys and all(whole_body_frames(report)[k.frame] for k in keys)


def test_the_head_label_is_not_hidden_under_the_flag_captions():
    # a flagged walker whose head is at the top left, where the "Looking down" caption is drawn
    from gaitcheck.evidence.draw import HEAD

    report = synthetic_report(30.0)
    marks = clip_overlay(report).frame(10)
    nose = marks.px[L.NOSE]
    marks = dataclasses.replace(marks, px=marks.px - nose + [40.0, 30.0])
    out = annotate_frame(np.zeros((SIZE[1], SIZE[0], 3), np.uint8), marks)
    assert marks.captions == ("Looking down",)
    red = (out[:, :, 0] > 200) & (out[:, :, 1] < 60) & (out[:, :, 2] < 60)
    rows, cols = np.nonzero(red[:150, 20:400])
    bottom, right = int(rows.max()), int(cols.max()) + 20  # the caption's box
    head = np.abs(out.astype(int) - HEAD).sum(axis=2) < 30
    label = head[bottom + 1 : bottom + 60, 20:right]
    assert label.sum() > 50  # the head's label was moved below the caption, readable


def write_pages(pages: Sequence, path: Path) -> None:
    from matplotlib import rc_context
    from matplotlib.backends.backend_pdf import PdfPages

    with rc_context({"pdf.fonttype": 42}), PdfPages(path) as pdf:
        for fig in pages:
            pdf.savefig(fig)


def test_pdf_without_video_and_without_gait(tmp_path):
    report = dataclasses.replace(synthetic_report(30.0), gait=None)
    out = tmp_path / "report.pdf"
    write_pages(render_pages(report), out)
    n, text = pdf_text(out)
    assert 1 <= n <= 2
    for words in (DISCLAIMER, "Look ahead", "Slouch", "FLAG", "Key numbers and their thresholds", "Over the clip",
                  "synthetic.mp4", "Thresholds used", "look_down_distance_m = 3", "synthetic.task"):
        assert words in text, words
    assert "Key moments" not in text and "Cadence" not in text and "Compared with" not in text


def test_pdf_shows_gait_numbers_when_present(tmp_path):
    gait = GaitResult.from_dict({"status": "flag", "reason": None, "steps": 12, "cadence_spm": 104.2,
                    "step_time_s": {"left": 0.55, "right": 0.61}, "step_time_asymmetry_pct": 10.3,
                    "stride_length_m": 1.21, "stride_length_rel_leg": 1.4, "foot_strike": "heel",
                    "overstride": {"status": "flag", "median_rel": 0.6, "feedback": "Shorter steps."},
                    "feedback": "Your steps land ahead of your body."})
    out = tmp_path / "report.pdf"
    write_pages(render_pages(dataclasses.replace(synthetic_report(0.0), gait=gait)), out)
    n, text = pdf_text(out)
    assert n <= 2
    for words in ("Gait", "104 steps/min", "L 0.55 s, R 0.61 s", "1.21 m", "heel", "Shorter steps.",
                  "Your steps land ahead of your body."):
        assert words in text, words


def test_write_pdf_report_is_atomic_and_has_metadata(tmp_path):
    out = tmp_path / "r.pdf"
    out.write_text("old")
    write_pdf_report(synthetic_report(0.0), out)
    assert out.read_bytes().startswith(b"%PDF") and not list(tmp_path.glob(".*tmp*"))
    pypdf = pytest.importorskip("pypdf")
    assert pypdf.PdfReader(str(out)).metadata["/Author"] == "gaitcheck"


# ---- comparison ------------------------------------------------------------------------------------------------

def _report(look: str, slouch: str, pitch: float, lean: float, frac: float, gait: dict | None = None) -> dict:
    """A minimal report's JSON (what an older or a hand-made report may hold): read with Report.from_dict."""
    d = {"schema_version": 1, "video": {"path": f"/x/{look}.mp4"},
         "checks": {"look_ahead": {"status": look, "flagged_fraction": frac, "median_head_pitch_deg": pitch,
                                   "median_gaze_distance_m": 1.58 / np.tan(np.radians(pitch + 15))},
                    "slouch": {"status": slouch, "flagged_fraction": 0.0, "median_trunk_lean_deg": lean,
                               "median_forward_head_rel": 0.1}}}
    if gait is not None:
        d["gait"] = gait
    return d


def test_compare_directions_tolerances_and_verdicts():
    old = _report("flag", "pass", 25.0, 3.0, 0.8, {"status": "pass", "cadence_spm": 100.0})
    new = _report("pass", "pass", 4.0, 4.0, 0.1, {"status": "flag", "cadence_spm": 110.0})
    c = compare_reports(Report.from_dict(old), Report.from_dict(new))
    v = {ch.label: ch.direction for ch in c.verdicts}
    # overstride and foot strike are unknown in both: the same, not changed
    assert v == {"Look ahead": "better", "Slouch": "same", "Gait": "worse", "Overstride": "same", "Foot strike": "same"}
    m = {ch.label: ch for ch in c.measures}
    assert m["Head pitch (median, + = down)"].direction == "better"
    assert m["Gaze point on the floor (median)"].direction == "better"
    assert m["Trunk lean (median, + = forward)"].direction == "same"  # within 2 degrees
    assert m["Time looking down"].delta == "-70 pts"
    assert m["Cadence (steps/min)"].direction == "changed"  # no better direction
    assert "Step time, left" not in m  # absent in both: not shown
    lines = {line.split("  ")[0]: line.split() for line in format_comparison(c).splitlines() if line}
    assert lines["Look ahead"][-3:] == ["flag", "pass", "better"]
    assert lines["Time looking down"][-4:] == ["10%", "-70", "pts", "better"]


def test_compare_without_gait_and_with_unknowns():
    old = _report("pass", "pass", 2.0, 1.0, 0.0)
    new = _report("unknown", "unknown", 2.0, 1.0, 0.0)
    new["checks"]["look_ahead"].update(median_head_pitch_deg=None, median_gaze_distance_m=None, flagged_fraction=None)
    c = compare_reports(Report.from_dict(old), Report.from_dict(new))
    assert [ch.direction for ch in c.verdicts] == ["n/a", "n/a"]
    m = {ch.label: ch for ch in c.measures}
    assert m["Head pitch (median, + = down)"].direction == "n/a" and m["Head pitch (median, + = down)"].new == "-"
    assert not any("Cadence" in ch.label for ch in c.measures)


@pytest.mark.parametrize(("content", "message"), [
    ("not json", "not a JSON file"),
    ("[1, 2]", "not a gaitcheck report"),
    ('{"a": 1}', "not a gaitcheck report"),
    ('{"schema_version": 2, "checks": {}}', "schema_version 2"),
    ('{"schema_version": 1, "video": {}, "checks": {"look_ahead": {}}}', "not a complete gaitcheck report"),
])
def test_load_report_rejects_what_is_not_a_report(tmp_path, content, message):
    p = tmp_path / "r.json"
    p.write_text(content)
    with pytest.raises(InputError, match=message):
        load_report(p)


def test_compare_cli(tmp_path, capsys):
    old, new, bad = tmp_path / "old.json", tmp_path / "new.json", tmp_path / "bad.json"
    old.write_text(json.dumps(_report("pass", "pass", 2.0, 1.0, 0.0)))
    new.write_text(json.dumps(_report("flag", "pass", 25.0, 1.0, 0.6)))
    bad.write_text("{")
    assert cli.main(["compare", str(old), str(new)]) == 0
    out = capsys.readouterr().out
    assert "Look ahead" in out and "worse" in out and out.startswith("Old: pass.mp4")
    for args in ([str(bad), str(new)], [str(old), str(tmp_path / "missing.json")]):
        assert cli.main(["compare", *args]) == 1
        err = capsys.readouterr().err.splitlines()
        assert len(err) == 1 and err[0].startswith("gaitcheck: error:")


def test_analyze_cli_refuses_clashing_outputs_before_analysing(tmp_path, capsys):
    src = tmp_path / "walk.mp4"
    clips.make_clip(src, n_frames=5)
    assert cli.main(["analyze", str(src), "--pdf", str(tmp_path / "x"), "--annotated", str(tmp_path / "x")]) == 2
    assert "same file" in capsys.readouterr().err
    assert cli.main(["analyze", str(src), "--annotated", str(src)]) == 2
    assert "overwrite the input" in capsys.readouterr().err
    bad = tmp_path / "old.json"
    bad.write_text("{}")
    assert cli.main(["analyze", str(src), "--compare", str(bad), "-q"]) == 1
    assert "not a gaitcheck report" in capsys.readouterr().err


def test_even_padding_for_odd_sizes():
    from gaitcheck.evidence.video import _even

    img = np.arange(5 * 7 * 3, dtype=np.uint8).reshape(5, 7, 3)
    out = _even(img)
    assert out.shape == (6, 8, 3)
    np.testing.assert_array_equal(out[:5, :7], img)
