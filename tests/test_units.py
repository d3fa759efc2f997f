"""Unit tests: tracking and walker choice, cleaning, the container, config, errors."""

from __future__ import annotations

import numpy as np
import pytest
from _synth import make_extraction, make_walker

import gaitcheck
from gaitcheck.clean import fill_short_gaps, identity_jumps, lowpass
from gaitcheck.config import Config, load_config
from gaitcheck.errors import ConfigError, NoWalkerError, ShapeError
from gaitcheck.series import PoseSeries


def standing_person(t, x=900.0, scale=1.4):
    """A big person who stays in place and does not swing the legs (like the man on the box)."""
    img, world, _ = make_walker(t=t, speed_px_s=0.0, start_x=x, scale=scale, cadence_spm=0.001)
    return img, world, t


# ---- tracking and choosing the walker ------------------------------------------------------

def test_walker_is_chosen_over_a_larger_static_person():
    t = np.arange(150) / 30
    walker = make_walker(t=t, scale=0.8)
    ex = make_extraction(standing_person(t), walker)
    r = gaitcheck.score(ex).to_dict()
    tracks = r["subject"]["tracks"]
    assert len(tracks) == 2
    chosen = next(tr for tr in tracks if tr["chosen"])
    other = next(tr for tr in tracks if not tr["chosen"])
    assert chosen["size_rel"] < other["size_rel"]  # the walker is the smaller one, yet chosen
    assert r["frames"][0]["hip_x"] == pytest.approx(0.15, abs=0.01)
    assert any("people were found" in w for w in r["warnings"])


def test_override_by_track_id_and_by_point():
    t = np.arange(150) / 30
    ex = make_extraction(standing_person(t), make_walker(t=t, scale=0.8))
    tracks = gaitcheck.score(ex).to_dict()["subject"]["tracks"]
    static = next(tr["track_id"] for tr in tracks if not tr["chosen"])
    assert gaitcheck.score(ex, track_id=static).to_dict()["subject"]["track_id"] == static
    # the static person's hips are at x = 900 px of 1280
    hip_y = gaitcheck.score(ex, track_id=static).to_dict()["frames"][50]["hip_y"]
    by_point = gaitcheck.score(ex, walker_point=(900 / 1280, hip_y, 1.5)).to_dict()
    assert by_point["subject"]["track_id"] == static
    with pytest.raises(NoWalkerError, match="track id 99"):
        gaitcheck.score(ex, track_id=99)
    with pytest.raises(NoWalkerError, match="nobody"):
        gaitcheck.score(ex, walker_point=(0.99, 0.01, 1.0))


def test_track_survives_short_dropouts():
    t = np.arange(150) / 30
    present = np.ones(150, bool)
    present[40:48] = False  # 8 missing frames (0.27 s)
    ex = make_extraction(make_walker(t=t), present=[present])
    assert len(ex.tracks) == 1
    r = gaitcheck.score(ex).to_dict()
    assert r["subject"]["detection_rate"] == pytest.approx(142 / 150, abs=1e-3)
    assert not r["frames"][44]["detected"]


def test_nobody_found_is_a_typed_error():
    t = np.arange(30) / 30
    ex = make_extraction(make_walker(t=t), present=[np.zeros(30, bool)])
    with pytest.raises(NoWalkerError, match="no person"):
        gaitcheck.score(ex)


def test_identity_jump_frames_are_dropped():
    t = np.arange(150) / 30
    img, world, _ = make_walker(t=t)
    img = img.copy()
    # one frame's landmarks land 150 px away: close enough for the tracker's gate (0.5 body sizes),
    # but a speed of 150 px in 1/30 s is ~10 body sizes per second, impossible for a walker
    img[70, :, 0] += 150
    px = img[:, :, :2].astype(np.float64)
    jumps = identity_jumps(px, t, max_speed=6.0)
    assert jumps[70] and jumps.sum() <= 2
    r = gaitcheck.score(make_extraction((img, world, t))).to_dict()
    assert r["frames"][70]["identity_jump"] is True
    assert any("jumped" in w for w in r["warnings"])


# ---- cleaning ------------------------------------------------------------------------------

def test_gap_longer_than_max_is_not_interpolated():
    t = np.arange(20) / 10
    x = np.arange(20, dtype=float)
    x[3:5] = np.nan  # bridge 0.3 s
    x[10:16] = np.nan  # bridge 0.7 s
    y = fill_short_gaps(x, t, 0.3)
    np.testing.assert_allclose(y[3:5], [3, 4])
    assert np.isnan(y[10:16]).all()


