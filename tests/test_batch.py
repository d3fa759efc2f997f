"""``gaitcheck batch`` / ``rescore`` without the pose model (fast): inputs, error rows, the results file,
resume, reports, the landmark cache, crash isolation and usage errors.

Clips are tiny synthetic videos whose landmarks are put in the cache beforehand (synthetic walkers),
so they are scored without running the model; broken files fail before the model is loaded.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import _clips as clips
import pytest
from _synth import make_extraction, make_walker

import gaitcheck
from gaitcheck import cli
from gaitcheck._io import sha256_file as file_sha256
from gaitcheck.batch import COLUMNS, expand_inputs, rescore_batch, run_batch
from gaitcheck.batch.cache import LandmarkCache
from gaitcheck.batch.distributed import DaskCluster
from gaitcheck.batch.pool import CRASH_MESSAGE, run_in_processes
from gaitcheck.batch.runners import WORKER_MB, InProcess, ProcessPool, cores, runner_for, worker_count
from gaitcheck.batch.worker import FileResult, Task
from gaitcheck.config import Config
from gaitcheck.pose.landmarker import resolve_model


def run(argv: Sequence[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return rows


def error_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("error ")]


# --- inputs -------------------------------------------------------------------------------------


def _touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x")
    return path


def test_folders_are_searched_recursively_for_video_extensions_in_any_case(tmp_path: Path) -> None:
    d = tmp_path / "clinic"
    for name in ("a.mp4", "sub/B.MOV", "sub/deeper/c.webm", "sub/d.Mkv", "e.m4v", "f.avi",
                 "notes.txt", "img.jpg", "._a.mp4", ".hidden/x.mp4"):
        _touch(d / name)
    found = [Path(i.path).relative_to(d).as_posix() for i in expand_inputs([d])]
    assert found == ["a.mp4", "e.m4v", "f.avi", "sub/B.MOV", "sub/d.Mkv", "sub/deeper/c.webm"]
    assert all(i.error is None for i in expand_inputs([d]))


def test_globs_are_expanded_and_inputs_are_taken_once(tmp_path: Path, monkeypatch) -> None:
    d = tmp_path / "clinic"
    for name in ("a.mp4", "b.mp4", "sub/c.mp4", "sub/notes.txt"):
        _touch(d / name)
    names = lambda items: [Path(i.path).name for i in items]  # noqa: E731
    assert names(expand_inputs([str(d / "*.mp4")])) == ["a.mp4", "b.mp4"]
    assert sorted(names(expand_inputs([str(d / "**" / "*")]))) == ["a.mp4", "b.mp4", "c.mp4"]
    # the same file named twice, by folder and by name, relative and absolute: once, first place kept
    monkeypatch.chdir(tmp_path)
    assert names(expand_inputs(["clinic/b.mp4", d, str(d / "b.mp4")])) == ["b.mp4", "a.mp4", "c.mp4"]
    # a file named explicitly is taken whatever its extension (it fails later if it is no video)
    assert names(expand_inputs([d / "sub" / "notes.txt"])) == ["notes.txt"]


def test_empty_folder_and_unmatched_pattern_are_error_inputs(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    items = expand_inputs([tmp_path / "empty", str(tmp_path / "*.mov"), tmp_path / "missing.mp4"])
    assert [(Path(i.path).name, i.error is not None) for i in items] == [
        ("empty", True), ("*.mov", True), ("missing.mp4", False)]  # a missing file fails like in analyze


# --- broken files and usage errors (no model needed) --------------------------------------------


def test_broken_files_are_error_rows_with_one_line_reasons_and_exit_1(tmp_path: Path, capsys) -> None:
    text = clips.make_text(tmp_path / "text.mp4")
    empty = clips.make_empty(tmp_path / "empty.mp4")
    before = {p: file_sha256(p) for p in (text, empty)}
    out = tmp_path / "results.csv"
    code, stdout, err = run(["batch", text, empty, tmp_path / "missing.mp4", "--out", out, "-q"], capsys)
    assert code == 1
    assert "Traceback" not in err and stdout == ""
    rows = read_csv(out)
    assert list(rows[0]) == list(COLUMNS)
    assert [(Path(r["path"]).name, r["status"]) for r in rows] == [
        ("text.mp4", "error"), ("empty.mp4", "error"), ("missing.mp4", "error")]
    assert "not a video" in rows[0]["error"] and "empty" in rows[1]["error"] and "does not exist" in rows[2]["error"]
    assert rows[0]["sha256"] == before[text] and rows[2]["sha256"] == ""
    assert all(r["look_ahead_status"] == "" and "\n" not in r["error"] for r in rows)
    assert len(error_lines(err)) == 3  # one line per failed file while the batch runs
    assert "3 files" in err and "failed" in err  # the summary table
    assert {p: file_sha256(p) for p in (text, empty)} == before  # inputs are only read


@pytest.mark.parametrize("argv, words", [
    (["batch", "{d}/x.mp4"], "--out"),
    (["batch", "{d}/x.mp4", "--out", "{d}/nope/r.csv"], "does not exist"),
    (["batch", "{d}/x.mp4", "--out", "{d}/r.csv", "--jobs", "-1"], "--jobs"),
    (["batch", "{d}/x.mp4", "--out", "{d}/r.csv", "--format", "xml"], "--format"),
    (["batch", "{d}/x.mp4", "--out", "{d}/x.mp4"], "refusing to overwrite an input video"),
    (["batch", "{d}/x.mp4", "--out", "{d}/notes.txt", "--resume"], "cannot resume"),
    (["rescore", "{d}/x.mp4", "--out", "{d}/r.csv"], "--cache"),
])
def test_usage_errors_are_exit_2_and_one_line(tmp_path: Path, capsys, argv: list[str], words: str) -> None:
    clips.make_text(tmp_path / "x.mp4")
    (tmp_path / "notes.txt").write_text("hello\nworld\n", encoding="utf-8")
    code, _, err = run([a.format(d=tmp_path) for a in argv], capsys)
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and err.startswith("gaitcheck: error:"), err
    assert words in err
    assert not (tmp_path / "r.csv").exists()


def test_cluster_without_the_extra_says_how_to_install_it(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # `import distributed` now fails
    clips.make_text(tmp_path / "x.mp4")
    code, _, err = run(["batch", tmp_path / "x.mp4", "--out", tmp_path / "r.csv", "--cluster", "tcp://127.0.0.1:1"],
                       capsys)
    assert code == 2
    assert err.strip().splitlines() == [
        "gaitcheck: error: --cluster needs Dask distributed, which is not installed: "
        "pip install 'gaitcheck[distributed]'"]
    assert not (tmp_path / "r.csv").exists()


def test_help_documents_exit_codes_and_where_the_cache_keeps_landmarks(capsys) -> None:
    code, out, _ = run(["batch", "--help"], capsys)
    assert code == 0
    text = " ".join(out.split())
    assert "0 every file was scored; 1 some files failed" in text and "2 usage" in text
    assert "--cache DIR; none unless given" in text and "patients' health data" in text
    code, out, _ = run(["rescore", "--help"], capsys)
    assert code == 0 and "not in the cache" in out


# --- synthetic clips scored from the cache ------------------------------------------------------


@pytest.fixture
def clinic(tmp_path: Path) -> dict[str, Path]:
    """Two tiny clips whose landmarks (an upright and a slouching walker) are in the cache, and a text file."""
    d = tmp_path / "clinic"
    d.mkdir()
    paths = {"upright": d / "upright.mp4", "slouch": d / "slouch.mp4", "text": clips.make_text(d / "text.mp4"),
             "cache": tmp_path / "cache", "reports": tmp_path / "reports", "out": tmp_path / "results.csv"}
    clips.make_clip(paths["upright"], n_frames=6)
    _seed(paths["cache"], paths["upright"], trunk_lean_deg=0.0)
    clips.make_clip(paths["slouch"], n_frames=8)
    _seed(paths["cache"], paths["slouch"], trunk_lean_deg=20.0)
    return paths


def _seed(cache: Path, video: Path, trunk_lean_deg: float) -> gaitcheck.Extraction:
    ext = dataclasses.replace(make_extraction(make_walker(150, trunk_lean_deg=trunk_lean_deg)), model=resolve_model())
    LandmarkCache(cache).save(file_sha256(video), Config().pose, ext)
    return ext


def _count_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Count (by file name) the files the batch scores in this process."""
    import gaitcheck.batch.runners as runners

    calls: list[str] = []
    real = runners.process_file

    def counting(task: Task, notify=None, **kwargs) -> FileResult:
        calls.append(Path(task.path).name)
        return real(task, notify, **kwargs)

    monkeypatch.setattr(runners, "process_file", counting)
    return calls


