"""The Streamlit page, headless with Streamlit's AppTest (the real analysis runs where marked slow)."""

from __future__ import annotations

from pathlib import Path

import pytest

streamlit_testing = pytest.importorskip("streamlit.testing.v1")
AppTest = streamlit_testing.AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")
TIMEOUT = 240


def _text(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [e.value for e in at.error]
    parts += [i.value for i in at.info] + [s.value for s in at.subheader]
    return "\n".join(str(p) for p in parts)


def test_start_page_has_upload_sample_and_safety_text():
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    assert any(b.label == "Try a sample clip" for b in at.button)
    assert "not a diagnosis" in _text(at)
    assert "professional" in _text(at)
    assert at.sidebar.header[0].value == "Therapist panel"


def _broken(kind: str, tmp_path: Path) -> tuple[bytes, str]:
    import _clips

    if kind == "text":
        return b"this is not a video\n", "walk.mp4"
    if kind == "empty":
        return b"", "empty.mov"
    if kind == "audio":
        return _clips.make_audio_only(tmp_path / "voice.mp4").read_bytes(), "voice.mp4"
    _clips.make_clip(tmp_path / "nobody.mp4", n_frames=30, size=(160, 96))  # test pattern, no person
    return (tmp_path / "nobody.mp4").read_bytes(), "nobody.mp4"


@pytest.mark.parametrize("kind, words", [("text", "could not read walk.mp4"), ("empty", "empty.mov is empty"),
                                         ("audio", "could not read voice.mp4"),
                                         ("nobody", "could not find a person walking in nobody.mp4")])
def test_broken_upload_gives_a_friendly_message(kind, words, tmp_path):
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["video"] = _broken(kind, tmp_path)
    at.run()
    assert not at.exception
    assert len(at.error) == 1
    msg = at.error[0].value
    assert msg.startswith("We could not analyse this clip.") and words in msg
    assert "Traceback" not in msg and "\n" not in msg


@pytest.fixture(scope="module")
def sample_run():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    next(b for b in at.button if b.label == "Try a sample clip").click().run()
    return at


@pytest.mark.slow
def test_sample_clip_shows_cards_people_moments_and_downloads(sample_run):
    at = sample_run
    assert not at.exception
    text = _text(at)
    for heading in ("Look ahead", "Slouch", "Steps"):
        assert f"### {heading}" in text
    assert ":green-badge[PASS]" in text  # the sample walker passes look-ahead and slouch
    assert "People in the clip" in text  # the man on the box is shown too
    assert "Moments to look at" in text and "Over time" in text
    labels = [b.label for b in at.get("download_button")]
    assert "Report (JSON)" in labels and "Per-frame data (CSV)" in labels


@pytest.mark.slow
def test_threshold_change_rescores_without_new_pose_run(sample_run, monkeypatch):
    import gaitcheck.ui

    calls = []
    real = gaitcheck.ui.extract

    def counting(*a, **k):
        calls.append(1)
        return real(*a, **k)

    monkeypatch.setattr(gaitcheck.ui, "extract", counting)
    at = sample_run
    # a strict slouch limit: 4 deg of trunk lean; the sample walker leans back, so forward head decides
    slider = next(s for s in at.slider if s.label.startswith("Slouch: head forward"))
    slider.set_value(0.1).run()
    assert not at.exception
    assert calls == []  # re-scored from the landmarks kept in the session
    assert ":orange-badge[NEEDS ATTENTION]" in _text(at)


def test_uploads_are_deleted_after_use_even_on_failure(tmp_path, monkeypatch):
    import tempfile

    from gaitcheck import ui

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with ui.temporary_video(b"abc", "clip.MOV") as path:
        assert path.read_bytes() == b"abc" and path.suffix == ".mov"
        assert oct(path.parent.stat().st_mode & 0o777) == "0o700"
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(RuntimeError), ui.temporary_video(b"abc", "clip.mp4"):
        raise RuntimeError("analysis failed")
    assert list(tmp_path.iterdir()) == []
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["video"] = (b"not a video", "walk.mp4")
    at.run()
    assert list(tmp_path.iterdir()) == []  # the failed upload left nothing behind


@pytest.mark.slow
def test_picking_another_person_follows_them_on_every_frame(sample_run):
    at = sample_run
    box = next(s for s in at.selectbox if s.label == "The walker is")
    chosen = box.value
    ids = [int(o.split()[-1]) for o in box.options]  # shown as "Person N"
    other = next(i for i in ids if i != chosen)
    box.set_value(other).run()
    assert not at.exception
    box = next(s for s in at.selectbox if s.label == "The walker is")
    assert box.value == other
    (ex,) = at.session_state["extractions"].values()
    person = next(tr for tr in ex.tracks if tr.track_id == other)
    assert person.full  # followed on every frame, not the first analysis's samples
    assert "only looked at every" not in _text(at)
