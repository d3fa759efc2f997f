"""End to end on real clips: three visits of one patient saved from the command line, their
history and trend plot, export and erase; and a batch saving each clip to the patient its folder
names. On SQLite and on PostgreSQL (``db_url``). The clips are read from the shared folder (symlinked
into temporary folders for the batch), never copied into the project.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import zipfile
from pathlib import Path

import pytest

from gaitcheck._io import sha256_file
from gaitcheck.cli import main
from gaitcheck.records import open_store

pytestmark = pytest.mark.slow

#: (clip, --recorded-at or None = the clip's own creation time, note), in the order the visits happened
VISITS = (("gait_slouch02_indoor_side.mp4", "2023-11-20T10:00", "first visit: looks at the floor"),
          ("gait_normal01_indoor_side.mp4", None, "after two weeks of practice"),
          ("gait_limp05_indoor_side.mp4", None, None))


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def keep(path: Path, name: str) -> None:
    """Copy a picture to $GAITCHECK_KEEP_PLOTS (to look at), when set."""
    folder = os.environ.get("GAITCHECK_KEEP_PLOTS")
    if folder:
        shutil.copy(path, Path(folder) / name)


def test_three_visits_from_the_command_line(db_url: str, shared_videos: Path, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    from PIL import Image
    from pypdf import PdfReader

    reports = []
    for i, (clip, when, note) in enumerate(VISITS):
        out = tmp_path / f"visit{i}.json"
        argv = ["analyze", str(shared_videos / clip), "-q", "--json", str(out), "--patient", "P-0042", "--db", db_url]
        argv += ["--recorded-at", when] if when else []
        argv += ["--note", note] if note else []
        argv += ["--patient-name", "Test Walker"] if i == 0 else []
        code, text, err = run_cli(capsys, *argv)
        assert code == 0, err
        assert "Saved as session" in text and "of patient P-0042" in text
        reports.append(json.loads(out.read_text()))

    code, text, _ = run_cli(capsys, "history", "P-0042", "--json", "--db", db_url)
    assert code == 0
    sessions = json.loads(text)["sessions"]
    assert [s["clip_name"] for s in sessions] == [v[0] for v in VISITS]  # in the order they were recorded
    assert [s["recorded_at_source"] for s in sessions] == ["given", "clip", "clip"]
    assert sessions[0]["recorded_at"].startswith("2023-11-20T")
    assert sessions[1]["recorded_at"] == "2023-12-03T09:12:28+00:00"  # the clip's creation_time
    assert [s["note"] for s in sessions] == [v[2] for v in VISITS]
    for s, report, (clip, _, _) in zip(sessions, reports, VISITS, strict=True):
        assert s["clip_sha256"] == sha256_file(shared_videos / clip)
        assert s["look_ahead"] == report["checks"]["look_ahead"]["status"]
        assert s["slouch"] == report["checks"]["slouch"]["status"]
        assert s["gait"] == report["gait"]["status"]
        assert s["median_head_pitch_deg"] == report["checks"]["look_ahead"]["median_head_pitch_deg"]
        assert s["cadence_spm"] == report["gait"]["cadence_spm"]
    # the walker looks at the floor in the first clip and ahead in the second
    assert (sessions[0]["look_ahead"], sessions[1]["look_ahead"]) == ("flag", "pass")
    assert {"label": "Look ahead", "old": "flag", "new": "pass", "delta": "flag -> pass",
            "direction": "better"} in sessions[1]["changes"]

    with open_store(db_url) as store:
        for s, report in zip(sessions, reports, strict=True):
            assert store.report(s["id"]) == report  # the stored report is the one --json wrote
            thumbs = store.thumbnails(s["id"])
            assert 3 <= len(thumbs) <= 6 and [t.position for t in thumbs] == list(range(len(thumbs)))
            for t in thumbs:
                image = Image.open(io.BytesIO(t.jpeg))
                assert image.format == "JPEG" and image.width == 320 and len(t.jpeg) < 40_000
            assert store.video(s["id"]) is None  # only the hash, unless asked
        first = store.thumbnails(sessions[0]["id"])[0]
    (tmp_path / "thumb.jpg").write_bytes(first.jpeg)
    keep(tmp_path / "thumb.jpg", f"thumb-{Path(db_url).name[:12]}.jpg")

    plot = tmp_path / "trend.png"
    code, text, _ = run_cli(capsys, "history", "P-0042", "--plot", str(plot), "--db", db_url)
    assert code == 0 and "Patient P-0042 (Test Walker): 3 sessions" in text
    assert "Look ahead: flag -> pass (better)" in text
    with Image.open(plot) as png:
        assert png.format == "PNG" and png.width >= 900
    keep(plot, f"trend-real-{Path(db_url).name[:12]}.png")

    export = tmp_path / "P-0042.zip"
    code, text, _ = run_cli(capsys, "export", "P-0042", str(export), "--db", db_url)
    assert code == 0 and "3 sessions" in text
    with zipfile.ZipFile(export) as z:
        names = z.namelist()
        for i, s in enumerate(sessions, start=1):
            folder = next(n.rsplit("/", 1)[0] for n in names if n.endswith(f"-session-{s['id']}/report.json"))
            assert folder.startswith(f"P-0042/{i:03d}-")
            assert json.loads(z.read(f"{folder}/report.json")) == reports[i - 1]
            pdf = PdfReader(io.BytesIO(z.read(f"{folder}/report.pdf")))
            assert VISITS[i - 1][0] in "\n".join(page.extract_text() for page in pdf.pages)
            assert sum(n.startswith(f"{folder}/key-moment-") and n.endswith(".jpg") for n in names) >= 3
        assert len(z.read("P-0042/sessions.csv").decode().splitlines()) == 4
    keep(export, f"export-{Path(db_url).name[:12]}.zip")

    code, text, _ = run_cli(capsys, "forget", "P-0042", "--yes", "--db", db_url)
    assert code == 0 and "3 session(s)" in text
    code, text, _ = run_cli(capsys, "patients", "--db", db_url)
    assert code == 0 and "No patients" in text


def test_batch_saves_each_clip_to_the_patient_its_folder_names(db_url: str, shared_videos: Path, tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    clip = shared_videos / "gait_normal01_indoor_side.mp4"
    for folder in ("P-0100", "not a code"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / clip.name).symlink_to(clip)
    out = tmp_path / "results.csv"
    code, _, _ = run_cli(capsys, "batch", str(tmp_path / "P-0100"), str(tmp_path / "not a code"), "--out", str(out),
                         "--patient-from", "parent", "--db", db_url, "-q")
    assert code == 1  # one file could not be given a patient
    rows = out.read_text().splitlines()
    bad = [r for r in rows if "not a code" in r]
    assert len(bad) == 1 and "its folder does not name a patient" in bad[0]
    with open_store(db_url) as store:
        assert [(p.code, p.sessions) for p in store.patients()] == [("P-0100", 1)]
        (s,) = store.sessions("P-0100")
        assert s.clip_sha256 == sha256_file(clip) and s.recorded_at_source == "clip"
        assert len(store.thumbnails(s.id)) >= 3
        assert store.report(s.id)["video"]["path"].endswith(f"P-0100/{clip.name}")
