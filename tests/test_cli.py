"""Tests of the ``gaitcheck`` command line, called in-process as ``gaitcheck.cli.main(argv)``.

Errors must be exactly one line on stderr starting with "gaitcheck: error:", no traceback, and exit
code 1 (the input cannot be analysed) or 2 (usage or configuration error).
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import av
import pytest

from gaitcheck import cli
from gaitcheck.report import FRAME_FIELDS

try:
    from tests import _clips as clips
except ImportError:  # tests/ is not a package: pytest put it on sys.path
    import _clips as clips  # type: ignore[no-redef]

NORMAL = "gait_normal01_indoor_side.mp4"  # short upright side clip: both checks pass
BACK = "lab_man_indoor_back.mp4"  # the shortest real clip


def run(argv: Sequence[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run the CLI; return (exit code, stdout, stderr). argparse's usage errors exit via SystemExit."""
    try:
        code = cli.main(list(argv))
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_error_line(err: str) -> None:
    assert "Traceback" not in err, err
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("gaitcheck: error:"), err


def fingerprint(path: Path) -> tuple[str, int, int]:
    st = path.stat()
    return hashlib.sha256(path.read_bytes()).hexdigest(), st.st_size, st.st_mtime_ns


@pytest.fixture(scope="module")
def small_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny synthetic video, for errors that must be caught before any analysis."""
    path = tmp_path_factory.mktemp("cli") / "small.mp4"
    clips.make_clip(path, n_frames=10)
    return path


# --- bad inputs ---------------------------------------------------------------------------------


def _missing(d: Path) -> Path:
    return d / "missing.mp4"


def _folder(d: Path) -> Path:
    (d / "folder.mp4").mkdir()
    return d / "folder.mp4"


BAD_VIDEOS: dict[str, tuple[Callable[[Path], Path], str]] = {
    "missing": (_missing, "does not exist"),
    "folder": (_folder, "folder"),
    "empty": (lambda d: clips.make_empty(d / "empty.mp4"), "empty"),
    "text": (lambda d: clips.make_text(d / "text.mp4"), "not a video"),
    "png": (lambda d: clips.make_image(d / "image.mp4"), "image"),
    "audio_only": (lambda d: clips.make_audio_only(d / "audio.mp4"), "no video stream"),
}


@pytest.mark.parametrize("kind", BAD_VIDEOS)
def test_unusable_video_is_one_error_line_and_exit_1(tmp_path: Path, capsys, kind: str) -> None:
    make, words = BAD_VIDEOS[kind]
    path = make(tmp_path)
    code, out, err = run(["analyze", str(path), "-q"], capsys)
    assert code == 1
    assert_one_error_line(err)
    assert words in err and path.name in err
    assert out == ""


def test_unknown_config_key_is_exit_2_and_suggests_the_valid_key(tmp_path: Path, small_clip: Path,
                                                                  capsys) -> None:
    cfg = tmp_path / "gaitcheck.toml"
    cfg.write_text("[look_ahead]\nlook_down_distance = 2.5\n", encoding="utf-8")
    code, out, err = run(["analyze", str(small_clip), "--config", str(cfg)], capsys)
    assert code == 2
    assert_one_error_line(err)
    assert "look_down_distance" in err and "did you mean 'look_down_distance_m'" in err
    assert out == ""


def test_unknown_config_section_suggests_the_valid_section(tmp_path: Path, small_clip: Path, capsys) -> None:
    cfg = tmp_path / "gaitcheck.toml"
    cfg.write_text("[lookahead]\nflag_fraction = 0.3\n", encoding="utf-8")
    code, _, err = run(["analyze", str(small_clip), "--config", str(cfg)], capsys)
    assert code == 2
    assert_one_error_line(err)
    assert "'look_ahead'" in err


@pytest.mark.parametrize("model_name, content",
                         [("model.txt", b"not a model\n"), ("fake.task", b"not a zip\n" * 10)])
def test_model_that_is_not_a_task_bundle_is_exit_1(tmp_path: Path, small_clip: Path, capsys, model_name: str,
                                                     content: bytes) -> None:
    model = tmp_path / model_name
    model.write_bytes(content)
    code, out, err = run(["analyze", str(small_clip), "--model", str(model), "-q"], capsys)
    assert code == 1
    assert_one_error_line(err)
    assert model_name in err and ".task" in err
    assert out == ""


def test_missing_model_is_exit_1(tmp_path: Path, small_clip: Path, capsys) -> None:
    code, _, err = run(["analyze", str(small_clip), "--model", str(tmp_path / "nope.task"), "-q"], capsys)
    assert code == 1
    assert_one_error_line(err)
    assert "not found" in err


@pytest.mark.parametrize("option", ["--json", "--csv"])
def test_report_onto_the_input_video_is_refused(tmp_path: Path, small_clip: Path, capsys,
                                                 option: str) -> None:
    video = tmp_path / "walk.mp4"
    shutil.copy2(small_clip, video)
    before = fingerprint(video)
    # the same file named another way (relative, with "..") must be recognised too
    other = os.path.relpath(tmp_path / "sub" / ".." / "walk.mp4")
    (tmp_path / "sub").mkdir()
    for target in (str(video), other):
        code, out, err = run(["analyze", str(video), option, target, "-q"], capsys)
        assert code == 2
        assert_one_error_line(err)
        assert "input video" in err
        assert out == ""
        assert fingerprint(video) == before


def test_report_into_a_missing_folder_is_exit_2(tmp_path: Path, small_clip: Path, capsys) -> None:
    code, _, err = run(["analyze", str(small_clip), "--json", str(tmp_path / "nope" / "r.json")], capsys)
    assert code == 2
    assert_one_error_line(err)


@pytest.mark.parametrize("value", ["abc", "0", "nan", "1e9"])
def test_bad_height_is_a_usage_error(small_clip: Path, capsys, value: str) -> None:
    code, out, err = run(["analyze", str(small_clip), "--height-cm", value], capsys)
    assert code == 2
    assert_one_error_line(err)
    assert "--height-cm" in err
    assert out == ""


@pytest.mark.parametrize("value", ["45", "left", "-90"])
def test_bad_turn_is_a_usage_error(small_clip: Path, capsys, value: str) -> None:
    code, out, err = run(["analyze", str(small_clip), "--turn", value], capsys)
    assert code == 2
    assert_one_error_line(err)
    assert "--turn" in err and out == ""


def test_missing_video_argument_is_a_usage_error(capsys) -> None:
    code, _, err = run(["analyze"], capsys)
    assert code == 2
    assert_one_error_line(err)


# --- real clips (slow) --------------------------------------------------------------------------


@pytest.mark.slow
def test_analyze_writes_json_and_csv_and_leaves_the_video_alone(shared_videos: Path, manifest, tmp_path: Path,
                                                                capsys) -> None:
    video = tmp_path / NORMAL
    shutil.copy2(shared_videos / NORMAL, video)  # a writable copy: nothing but care protects it
    before = fingerprint(video)
    out_json, out_csv = tmp_path / "report.json", tmp_path / "frames.csv"
    code, out, err = run(["analyze", str(video), "--json", str(out_json), "--csv", str(out_csv)], capsys)
    assert code == 0, err
    assert "Traceback" not in err and "error" not in err
    assert fingerprint(video) == before
    # nothing else is left beside them (no temporary files)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([NORMAL, "report.json", "frames.csv"])

    report = json.loads(out_json.read_text(encoding="utf-8"))
    n = manifest[NORMAL]["frames"]
    assert report["schema_version"] == 1
    assert report["video"]["frame_count"] == n and len(report["frames"]) == n

    # the printed verdicts are those of the report (an upright walker: both pass)
    statuses = {name: c["status"] for name, c in report["checks"].items()}
    assert statuses == {"look_ahead": "pass", "slouch": "pass"}
    lines = out.splitlines()
    for label, name in (("Look ahead", "look_ahead"), ("Slouch", "slouch")):
        row = [line for line in lines if line.startswith(label)]
        assert len(row) == 1 and statuses[name].upper() in row[0].split(), out
    assert NORMAL in lines[0]
    assert str(out_json) in out and str(out_csv) in out

    with out_csv.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert tuple(rows[0]) == FRAME_FIELDS
    assert len(rows) == 1 + n
    assert [int(r[0]) for r in rows[1:]] == list(range(n))
    t = [float(r[1]) for r in rows[1:]]
    assert t == [fr["t_s"] for fr in report["frames"]]


@pytest.mark.slow
def test_quiet_analysis_in_a_real_process_prints_nothing_on_stderr(shared_videos: Path) -> None:
    """As a user runs it: no C++ log lines from mediapipe (creating, using or closing a landmarker),
    no ignored-exception traceback at interpreter exit; only the verdicts, on stdout."""
    done = subprocess.run([sys.executable, "-m", "gaitcheck", "analyze", str(shared_videos / BACK), "-q"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert BACK in done.stdout.splitlines()[0]


SPORTS2D = "sports2d_demo_park_side.mp4"  # a woman walking, a man standing on a box


@pytest.mark.slow
def test_walker_at_chooses_the_person_there_and_height_gives_metres(analysed, tmp_path: Path, capsys) -> None:
    default = analysed.dict(SPORTS2D)  # the woman; no height given
    video = analysed.path(SPORTS2D)
    # The man stands on the box at x ~0.36, y ~0.26 one second in (his hips); the woman walks along
    # the path at the bottom, at x ~0.42, y ~0.72 at 4.3 s (tests/test_real_clips.py has the layout).
    man_json, woman_json = tmp_path / "man.json", tmp_path / "woman.json"
    code, _, err = run(["analyze", str(video), "--walker-at", "0.36,0.26,1.0", "--json", str(man_json), "-q"],
                         capsys)
    assert code == 0, err
    man = json.loads(man_json.read_text(encoding="utf-8"))
    chosen = [t for t in man["subject"]["tracks"] if t["chosen"]]
    assert len(chosen) == 1 and chosen[0]["start_s"] < 1.0  # someone there from the start: the man
    hip_y = sorted(f["hip_y"] for f in man["frames"] if f["hip_y"] is not None)
    assert hip_y[len(hip_y) // 2] < 0.5  # up on the box, not on the path

    code, _, err = run(["analyze", str(video), "--walker-at", "0.42,0.72,4.3", "--height-cm", "180",
                          "--json", str(woman_json), "-q"], capsys)
    assert code == 0, err
    woman = json.loads(woman_json.read_text(encoding="utf-8"))
    assert woman["subject"]["track_id"] == default["subject"]["track_id"]
    assert (woman["height_cm"], woman["height_given"], default["height_given"]) == (180.0, True, False)
    assert not any("Body height not given" in w for w in woman["warnings"])
    g = woman["gait"]
    # metres from leg lengths: hip-to-ankle = 0.491 x height
    assert g["step_length_m"] == pytest.approx(g["step_length_rel_leg"] * 0.491 * 1.80, abs=2e-3)
    assert g["stride_length_m"] == pytest.approx(2 * g["step_length_m"], abs=2e-3)
    assert g["speed_m_s"] == pytest.approx(g["step_length_m"] * g["cadence_spm"] / 60, rel=0.01)
    assert default["gait"]["step_length_m"] is None
    # the same head angles from eyes 180/170 as high point at the floor that much further away
    la, la0 = woman["checks"]["look_ahead"], default["checks"]["look_ahead"]
    assert la["median_head_pitch_deg"] == pytest.approx(la0["median_head_pitch_deg"], abs=0.5)
    assert la["median_gaze_distance_m"] == pytest.approx(la0["median_gaze_distance_m"] * 180 / 170, rel=0.05)


@pytest.mark.slow
def test_unknown_track_is_exit_1(shared_videos: Path, capsys) -> None:
    code, out, err = run(["analyze", str(shared_videos / BACK), "--track", "999", "-q"], capsys)
    assert code == 1
    assert_one_error_line(err)
    assert "999" in err
    assert out == ""


def _faststart_copy(src: Path, dst: Path) -> None:
    """Remux the video stream of ``src`` with the index (moov) first, so a truncated copy stays readable."""
    with av.open(os.fspath(src)) as inp, \
            av.open(os.fspath(dst), "w", options={"movflags": "faststart"}) as out:
        stream = inp.streams.video[0]
        ost = out.add_stream_from_template(stream)
        for packet in inp.demux(stream):
            if packet.dts is None:  # the demuxer's final flush packet
                continue
            packet.stream = ost
            out.mux(packet)


@pytest.mark.slow
def test_damaged_clip_is_analysed_with_a_warning(shared_videos: Path, manifest, tmp_path: Path,
                                                 capsys) -> None:
    whole = tmp_path / "whole.mp4"
    _faststart_copy(shared_videos / NORMAL, whole)
    damaged = clips.truncated_copy(whole, tmp_path / "damaged.mp4", 0.6)
    out_json = tmp_path / "damaged.json"
    code, out, err = run(["analyze", str(damaged), "--json", str(out_json), "-q"], capsys)
    assert code == 0, err
    report = json.loads(out_json.read_text(encoding="utf-8"))
    damage = [w for w in report["warnings"] if "damaged" in w]
    assert len(damage) == 1, report["warnings"]
    n = manifest[NORMAL]["frames"]
    assert 0 < report["video"]["frame_count"] < n == report["video"]["declared_frame_count"]
    assert len(report["frames"]) == report["video"]["frame_count"]
    assert damage[0] in out  # the summary's notes tell the user too