def _batch(c: dict[str, Path], **options) -> gaitcheck.batch.BatchResult:
    return run_batch([c["upright"].parent], c["out"], cache=c["cache"], reports=c["reports"], **options)


def test_cached_clips_are_scored_without_the_model_and_reports_kept(clinic, extracted_names) -> None:
    extracted = extracted_names
    result = _batch(clinic)
    assert extracted == ["text.mp4"]  # only the file not in the cache went to the decoder (and failed there)
    assert (result.ok, result.failed, result.cached, result.exit_code) == (2, 1, 2, 1)
    rows = {Path(r["path"]).name: r for r in read_csv(clinic["out"])}
    assert list(rows) == ["slouch.mp4", "text.mp4", "upright.mp4"]  # input (sorted folder) order
    assert rows["upright.mp4"]["slouch_status"] == "pass" and rows["slouch.mp4"]["slouch_status"] == "flag"
    assert rows["text.mp4"]["status"] == "error" and rows["text.mp4"]["report"] == ""
    for name in ("upright.mp4", "slouch.mp4"):
        report_file = Path(rows[name]["report"])
        assert report_file.parent == clinic["reports"] and report_file.name.startswith(Path(name).stem + "-")
        report = json.loads(report_file.read_text(encoding="utf-8"))
        assert report["video"]["path"] == rows[name]["path"]
        expected = gaitcheck.score(LandmarkCache(clinic["cache"]).load(
            rows[name]["sha256"], resolve_model().sha256, Config().pose, rows[name]["path"])).to_dict()
        assert report == json.loads(json.dumps(expected))
    assert sorted(p.name for p in clinic["reports"].iterdir()) == sorted(Path(r["report"]).name
                                                                          for r in rows.values() if r["report"])


