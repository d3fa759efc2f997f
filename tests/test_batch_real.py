"""``gaitcheck batch`` on real clips (slow: runs the pose model): rows and reports equal ``analyze``'s,
parallel and Dask runs equal the serial one, resume does not re-run, rescore from the cache equals analyze.

The serial batch runs once per module (with --reports and --cache); the other tests compare against it.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path
from typing import Any

import _clips as clips
import pytest

import gaitcheck
from gaitcheck import cli

pytestmark = pytest.mark.slow

CLIPS = ["gait_normal01_indoor_side.mp4", "gait_slouch02_indoor_side.mp4", "lab_man_indoor_back.mp4",
         "arms_crossed_indoor_side.mp4"]
BROKEN = ["text.mp4", "empty.mp4", "missing.mp4"]
STRICT = "[slouch]\nforward_head_max_rel = 0.05\n[look_ahead]\nlook_down_distance_m = 8.0\nrelease_distance_m = 8.5\n"


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def without(row: dict[str, str], *keys: str) -> dict[str, str]:
    return {k: v for k, v in row.items() if k not in keys}


def json_ready(d: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(json.dumps(d))
    return result


class Serial:
    """The serial batch's inputs, folders, exit code and rows (by file name)."""

    def __init__(self, folder: Path, shared: Path) -> None:
        self.folder = folder
        clips.make_text(folder / "text.mp4")
        clips.make_empty(folder / "empty.mp4")
        self.inputs = [str(shared / name) for name in CLIPS] + [str(folder / name) for name in BROKEN]
        self.out, self.reports, self.cache = folder / "serial.csv", folder / "reports", folder / "cache"
        self.code = cli.main(["batch", *self.inputs, "--out", str(self.out), "--reports", str(self.reports),
                              "--cache", str(self.cache), "-q"])
        self.rows = {Path(r["path"]).name: r for r in read_csv(self.out)}

    def report(self, name: str) -> dict[str, Any]:
        result: dict[str, Any] = json.loads(Path(self.rows[name]["report"]).read_text(encoding="utf-8"))
        return result


@pytest.fixture(scope="module")
def serial(shared_videos: Path, tmp_path_factory: pytest.TempPathFactory) -> Serial:
    return Serial(tmp_path_factory.mktemp("batch"), shared_videos)


def test_one_row_per_file_in_input_order_and_reports_equal_analyze(serial: Serial, analysed) -> None:
    assert serial.code == 1  # some files failed
    assert [Path(r["path"]).name for r in read_csv(serial.out)] == CLIPS + BROKEN
    for name in BROKEN:
        row = serial.rows[name]
        assert row["status"] == "error" and row["error"].startswith(f"Cannot read '{name}'")
        assert row["report"] == "" and row["look_ahead_status"] == ""
    for name in CLIPS:
        row, expected = serial.rows[name], analysed.dict(name)
        assert row["status"] == "ok" and row["error"] == ""
        assert serial.report(name) == json_ready(expected)
        la, sl = expected["checks"]["look_ahead"], expected["checks"]["slouch"]
        assert (row["view"], row["look_ahead_status"], row["slouch_status"]) == (
            expected["view"], la["status"], sl["status"])
        assert row["median_head_pitch_deg"] == ("" if la["median_head_pitch_deg"] is None
                                                else str(la["median_head_pitch_deg"]))
        assert row["detection_rate"] == str(expected["subject"]["detection_rate"])
        assert row["frame_count"] == str(expected["video"]["frame_count"])
        gait = expected.get("gait") or {}
        assert row["steps"] == ("" if gait.get("steps") is None else str(gait["steps"]))
    assert serial.rows["gait_slouch02_indoor_side.mp4"]["slouch_status"] == "flag"


def test_parallel_run_equals_the_serial_run(serial: Serial, tmp_path: Path) -> None:
    out = tmp_path / "parallel.csv"
    code = cli.main(["batch", *serial.inputs, "--out", str(out), "--jobs", "2", "--reports", str(tmp_path), "-q"])
    assert code == 1
    rows = read_csv(out)
    assert [without(r, "report") for r in rows] == [without(serial.rows[Path(r["path"]).name], "report") for r in rows]
    for r in rows:
        if r["report"]:
            assert Path(r["report"]).read_bytes() == Path(serial.rows[Path(r["path"]).name]["report"]).read_bytes()


def test_resume_does_not_run_the_model_again(serial: Serial, tmp_path: Path, extracted_names) -> None:
    out = tmp_path / "resumed.csv"
    shutil.copy(serial.out, out)
    extracted = extracted_names
    result = gaitcheck.batch.run_batch(serial.inputs, out, reports=serial.reports, resume=True)
    assert sorted(extracted) == ["empty.mp4", "text.mp4"]  # only the failed ones are tried again
    assert result.resumed == len(CLIPS) and result.exit_code == 1
    assert read_csv(out) == read_csv(serial.out)


def test_rescore_from_the_cache_equals_analyze_and_follows_new_thresholds(serial: Serial, shared_videos: Path,
                                                                          tmp_path: Path, analysed) -> None:
    real = serial.inputs[:len(CLIPS)]
    out, reports = tmp_path / "rescored.csv", tmp_path / "reports"
    code = cli.main(["rescore", *real, "--cache", str(serial.cache), "--out", str(out), "--reports", str(reports),
                     "-q"])
    assert code == 0
    rows = read_csv(out)
    assert [without(r, "report") for r in rows] == [without(serial.rows[n], "report") for n in CLIPS]
    for r, name in zip(rows, CLIPS, strict=True):
        assert json.loads(Path(r["report"]).read_text(encoding="utf-8")) == json_ready(analysed.dict(name))

    strict = tmp_path / "strict.toml"
    strict.write_text(STRICT, encoding="utf-8")
    code = cli.main(["rescore", *real, "--cache", str(serial.cache), "--out", str(out), "--reports", str(reports),
                     "--config", str(strict), "-q"])
    assert code == 0
    rows = {Path(r["path"]).name: r for r in read_csv(out)}
    normal = "gait_normal01_indoor_side.mp4"
    assert (rows[normal]["look_ahead_status"], rows[normal]["slouch_status"]) == ("flag", "flag")
    assert serial.rows[normal]["look_ahead_status"] == serial.rows[normal]["slouch_status"] == "pass"
    expected = gaitcheck.analyze(shared_videos / normal, gaitcheck.load_config(strict)).to_dict()
    assert json.loads(Path(rows[normal]["report"]).read_text(encoding="utf-8")) == json_ready(expected)


def test_dask_cluster_run_equals_the_local_run(serial: Serial, tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    names = ["gait_normal01_indoor_side.mp4", "lab_man_indoor_back.mp4", "text.mp4"]
    inputs = [p for p in serial.inputs if Path(p).name in names]
    out = tmp_path / "cluster.csv"
    with distributed.LocalCluster(host="127.0.0.1", processes=True, n_workers=2, threads_per_worker=1,
                                  dashboard_address=None) as cluster:
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        code = cli.main(["batch", *inputs, "--out", str(out), "--cluster", cluster.scheduler_address, "-q"])
    assert code == 1
    rows = read_csv(out)
    assert [Path(r["path"]).name for r in rows] == names
    assert [without(r, "report") for r in rows] == [without(serial.rows[n], "report") for n in names]