def test_lowpass_is_zero_phase_and_removes_noise():
    t = np.arange(300) / 30
    slow = np.sin(2 * np.pi * 1.0 * t)
    noisy = slow + 0.3 * np.sin(2 * np.pi * 12 * t)
    y = lowpass(noisy, 30.0, 6.0)
    assert np.abs(y - slow)[20:-20].max() < 0.05  # no lag, 12 Hz gone


def test_lowpass_keeps_nan_runs_separate():
    x = np.r_[np.ones(40), np.full(5, np.nan), 2 * np.ones(40)]
    y = lowpass(x, 30.0, 6.0)
    assert np.isnan(y[40:45]).all()
    np.testing.assert_allclose(y[:40], 1, atol=1e-9)
    np.testing.assert_allclose(y[45:], 2, atol=1e-9)


# ---- the container -------------------------------------------------------------------------

def test_pose_series_validates_and_is_read_only():
    s = PoseSeries.empty((640, 480))
    assert len(s) == 0 and s.pixels().shape == (0, 33, 2)
    n = 3
    ok = dict(xyz=np.zeros((n, 33, 3)), visibility=np.ones((n, 33)), world=np.zeros((n, 33, 3)), t=np.arange(n) / 30,
              frame_size=(640, 480))
    s = PoseSeries(**ok)
    with pytest.raises(ValueError):
        s.xyz[0, 0, 0] = 1.0
    with pytest.raises(ShapeError, match=r"xyz must have shape \(3, 33, 3\), got \(3, 17, 3\)"):
        PoseSeries(**{**ok, "xyz": np.zeros((n, 17, 3))})
    assert s.pixels()[0, 0].tolist() == [0.0, 0.0]


# ---- config --------------------------------------------------------------------------------

def test_example_config_matches_defaults(tmp_path):
    from pathlib import Path

    example = Path(__file__).resolve().parents[1] / "gaitcheck.example.toml"
    assert load_config(example) == Config()


def test_the_turn_setting_is_checked_and_a_whole_number_in_toml_is_read_as_degrees(tmp_path):
    p = tmp_path / "c.toml"
    p.write_text("[pose]\nturn = 90\n")
    assert load_config(p).pose.turn == "90"
    p.write_text('[pose]\nturn = "270"\n')
    assert load_config(p).pose.turn == "270"
    for bad in ("45", '"sideways"', "true", "90.0"):
        p.write_text(f"[pose]\nturn = {bad}\n")
        with pytest.raises(ConfigError, match="pose.turn must be"):
            load_config(p)


def test_config_overrides_and_unknown_keys(tmp_path):
    p = tmp_path / "c.toml"
    p.write_text("[slouch]\ntrunk_lean_max_deg = 12.5\n[body]\nheight_cm = 160\n")
    cfg = load_config(p)
    assert cfg.slouch.trunk_lean_max_deg == 12.5 and cfg.body.height_cm == 160
    assert Config().slouch.trunk_lean_max_deg == 10.0  # defaults untouched
    p.write_text("[slouch]\ntrunk_lean_max = 12\n")
    with pytest.raises(ConfigError, match="did you mean 'trunk_lean_max_deg'"):
        load_config(p)
    p.write_text("[slouch]\ntrunk_lean_max_deg = 'high'\n")
    with pytest.raises(ConfigError, match="must be a number"):
        load_config(p)
    p.write_text("[slouch\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(p)
    p.write_text("[slouch]\ntrunk_lean_max_deg = 2.0\n")  # not above the 2 deg hysteresis
    with pytest.raises(ConfigError, match="larger than slouch.hysteresis_deg"):
        load_config(p)
    p.write_text("[body]\nheight_cm = 0\n")
    with pytest.raises(ConfigError, match="height_cm must be 50 to 250"):
        load_config(p)
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "missing.toml")


def test_all_errors_derive_from_gaitcheck_error():
    for exc in (gaitcheck.VideoReadError, gaitcheck.InputTooLargeError, gaitcheck.ConfigError, gaitcheck.ModelError,
                gaitcheck.NoWalkerError, gaitcheck.ShapeError):
        assert issubclass(exc, gaitcheck.GaitcheckError)
