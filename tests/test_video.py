"""Tests of gaitcheck.video: rotation, timestamps, streaming, bad and damaged input, limits."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from fractions import Fraction
from pathlib import Path
from types import SimpleNamespace

import av
import av.error
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gaitcheck import video
from gaitcheck.errors import InputTooLargeError, VideoReadError
from gaitcheck.video import Frame, VideoReader, probe_video

try:
    from tests import _clips as clips
except ImportError:  # tests/ is not a package: pytest put it on sys.path
    import _clips as clips  # type: ignore[no-redef]

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "videos"
needs_shared = pytest.mark.skipif(
    not (SHARED / "manifest.json").is_file(), reason=f"real clips folder {SHARED} is missing"
)


def _manifest() -> dict[str, dict[str, object]]:
    clips_ = json.loads((SHARED / "manifest.json").read_text(encoding="utf-8"))["clips"]
    return {c["file"]: c for c in clips_}


def _read_all(path: Path, **kwargs: object) -> tuple[list[Frame], VideoReader]:
    with VideoReader(path, **kwargs) as reader:  # type: ignore[arg-type]
        frames = list(reader)
    return frames, reader


@pytest.fixture(scope="module")
def clip60(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("clips") / "clip60.mp4"
    clips.make_clip(path, n_frames=60)
    return path


# --- orientation ---------------------------------------------------------------------------------


def test_rotation_90_is_the_display_matrix_of_a_portrait_phone_clip(tmp_path: Path) -> None:
    # Independent anchor for the direction: a phone held upright records landscape pixels plus the
    # QuickTime matrix (0, 1, -1, 0), i.e. "rotate 90 degrees clockwise for display".
    clips.make_clip(tmp_path / "r90.mp4", n_frames=2, rotation=90)
    assert clips.tkhd_matrix(tmp_path / "r90.mp4") == (0, 1 << 16, -(1 << 16), 0)


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
def test_frames_are_upright(tmp_path: Path, rotation: int) -> None:
    path = tmp_path / f"rot{rotation}.mp4"
    written = clips.make_clip(path, n_frames=12, size=(160, 96), rotation=rotation)
    with av.open(str(path)) as c:
        stored = (c.streams.video[0].codec_context.width, c.streams.video[0].codec_context.height)
    assert stored == ((96, 160) if rotation in (90, 270) else (160, 96))

    info = probe_video(path)
    assert (info.width, info.height, info.rotation_deg) == (160, 96, rotation)
    assert info.frame_count == 12 and info.fps == pytest.approx(30) and info.codec == "h264"
    frames, reader = _read_all(path)
    assert reader.info == info and reader.warnings == [] and reader.frames_read == 12
    assert [f.index for f in frames] == list(range(12))
    assert [clips.read_counter(f.image) for f in frames] == list(range(12))
    assert [f.t_s for f in frames] == pytest.approx(written, abs=1e-6)
    for f in frames:
        assert f.image.shape == (96, 160, 3) and f.image.dtype == np.uint8 and f.image.flags.c_contiguous
        corners = clips.corner_means(f.image)
        assert corners["tl"] > 200, corners
        assert max(corners["tr"], corners["bl"], corners["br"]) < 60, corners


# --- timestamps ----------------------------------------------------------------------------------


def test_vfr_timestamps_are_the_written_pts(tmp_path: Path) -> None:
    path = tmp_path / "vfr.mp4"
    written = clips.make_clip(path, n_frames=30, vfr=True)
    frames, reader = _read_all(path)
    t = np.array([f.t_s for f in frames])
    assert len(t) == 30 and reader.warnings == []
    np.testing.assert_allclose(t, written, atol=1e-3)
    assert np.all(np.diff(t) > 0)
    assert reader.info.fps == pytest.approx(1000 / np.mean(clips.VFR_GAPS_MS), rel=0.1)


def test_clock_nudges_duplicates_and_fills_missing_pts() -> None:
    warnings: list[str] = []
    clock = video.decode._Clock(25.0, Fraction(1, 1000), "x.mp4", warnings.append)
    pts = [100, 140, 140, 130, None, 300]
    t = [clock.time(SimpleNamespace(pts=p, time_base=Fraction(1, 1000))) for p in pts]
    assert t == pytest.approx([0.0, 0.04, 0.041, 0.042, 0.082, 0.2])
    assert len(set(warnings)) == 2 and all("\n" not in w for w in warnings)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(-50, 5000)), min_size=1, max_size=40))
def test_clock_is_strictly_increasing_by_at_least_1ms(pts: list[int | None]) -> None:
    clock = video.decode._Clock(30.0, Fraction(1, 1000), "x.mp4", lambda _w: None)
    t = [clock.time(SimpleNamespace(pts=p, time_base=None)) for p in pts]
    assert t[0] == 0.0
    assert all(b - a >= 1e-3 - 1e-9 for a, b in zip(t, t[1:], strict=False))


# --- real clips ----------------------------------------------------------------------------------


@needs_shared
@pytest.mark.parametrize("name", ["gait_normal01_indoor_side.mp4", "lab_woman_indoor_side.mp4"])
def test_real_clip_frame_count_and_size(name: str) -> None:
    expected = _manifest()[name]
    frames, reader = _read_all(SHARED / name)
    assert reader.frames_read == len(frames) == expected["frames"] == reader.info.frame_count
    assert (reader.info.width, reader.info.height) == (expected["width"], expected["height"])
    assert reader.info.fps == pytest.approx(expected["fps"], abs=0.01)
    assert reader.warnings == []
    assert frames[0].t_s == 0.0


@needs_shared
def test_real_vfr_clip_times_match_pyav_pts() -> None:
    path = SHARED / "gait_normal01_indoor_side.mp4"
    with av.open(str(path)) as c:
        pts_times = [float(f.pts * f.time_base) for f in c.decode(video=0)]
    expected = np.array(pts_times) - pts_times[0]
    assert np.ptp(np.diff(expected)) > 1e-3  # really variable frame rate
    t = np.array([f.t_s for f in _read_all(path)[0]])
    np.testing.assert_allclose(t, expected, atol=1e-6)


# --- bad input -----------------------------------------------------------------------------------


def _undecodable(path: Path) -> None:
    clips.make_clip(path, n_frames=10)  # index first, then the data: scramble all of the data
    data = bytearray(path.read_bytes())
    start = data.index(b"mdat") + 4
    data[start:] = np.random.default_rng(0).integers(0, 256, len(data) - start, np.uint8).tobytes()
    path.write_bytes(bytes(data))


def _truncated_without_index(path: Path) -> None:
    clips.make_clip(path, n_frames=10, faststart=False)  # index (moov) last: truncation loses it
    clips.truncated_copy(path, path, 0.5)


BAD_INPUTS = {
    "missing.mp4": (lambda p: None, "does not exist"),
    "folder.mp4": (lambda p: p.mkdir(), "folder"),
    "empty.mp4": (clips.make_empty, "empty"),
    "text.mp4": (clips.make_text, "not a video"),
    "image_png.mp4": (clips.make_image, "looks like an image"),
    "image_jpg.mp4": (lambda p: clips.make_image(p, ".jpg"), "looks like an image"),
    "audio.m4a": (clips.make_audio_only, "no video stream"),
    "audio.mp4": (clips.make_audio_only, "no video stream"),
    "no_index.mp4": (_truncated_without_index, "not a video"),
    "undecodable.mp4": (_undecodable, "no frame could be decoded"),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_raises_one_line_video_read_error(tmp_path: Path, name: str) -> None:
    make, phrase = BAD_INPUTS[name]
    path = tmp_path / name
    make(path)
    for call in (probe_video, VideoReader):
        with pytest.raises(VideoReadError) as exc_info:
            call(path)
        message = str(exc_info.value)
        assert "\n" not in message and name in message and phrase in message, message


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_unreadable_file_raises_video_read_error(clip60: Path, tmp_path: Path) -> None:
    path = tmp_path / "locked.mp4"
    path.write_bytes(clip60.read_bytes())
    path.chmod(0)
    if os.geteuid() != 0:
        with pytest.raises(VideoReadError, match="locked.mp4.*permission denied"):
            probe_video(path)
        return
    # root reads any file: check in a child process that has dropped that power
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root and setpriv (to drop CAP_DAC_OVERRIDE) is missing")
    code = (
        "from gaitcheck.errors import VideoReadError\nfrom gaitcheck.video import probe_video\n"
        f"try:\n    probe_video({str(path)!r})\nexcept VideoReadError as e:\n    print(e)"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    caps = ["--bounding-set", "-dac_override,-dac_read_search", "--"]
    run = subprocess.run([setpriv, *caps, sys.executable, "-c", code], capture_output=True, text=True, env=env)
    if run.returncode != 0 and run.stderr.startswith("setpriv"):
        pytest.skip(f"cannot drop root's file access here: {run.stderr.strip()}")
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "Cannot read 'locked.mp4': permission denied."


def test_ffmpeg_permission_error_is_wrapped(clip60: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def deny(*_args: object, **_kwargs: object) -> None:
        raise av.error.PermissionError(13, "Permission denied", str(clip60))

    monkeypatch.setattr(video.metadata.av, "open", deny)
    with pytest.raises(VideoReadError, match="clip60.mp4.*permission denied"):
        probe_video(clip60)


def test_file_removed_before_reading_reaches_the_consumer(clip60: Path, tmp_path: Path) -> None:
    path = tmp_path / "gone.mp4"
    path.write_bytes(clip60.read_bytes())
    reader = VideoReader(path)
    path.unlink()
    with reader, pytest.raises(VideoReadError, match="gone.mp4.*does not exist"):
        list(reader)
    assert not reader._is_alive()


# --- damaged input -------------------------------------------------------------------------------


def test_truncated_clip_yields_the_readable_frames_and_a_warning(
    clip60: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    path = clips.truncated_copy(clip60, tmp_path / "truncated.mp4", 0.5)
    frames, reader = _read_all(path)
    assert capfd.readouterr() == ("", "")  # FFmpeg's complaints are not printed
    n = reader.frames_read
    assert 0 < n < 60 and len(frames) == n
    assert [clips.read_counter(f.image) for f in frames] == list(range(n))
    assert reader.warnings == [
        f"The video is damaged: decoding stopped after {n} of 60 frames; only the readable part was analysed."
    ]


def test_overwritten_clip_yields_frames_and_a_warning(
    clip60: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    path = clips.overwritten_copy(clip60, tmp_path / "overwritten.mp4", at=0.5, n_bytes=2000)
    frames, reader = _read_all(path)
    assert capfd.readouterr() == ("", "")
    assert 40 < len(frames) <= 60
    assert reader.warnings and all(w.startswith("The video is damaged") for w in reader.warnings)
    assert np.all(np.diff([f.t_s for f in frames]) >= 1e-3 - 1e-9)


# --- limits --------------------------------------------------------------------------------------


def test_limits_raise_input_too_large(clip60: Path) -> None:
    with pytest.raises(InputTooLargeError, match=r"is 2 s long; the limit is 1.5 s \(set max_duration_s\)"):
        probe_video(clip60, max_duration_s=1.5)
    with pytest.raises(InputTooLargeError, match=r"15360 pixels .* limit is 15000 \(set max_pixels\)"):
        VideoReader(clip60, max_pixels=15000)
    assert probe_video(clip60, max_duration_s=2.0, max_pixels=15360).frame_count == 60


def test_decoded_time_beyond_limit_stops_reading(clip60: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(video.metadata, "_check_limits", lambda *_a: None)  # pretend the declared duration lies
    reader = VideoReader(clip60, max_duration_s=0.5)
    seen = []
    with reader, pytest.raises(InputTooLargeError, match="limit is 0.5 s"):
        seen.extend(f.t_s for f in reader)
    assert seen and max(seen) <= 0.5 and not reader._is_alive()


# --- streaming -----------------------------------------------------------------------------------


def test_break_out_early_stops_the_thread(clip60: Path) -> None:
    with VideoReader(clip60, prefetch=2) as reader:
        for frame in reader:
            if frame.index == 3:
                break
        assert not reader._is_alive()
    assert reader.frames_read == 4


def test_close_while_iterating_and_exception_in_consumer(clip60: Path) -> None:
    reader = VideoReader(clip60, prefetch=1)
    it = iter(reader)
    next(it)
    assert reader._is_alive()
    reader.close()
    assert not reader._is_alive()
    with pytest.raises(KeyError), VideoReader(clip60) as reader2:
        for _frame in reader2:
            raise KeyError("the caller failed")
    assert not reader2._is_alive()
    with pytest.raises(RuntimeError, match="only once"):
        iter(reader2)
    reader3 = VideoReader(clip60)
    iter(reader3)  # an iterator never advanced starts no thread
    assert not reader3._is_alive()
    reader3.close()


def test_input_file_is_not_modified(clip60: Path) -> None:
    before = (clip60.read_bytes(), clip60.stat().st_mtime_ns, clip60.stat().st_mode)
    probe_video(clip60)
    _read_all(clip60)
    assert (clip60.read_bytes(), clip60.stat().st_mtime_ns, clip60.stat().st_mode) == before


def test_a_file_is_probed_once_while_it_stays_the_same(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "c.mp4"
    clips.make_clip(path, n_frames=10, size=(160, 96))
    opened: list[str] = []
    real_open = video.metadata._open

    def counting_open(path_s: str, name: str):
        opened.append(name)
        return real_open(path_s, name)

    monkeypatch.setattr(video.metadata, "_open", counting_open)
    first = probe_video(path)
    assert probe_video(path) == first and VideoReader(path).info == first
    assert video.measured_fps(path) == video.measured_fps(path) == pytest.approx(30.0)
    assert len(opened) == 2  # one probe, one frame-rate read
    clips.make_clip(path, n_frames=10, size=(192, 128))  # the file changes: probed again
    assert (probe_video(path).width, probe_video(path).height) == (192, 128)
    assert len(opened) == 3
    with pytest.raises(InputTooLargeError):  # other limits: checked, not taken from memory
        probe_video(path, max_pixels=100)
