"""Evidence from real clips: the annotated MP4, the PDF report and the comparison of two sessions.

Analyses come from the session cache in conftest.py (one pose-model run per clip); the CLI test
runs ``gaitcheck analyze`` end to end once, on the short slouch clip.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import av
import numpy as np
import pytest
from test_evidence import pdf_text, red_fraction

from gaitcheck import cli
from gaitcheck.compare import compare_reports, format_comparison, load_report
from gaitcheck.evidence.draw import Style
from gaitcheck.evidence.pdf.report import DISCLAIMER, write_pdf_report
from gaitcheck.evidence.video import write_annotated_video
from gaitcheck.report import write_json
from gaitcheck.video import VideoReader

pytestmark = pytest.mark.slow

SAMPLE = "sports2d_demo_park_side.mp4"  # the bundled sample clip (also in ../shared/videos)
SLOUCH = "gait_slouch02_indoor_side.mp4"  # looks down and slouches: both checks flag
NORMAL = "gait_normal01_indoor_side.mp4"  # the same walker upright: both pass


def input_timing(path: Path) -> tuple[list[float], tuple[int, int]]:
    with VideoReader(path) as reader:
        times = [f.t_s for f in reader]
        return times, (reader.info.width, reader.info.height)


def decoded(path: Path, keep: set[int]) -> tuple[str, str, list[float], tuple[int, int], dict[int, np.ndarray], float]:
    """codec, pixel format, frame times, size, the frames in ``keep`` (RGB) and the stream duration."""
    with av.open(str(path)) as c:
        s = c.streams.video[0]
        assert not c.streams.audio
        times, images = [], {}
        for i, f in enumerate(c.decode(video=0)):
            times.append(float(f.pts * f.time_base))
            if i in keep:
                images[i] = f.to_ndarray(format="rgb24")
        duration = float(s.duration * s.time_base)
        return s.codec_context.name, s.codec_context.pix_fmt, times, (s.width, s.height), images, duration


def check_mp4(out: Path, src: Path, report_duration: float, keep: set[int]) -> dict[int, np.ndarray]:
    """The MP4 is H.264 4:2:0, upright at the input's size, same frames at the same times."""
    codec, pix, times, size, images, duration = decoded(out, keep)
    in_times, in_size = input_timing(src)
    frame = float(np.median(np.diff(in_times)))
    assert (codec, pix, size) == ("h264", "yuv420p", in_size)
    assert abs(len(times) - len(in_times)) <= 1
    np.testing.assert_allclose(times, in_times[: len(times)], atol=1e-3)
    assert abs(duration - report_duration) <= frame + 1e-3
    data = out.read_bytes()
    assert data.find(b"moov") < data.find(b"mdat")  # faststart: playable while downloading
    return images


def fingerprint(path: Path) -> tuple[str, int]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


def test_cli_writes_video_pdf_and_comparison_for_the_slouch_clip(analysed, tmp_path, capsys):
    src = analysed.path(SLOUCH)
    old_json = tmp_path / "normal.json"
    write_json(analysed.report(NORMAL), old_json)
    before = fingerprint(src)
    mp4, pdf, new_json = tmp_path / "slouch.mp4", tmp_path / "slouch.pdf", tmp_path / "slouch.json"
    code = cli.main(["analyze", str(src), "--annotated", str(mp4), "--pdf", str(pdf), "--json", str(new_json),
                     "--compare", str(old_json), "-q"])
    out = capsys.readouterr().out
    assert code == 0
    assert fingerprint(src) == before  # the input is only read

    # the comparison on stdout: both verdicts got worse
    lines = {ln.split("  ")[0]: ln.split() for ln in out.splitlines() if ln}
    assert lines["Look ahead"][-3:] == ["pass", "flag", "worse"]
    assert lines["Slouch"][-3:] == ["pass", "flag", "worse"]

    # the video: a frame inside a look-down episode has a red border, one before the walker appears has not
    report = load_report(new_json)
    rows = report.to_dict()["frames"]
    flagged = report.look_ahead.episodes[0].peak_frame
    clean = next(r["frame"] for r in rows if not r["look_down"] and not r["slouch"])
    images = check_mp4(mp4, src, report.video.duration_s, {flagged, clean})
    border = Style.for_size(report.video.width, report.video.height).border
    assert rows[flagged]["look_down"] and red_fraction(images[flagged], border) > 0.8
    assert red_fraction(images[clean], border) < 0.2

    # the PDF: two pages with the facts, verdicts, numbers, timelines, key moments, gait and comparison
    n, text = pdf_text(pdf)
    assert n == 2
    for words in (DISCLAIMER, SLOUCH, "Look ahead", "Slouch", "FLAG", "Key numbers and their thresholds",
                  "Over the clip", "Key moments", "worst moment", "Compared with the earlier session", NORMAL,
                  "pass flag pass -> flag worse", "Thresholds used", "pose_landmarker_full.task"):
        assert words in text, words
    if report.gait is not None:
        assert "Gait" in text and "steps/min" in text