def test_same_named_clips_in_two_folders_get_two_reports(clinic, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    clips.make_clip(other / "upright.mp4", n_frames=7)
    _seed(clinic["cache"], other / "upright.mp4", trunk_lean_deg=0.0)
    run_batch([clinic["upright"], other / "upright.mp4"], clinic["out"], cache=clinic["cache"],
              reports=clinic["reports"])
    assert len(list(clinic["reports"].glob("upright-*.json"))) == 2


def test_resume_skips_unchanged_ok_files_and_retries_the_rest(clinic, monkeypatch) -> None:
    first = _batch(clinic)
    before = read_csv(clinic["out"])
    calls = _count_calls(monkeypatch)
    again = _batch(clinic, resume=True)
    assert calls == ["text.mp4"]  # the error row is retried; the two ok files are not scored again
    assert read_csv(clinic["out"]) == before
    assert again.resumed == 2 and again.rows[0]["status"] == "ok"
    assert [r.status for r in again.results] == [r.status for r in first.results]

    # a clip whose content changed is scored again; a deleted report makes its clip scored again
    clips.make_clip(clinic["slouch"], n_frames=9)
    _seed(clinic["cache"], clinic["slouch"], trunk_lean_deg=20.0)
    upright_report = Path(next(r["report"] for r in before if r["path"].endswith("upright.mp4")))
    upright_report.unlink()
    calls.clear()
    _batch(clinic, resume=True)
    assert calls == ["slouch.mp4", "text.mp4", "upright.mp4"]
    assert upright_report.is_file()
    after = {Path(r["path"]).name: r for r in read_csv(clinic["out"])}
    assert after["slouch.mp4"]["sha256"] == file_sha256(clinic["slouch"]) != before[0]["sha256"]


def test_resume_keeps_rows_of_files_outside_this_batch(clinic) -> None:
    _batch(clinic)
    run_batch([clinic["upright"]], clinic["out"], cache=clinic["cache"], resume=True)
    names = [Path(r["path"]).name for r in read_csv(clinic["out"])]
    assert names == ["upright.mp4", "slouch.mp4", "text.mp4"]


def test_interrupted_batch_leaves_a_valid_file_that_resume_completes(clinic, monkeypatch) -> None:
    import gaitcheck.batch.runners as runners

    real = runners.process_file

    def interrupted(task: Task, notify=None, **kwargs) -> FileResult:
        if task.index == 1:
            raise KeyboardInterrupt
        return real(task, notify, **kwargs)

    monkeypatch.setattr(runners, "process_file", interrupted)
    with pytest.raises(KeyboardInterrupt):
        _batch(clinic)
    rows = read_csv(clinic["out"])  # a valid CSV with the header and the row finished before the interrupt
    assert [(Path(r["path"]).name, r["status"]) for r in rows] == [("slouch.mp4", "ok")]
    monkeypatch.undo()
    calls = _count_calls(monkeypatch)
    result = _batch(clinic, resume=True)
    assert calls == ["text.mp4", "upright.mp4"] and result.resumed == 1
    assert [Path(r["path"]).name for r in read_csv(clinic["out"])] == ["slouch.mp4", "text.mp4", "upright.mp4"]


def test_jsonl_results_keep_types(clinic) -> None:
    out = clinic["out"].with_suffix(".jsonl")
    run_batch([clinic["upright"], clinic["text"]], out, cache=clinic["cache"])
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [list(r) for r in rows] == [list(COLUMNS)] * 2
    assert rows[0]["status"] == "ok" and isinstance(rows[0]["detection_rate"], float)
    assert rows[1]["status"] == "error" and rows[1]["detection_rate"] is None


def test_rescore_uses_new_thresholds_and_names_clips_not_in_the_cache(clinic, tmp_path: Path, capsys) -> None:
    lax = tmp_path / "lax.toml"
    lax.write_text("[slouch]\ntrunk_lean_max_deg = 30.0\n", encoding="utf-8")
    out = tmp_path / "rescored.csv"
    code, _, err = run(["rescore", clinic["upright"], clinic["slouch"], "--cache", clinic["cache"], "--out", out],
                       capsys)
    assert code == 0, err
    assert [r["slouch_status"] for r in read_csv(out)] == ["pass", "flag"]
    code, _, err = run(["rescore", clinic["slouch"], clinic["text"], "--cache", clinic["cache"], "--out", out,
                        "--config", lax], capsys)
    assert code == 1
    rows = read_csv(out)
    assert rows[0]["slouch_status"] == "pass"  # 20 degrees is under the new 30 degree limit
    assert rows[1]["status"] == "error" and "'text.mp4' is not in the landmark cache" in rows[1]["error"]
    result = rescore_batch([clinic["slouch"]], out, cache=clinic["cache"],
                           config=Config().with_overrides("pose", max_people=1))
    assert "only with another pose model or other [pose] settings" in (result.results[0].error or "")


# --- runners -------------------------------------------------------------------------------------


class RecordingRunner(InProcess):
    """Scores in this process, recording what the batch asked of it."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str] = []

    def __enter__(self) -> RecordingRunner:
        self.calls.append("enter")
        return self

    def __exit__(self, *exc: object) -> None:
        self.calls.append("exit")

    def run(self, tasks, on_result, on_event) -> None:  # type: ignore[no-untyped-def]
        self.calls.append(f"run {sorted(Path(t.path).name for t in tasks)}")
        super().run(tasks, on_result, on_event)


def test_the_batch_scores_through_the_runner_it_is_given(clinic) -> None:
    runner = RecordingRunner()
    result = _batch(clinic, runner=runner)
    assert runner.calls == ["enter", "run ['slouch.mp4', 'text.mp4', 'upright.mp4']", "exit"]
    assert (result.ok, result.failed) == (2, 1)
    again = RecordingRunner()
    assert _batch(clinic, runner=again, resume=True).resumed == 2
    assert again.calls == ["enter", "run ['text.mp4']", "exit"]  # only the failed file again
    with pytest.raises(gaitcheck.ConfigError, match="runner or jobs"):
        _batch(clinic, runner=RecordingRunner(), jobs=2)


def test_jobs_and_cluster_name_a_runner() -> None:
    assert isinstance(runner_for(1), InProcess)
    assert isinstance(runner_for(3), ProcessPool) and runner_for(3).jobs == 3  # type: ignore[attr-defined]
    assert worker_count(0, memory_mb=1e9) == cores() and worker_count(2) == 2
    assert worker_count(0, memory_mb=WORKER_MB - 1) == 1  # one per core, within the memory there is
    assert worker_count(0, memory_mb=2 * WORKER_MB) == min(2, cores())
    assert isinstance(runner_for(2, "tcp://127.0.0.1:1"), DaskCluster)
    with pytest.raises(gaitcheck.ConfigError, match="--jobs"):
        runner_for(-1)


# --- worker processes ---------------------------------------------------------------------------


def crashing_work(task: Task) -> FileResult:
    """Kill the worker process on files named crash*; score the others instantly (runs in the workers)."""
    if Path(task.path).name.startswith("crash"):
        os._exit(3)
    time.sleep(0.3)
    return FileResult(task.path, "ok", None, None, {"path": task.path, "status": "ok"})


def test_a_crashing_worker_process_costs_only_its_own_file() -> None:
    names = ["a.mp4", "crash.mp4", "b.mp4", "c.mp4", "d.mp4"]
    tasks = [Task(i, n, n, Config()) for i, n in enumerate(names)]
    results: list[FileResult] = []
    run_in_processes(tasks, 2, results.append, lambda event: None, work=crashing_work)
    by_name = {r.path: r for r in results}
    assert sorted(by_name) == sorted(names) and len(results) == len(names)  # each file once
    assert by_name["crash.mp4"].status == "error" and by_name["crash.mp4"].error == CRASH_MESSAGE
    assert all(by_name[n].status == "ok" for n in names if n != "crash.mp4")
