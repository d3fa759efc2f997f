"""A 60 fps clip made from a real 30 fps one scores like the original, with the pose model at 30 fps (slow).

The 60 fps clip is made inside the test with FFmpeg's ``minterpolate`` filter (through PyAV's
libavfilter; ``mi_mode=blend``: each new frame is the blend of its two neighbours, which is quick,
where the motion-compensated ``mci`` the benchmark uses takes ~1 s a frame). Its even frames are
the original's frames (losslessly re-encoded), so with ``pose.min_model_fps = 25`` the model looks at what it
looked at in the original, and the frames in between are interpolated: posture medians within 1°,
gait events within one 30 fps frame, the same verdicts, and every frame of the 60 fps clip kept
(its own row, time and picture).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from _derive import interpolate

import gaitcheck

pytestmark = pytest.mark.slow

SOURCE = "lab_woman_indoor_side.mp4"  # a real 30 fps clip, one walker seen from the side


@pytest.fixture(scope="module")
def reports(shared_videos: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    src = shared_videos / SOURCE
    fast = interpolate(src, tmp_path_factory.mktemp("fps") / "walk_60fps.mp4")  # blend, lossless
    return {"30": gaitcheck.analyze(src).to_dict(), "60": gaitcheck.analyze(fast).to_dict()}


def test_the_60fps_clip_is_looked_at_like_its_original(reports: dict[str, dict[str, Any]]) -> None:
    r30, r60 = reports["30"], reports["60"]
    assert r60["video"]["fps"] == pytest.approx(2 * r30["video"]["fps"], rel=0.01)
    assert len(r60["frames"]) >= 2 * len(r30["frames"]) - 3  # every frame kept (the filter ends a frame early)
    assert not any("only looked at" in w for w in r60["warnings"]), r60["warnings"]
    assert r60["subject"]["detection_rate"] == pytest.approx(r30["subject"]["detection_rate"], abs=0.05)


def test_posture_medians_and_verdicts_stay_the_same(reports: dict[str, dict[str, Any]]) -> None:
    r30, r60 = reports["30"], reports["60"]
    assert r30["checks"]["look_ahead"]["status"] in ("pass", "flag")  # the clip supports a verdict
    for name, check in r30["checks"].items():
        other = r60["checks"][name]
        assert other["status"] == check["status"], name
        for key, value in check.items():
            if key.startswith("median_") and key.endswith("_deg") and value is not None:
                assert other[key] == pytest.approx(value, abs=1.0), (name, key)
    for key in ("status", "median_rel"):
        assert r60["gait"]["overstride"][key] == pytest.approx(r30["gait"]["overstride"][key], abs=0.05)


def test_gait_events_within_one_30fps_frame(reports: dict[str, dict[str, Any]]) -> None:
    r30, r60 = reports["30"], reports["60"]
    ev30, ev60 = r30["gait"]["events"], r60["gait"]["events"]
    assert len(ev30) >= 4 and len(ev60) == len(ev30)
    frame = 1 / r30["video"]["fps"]
    for a, b in zip(ev30, ev60, strict=True):
        assert (a["type"], a["foot"]) == (b["type"], b["foot"])
        assert abs(a["t_s"] - b["t_s"]) <= frame + 1e-6, (a, b)
    assert r60["gait"]["cadence_spm"] == pytest.approx(r30["gait"]["cadence_spm"], rel=0.03)