def test_sample_clip_video_and_pdf(analysed, tmp_path):
    src = analysed.path(SAMPLE)
    report = analysed.report(SAMPLE)
    mp4, pdf = tmp_path / "sample.mp4", tmp_path / "sample.pdf"
    write_annotated_video(src, report, mp4)
    rows = report.to_dict()["frames"]
    walker = [r["frame"] for r in rows if r["detected"]]
    keep = {walker[0], walker[len(walker) // 2], walker[-1]}
    images = check_mp4(mp4, src, report.video.duration_s, keep)
    border = Style.for_size(report.video.width, report.video.height).border
    assert all(red_fraction(img, border) < 0.2 for img in images.values())  # nothing flagged in this walk
    write_pdf_report(report, pdf, video=src)
    n, text = pdf_text(pdf)
    assert 1 <= n <= 2
    people = next(w for w in report.warnings if "people were found" in w).split(";")[0]  # "N people were found"
    assert int(people.split()[0]) >= 2  # the walker and the man on the box at least
    for words in (DISCLAIMER, SAMPLE, "PASS", "Key moments", "Good moment", people):
        assert words in text, words
    assert "FLAG" not in text.split("Verdicts")[1].split("Key numbers")[0]


def test_compare_two_real_sessions(analysed, tmp_path, capsys):
    normal, slouch = analysed.report(NORMAL), analysed.report(SLOUCH)
    c = compare_reports(normal, slouch)
    verdicts = {ch.label: (ch.old, ch.new, ch.direction) for ch in c.verdicts}
    assert verdicts["Look ahead"] == ("pass", "flag", "worse")
    assert verdicts["Slouch"] == ("pass", "flag", "worse")
    measures = {ch.label: ch.direction for ch in c.measures}
    assert measures["Head pitch (median, + = down)"] == "worse"
    assert measures["Gaze point on the floor (median)"] == "worse"
    assert measures["Time looking down"] == "worse"
    back = compare_reports(slouch, normal)
    assert {ch.label: ch.direction for ch in back.verdicts}["Look ahead"] == "better"
    assert "better" in format_comparison(back)


@pytest.mark.parametrize("name", [SLOUCH, NORMAL])
def test_key_moments_show_the_walker_clear_of_the_pictures_sides(analysed, name):
    # both clips end with the walker at the picture's right edge, where the head bows most (slouch) or is most
    # level (normal): those pictures were of a walker just inside the frame's edge. In the PDF and on the page
    # alike, the worst and good moments now keep a quarter of the walker's height clear of both sides (frames like
    # that exist in both); the moments added to make three are whole at least.
    from gaitcheck import ui
    from gaitcheck.evidence.keyframes import choose_key_frames, whole_body_frames

    report = analysed.report(name)
    clear, whole = whole_body_frames(report, 0.25), whole_body_frames(report)
    assert clear.any() and not clear[report.frames.detected].all()
    keys = choose_key_frames(report)
    judged = [k for k in keys if k.title != "Moment of the walk"]
    assert len(keys) >= 3 and judged and all(clear[k.frame] for k in judged) and all(whole[k.frame] for k in keys)
    moments = [m for m in ui.verdict_moments(report, ui.cards(report.to_dict())).values() if m is not None]
    assert moments and all(clear[m.frame] for m in moments)
