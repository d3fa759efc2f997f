"""Hostile and damaged input: every case analyses what is readable or fails with one typed line.

Each case runs under a time limit (pytest-timeout), never modifies its input, and leaves nothing
behind in the temporary folder.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

import gaitcheck
from gaitcheck import cli
from gaitcheck.video import VideoReader

pytestmark = pytest.mark.timeout(120)
SOURCE = "gait_slouch02_indoor_side.mp4"


def _write(dst: Path, frames: list[np.ndarray], *, codec: str = "libx264", pts_ms: list[int] | None = None,
           fmt: str | None = None) -> Path:
    """Encode RGB frames into ``dst`` (container from the suffix or ``fmt``), with optional pts in ms."""
    with av.open(str(dst), "w", format=fmt) as out:
        s = out.add_stream(codec, rate=30)
        s.width, s.height = frames[0].shape[1], frames[0].shape[0]
        s.pix_fmt = "yuv420p"
        s.time_base = Fraction(1, 1000)
        for i, img in enumerate(frames):
            f = av.VideoFrame.from_ndarray(np.ascontiguousarray(img), format="rgb24")
            f.pts = (pts_ms[i] if pts_ms is not None else round(i * 1000 / 30))
            f.time_base = Fraction(1, 1000)
            out.mux(s.encode(f))
        out.mux(s.encode(None))
    return dst


@pytest.fixture(scope="module")
def frames(shared_videos) -> list[np.ndarray]:
    """60 frames of a real walk (the slouching walker in full view), at half size."""
    out = []
    with VideoReader(shared_videos / SOURCE) as reader:
        for f in reader:
            if 30 <= f.index < 90:
                out.append(np.ascontiguousarray(f.image[::2, ::2]))
            if f.index >= 90:
                break
    return out


@pytest.fixture(scope="module")
def clip(frames, tmp_path_factory) -> Path:
    return _write(tmp_path_factory.mktemp("clip") / "walk.mp4", frames)


def _run(argv, capsys) -> tuple[int, str, str]:
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def _assert_clean_failure(code: int, err: str) -> None:
    assert code in (1, 2)
    assert err.count("\n") == 1 and err.startswith("gaitcheck: error:"), err
    assert "Traceback" not in err


def _snapshot(path: Path) -> tuple[bytes, int, int]:
    st = path.stat()
    return path.read_bytes(), st.st_mtime_ns, st.st_mode


# ---- damaged bytes -------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", range(6))
def test_cut_at_random_offsets_decodes_or_fails_cleanly(clip, tmp_path, seed):
    data = clip.read_bytes()
    cut = int(np.random.default_rng(seed).integers(1, len(data)))
    bad = tmp_path / f"cut{seed}.mp4"
    bad.write_bytes(data[:cut])
    try:
        with VideoReader(bad) as reader:
            n = sum(1 for _ in reader)
        assert 0 < n <= 60
        if n < 60:
            assert any("damaged" in w for w in reader.warnings)
    except gaitcheck.VideoReadError as exc:
        assert "\n" not in str(exc) and "cut" in str(exc)


@pytest.mark.parametrize("seed", range(6))
def test_random_bytes_overwritten_decode_or_fail_cleanly(clip, tmp_path, seed):
    rng = np.random.default_rng(100 + seed)
    data = bytearray(clip.read_bytes())
    for _ in range(5):
        at = int(rng.integers(0, len(data) - 64))
        data[at : at + 64] = rng.integers(0, 256, 64, dtype=np.uint8).tobytes()
    bad = tmp_path / f"noise{seed}.mp4"
    bad.write_bytes(bytes(data))
    try:
        with VideoReader(bad) as reader:
            for f in reader:
                assert f.image.shape[2] == 3
    except gaitcheck.VideoReadError as exc:
        assert "\n" not in str(exc)


@pytest.mark.slow
def test_damaged_clip_end_to_end_through_the_cli(clip, tmp_path, capsys):
    data = clip.read_bytes()
    bad = tmp_path / "damaged.mp4"
    bad.write_bytes(data[: int(len(data) * 0.7)])
    before = _snapshot(bad)
    code, out, err = _run(["analyze", str(bad), "-q", "--json", str(tmp_path / "r.json")], capsys)
    if code == 0:
        assert "Look ahead" in out
    else:
        _assert_clean_failure(code, err)
    assert _snapshot(bad) == before


# ---- odd geometry, timing and containers -------------------------------------------------------------

def test_one_frame_and_16px_clips_fail_with_one_line(tmp_path, capsys):
    one = _write(tmp_path / "one.mp4", [np.full((96, 160, 3), 120, np.uint8)])
    tiny = _write(tmp_path / "tiny.mp4", [np.full((16, 16, 3), 90, np.uint8)] * 10)
    for path in (one, tiny):
        code, _, err = _run(["analyze", str(path), "-q"], capsys)
        _assert_clean_failure(code, err)
        assert "no person" in err


def test_huge_frames_are_refused_by_the_pixel_limit(tmp_path, capsys):
    big = _write(tmp_path / "big.mp4", [np.zeros((2592, 4608, 3), np.uint8)] * 2)  # 11.9 MP > 4K UHD
    code, _, err = _run(["analyze", str(big), "-q"], capsys)
    _assert_clean_failure(code, err)
    assert "limit" in err and "max_pixels" in err


def test_very_long_declared_duration_is_refused(frames, tmp_path, capsys):
    long = _write(tmp_path / "long.mp4", frames[:3], pts_ms=[0, 1000, 3_600_000])  # a frame after an hour
    code, _, err = _run(["analyze", str(long), "-q"], capsys)
    _assert_clean_failure(code, err)
    assert "limit" in err
    cfg = tmp_path / "short.toml"
    cfg.write_text("[limits]\nmax_duration_s = 1.0\n")
    ok = _write(tmp_path / "ok.mp4", frames[:60])
    code, _, err = _run(["analyze", str(ok), "-q", "--config", str(cfg)], capsys)
    _assert_clean_failure(code, err)
    assert "the limit is 1 s" in err


@pytest.mark.parametrize("pts, why", [([0] * 20, "zero fps: every frame at t = 0"),
                                      (list(range(20)), "absurd fps: 1000 frames per second")])
def test_zero_or_absurd_frame_rate_metadata(frames, tmp_path, capsys, pts, why):
    path = _write(tmp_path / "odd.mp4", frames[:20], pts_ms=pts)
    with VideoReader(path) as reader:
        t = [f.t_s for f in reader]
    assert all(b > a for a, b in zip(t, t[1:], strict=False)), why  # strictly increasing for MediaPipe
    code, out, err = _run(["analyze", str(path), "-q"], capsys)
    if code == 0:
        assert "UNKNOWN" in out  # well under a second of walking: nothing can be judged
    else:
        _assert_clean_failure(code, err)


@pytest.mark.slow
@pytest.mark.parametrize("suffix, codec", [(".mkv", "libx264"), (".webm", "libvpx-vp9"), (".mov", "libx264"),
                                           (".avi", "mpeg4")])
def test_unusual_containers_analyse_like_mp4(frames, tmp_path, suffix, codec):
    path = _write(tmp_path / f"walk{suffix}", frames, codec=codec)
    r = gaitcheck.analyze(path).to_dict()
    assert r["video"]["frame_count"] == len(frames)
    assert r["checks"]["look_ahead"]["status"] == "flag"  # the walker looks at the floor throughout


@pytest.mark.slow
def test_unicode_spaces_and_read_only_input(clip, tmp_path, capsys):
    odd = tmp_path / "marche à pied, lundi 🚶 (1).mp4"
    odd.write_bytes(clip.read_bytes())
    odd.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    before = _snapshot(odd)
    out_json = tmp_path / "rapport é.json"
    code, out, err = _run(["analyze", str(odd), "-q", "--json", str(out_json)], capsys)
    assert code == 0, err
    assert odd.name in out and out_json.exists()
    assert _snapshot(odd) == before


# ---- nothing left behind -------------------------------------------------------------------------------

@pytest.mark.slow
def test_cli_leaves_no_temporary_files(clip, tmp_path):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch)}
    cmd = [sys.executable, "-m", "gaitcheck", "analyze", str(clip), "-q", "--json", str(out / "r.json"),
           "--csv", str(out / "f.csv"), "--annotated", str(out / "a.mp4"), "--pdf", str(out / "r.pdf")]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert list(scratch.iterdir()) == []
    assert sorted(p.name for p in out.iterdir()) == ["a.mp4", "f.csv", "r.json", "r.pdf"]


@pytest.mark.filterwarnings("ignore:A test tried to use socket")
def test_network_is_blocked_in_the_test_suite():
    import socket

    from pytest_socket import SocketConnectBlockedError

    with socket.socket() as s, pytest.raises(SocketConnectBlockedError):
        s.connect(("192.0.2.1", 80))  # TEST-NET-1: never reached, the guard stops it first
