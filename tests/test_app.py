"""The Streamlit page, headless with Streamlit's AppTest, and the page's helpers in ``gaitcheck.ui``.

Fast tests drive the page on a synthetic walker (``tests/_synth.py``) over a synthetic clip of the same
size, so the pictures are real decodes; the real pose model runs where marked slow.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from _synth import make_extraction, make_walker

import gaitcheck
from gaitcheck import ui
from gaitcheck.config import Config
from gaitcheck.evidence.marks import flagged_spans, look_down_pitch_deg
from gaitcheck.ui.precheck import Glimpse, judge

streamlit_testing = pytest.importorskip("streamlit.testing.v1")
AppTest = streamlit_testing.AppTest

try:
    from tests import _clips as clips
except ImportError:  # tests/ is not a package: pytest put it on sys.path
    import _clips as clips  # type: ignore[no-redef]

APP = str(Path(__file__).resolve().parents[1] / "app.py")
TIMEOUT = 240
SIZE = (480, 288)  # the walker must be measurable: at least 120 px from shoulder to ankle (seen.min_body_px)


@pytest.fixture(autouse=True, scope="module")
def _own_records(tmp_path_factory):
    """The page's records database is a fresh file, never the one in the user's data folder."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GAITCHECK_DB", str(tmp_path_factory.mktemp("records") / "records.sqlite3"))
        mp.delenv("GAITCHECK_SERVED", raising=False)
        yield


def _text(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [e.value for e in at.error]
    parts += [i.value for i in at.info] + [s.value for s in at.subheader] + [w.value for w in at.warning]
    parts += [c for im in at.get("image") for c in im.captions]  # pictures' captions
    return "\n".join(str(p) for p in parts)


def _walk(tmp_path: Path, n: int = 90, **walker) -> tuple[bytes, gaitcheck.Extraction]:
    """A synthetic clip and the synthetic walker "found" in it (same frames, same size)."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    times = np.array(clips.make_clip(tmp_path / "walk.mp4", n_frames=n, size=SIZE))
    person = make_walker(t=times, frame_size=SIZE, scale=0.4, speed_px_s=90.0, start_x=SIZE[0] * 0.2, **walker)
    return (tmp_path / "walk.mp4").read_bytes(), make_extraction(person, frame_size=SIZE)


def _upload(tmp_path: Path, **walker) -> ui.Upload:
    data, ex = _walk(tmp_path, **walker)
    up = ui.Upload(data, "walk.mp4")
    up.extraction = ex  # as if analysed: the page re-scores from it
    return up


def _report(tmp_path: Path, **walker) -> gaitcheck.Report:
    return _upload(tmp_path, **walker).report(Config(), None)


# ---- the page --------------------------------------------------------------------------------------------

def test_start_page_shows_the_filming_guide_upload_sample_and_safety_text():
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    assert any(b.label == "Try a sample clip" for b in at.button)
    text = _text(at)
    assert "How to film" in text
    for point in ui.GUIDE_POINTS:
        assert point in text
    assert len(at.get("image")) == 1  # the guide's picture
    assert "not a diagnosis" in text and "professional" in text
    assert at.sidebar.header[0].value == "Therapist panel"


def test_the_guide_picture_is_a_self_contained_svg():
    svg = ui.guide_svg()
    assert svg.startswith("<svg") and "3-4 m" in svg and "10-13 ft" in svg and "hip height" in svg
    assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")  # nothing fetched


def _broken(kind: str, tmp_path: Path) -> tuple[bytes, str]:
    if kind == "text":
        return b"this is not a video\n", "walk.mp4"
    if kind == "empty":
        return b"", "empty.mov"
    return clips.make_audio_only(tmp_path / "voice.mp4").read_bytes(), "voice.mp4"


@pytest.mark.parametrize("kind, words", [("text", "could not read walk.mp4"), ("empty", "empty.mov is empty"),
                                         ("audio", "could not read voice.mp4")])
def test_broken_upload_gives_a_friendly_message(kind, words, tmp_path):
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["upload"] = ui.Upload(*_broken(kind, tmp_path))
    at.run()
    assert not at.exception
    assert len(at.error) == 1
    msg = at.error[0].value
    assert msg.startswith("We could not analyse this clip.") and words in msg
    assert "Traceback" not in msg and "\n" not in msg


def test_precheck_warns_before_the_analysis_and_never_blocks(tmp_path):
    clips.make_clip(tmp_path / "nobody.mp4", n_frames=30, size=(160, 96))  # a test pattern: nobody, and small
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["upload"] = up = ui.Upload((tmp_path / "nobody.mp4").read_bytes(), "nobody.mp4")
    at.run()
    assert not at.exception
    text = _text(at)
    assert "Before we analyse" in text
    assert "The video is small (160x96 pixels)" in text and "We did not see a person" in text
    assert "The clip is short (1.0 s)" in text
    assert up.extraction is None  # waiting for the user
    next(b for b in at.button if b.label == "Analyse anyway").click().run()
    assert not at.exception
    assert at.error[0].value == ("We could not analyse this clip. We could not find a person walking in nobody.mp4. "
                                 "Film the whole body from the side, in good light, 3-4 m (10-13 ft) away.")


def test_height_is_passed_only_when_the_user_enters_one(tmp_path):
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["upload"] = up = _upload(tmp_path)
    at.run()
    assert not at.exception
    d = up.last_report.to_dict()
    assert (d["height_given"], d["height_cm"]) == (False, 170.0)
    assert "Body height not given; assumed 170 cm" in _text(at)
    at.sidebar.number_input[0].set_value(185).run()
    assert not at.exception
    d = up.last_report.to_dict()
    assert (d["height_given"], d["height_cm"]) == (True, 185.0)
    assert "assumed 170 cm" not in _text(at)


def test_reruns_reuse_the_upload_without_writing_or_decoding_it_again(tmp_path, monkeypatch):
    import gaitcheck.ui.upload as upload_module

    copies = []
    real = upload_module.temporary_video

    def counting(data, name):
        copies.append(name)
        return real(data, name)

    monkeypatch.setattr(upload_module, "temporary_video", counting)
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["upload"] = up = _upload(tmp_path)
    at.run()
    assert not at.exception
    assert (len(copies), up.frames.passes) == (1, 1)  # one temporary copy, decoded once, for all pictures
    assert len(up.frames) == 90  # every frame kept: the clip fits in the budget
    first = up.last_report
    next(s for s in at.slider if s.label.startswith("Show the moment at")).set_value(2.5).run()
    assert up.last_report is first  # same settings: not scored again
    next(s for s in at.slider if s.label.startswith("Slouch: trunk lean")).set_value(5.0).run()
    assert not at.exception
    assert up.last_report is not first  # a threshold moved: scored again ...
    assert (len(copies), up.frames.passes) == (1, 1)  # ... but nothing written or decoded again
    assert up.frames.nbytes <= up.frames.budget_bytes
    assert "2.50 s:" in _text(at)  # the frame chosen on the slider, with its measures
    assert len(at.get("vega_lite_chart")) == 4  # head, trunk, forward head, steps


def test_forgetting_the_clip_removes_it_from_the_session(tmp_path):
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["upload"] = _upload(tmp_path)
    at.run()
    next(b for b in at.button if b.label == "Forget this clip").click().run()
    assert not at.exception
    assert "upload" not in at.session_state
    assert "How to film" in _text(at)


def test_pdf_is_made_in_memory_once_per_report_and_named_after_the_upload(tmp_path, monkeypatch):
    from pypdf import PdfReader

    monkeypatch.setattr("tempfile.tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    up = _upload(tmp_path, head_pitch_deg=30.0)
    report = up.report(Config(), None)
    pdf = ui.pdf_bytes(up, report)
    assert ui.pdf_bytes(up, report) is pdf  # kept for this report
    assert list((tmp_path / "tmp").iterdir()) == []  # the temporary copies are gone
    reader = PdfReader(__import__("io").BytesIO(pdf))
    assert reader.metadata.title == "Walking posture report: walk.mp4"
    assert "Looking down" in "\n".join(p.extract_text() for p in reader.pages)
    assert json.loads(gaitcheck.report.json_text(report))["video"]["path"] == "walk.mp4"  # not the temporary copy


def test_uploads_are_deleted_after_use_even_on_failure(tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with ui.temporary_video(b"abc", "clip.MOV") as path:
        assert path.read_bytes() == b"abc" and path.suffix == ".mov"
        assert oct(path.parent.stat().st_mode & 0o777) == "0o700"
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(RuntimeError), ui.temporary_video(b"abc", "clip.mp4"):
        raise RuntimeError("analysis failed")
    assert list(tmp_path.iterdir()) == []
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["upload"] = ui.Upload(b"not a video", "walk.mp4")
    at.run()
    assert list(tmp_path.iterdir()) == []  # the failed upload left nothing behind


# ---- the frame store -----------------------------------------------------------------------------------------

def test_frame_store_gives_the_frames_asked_for_and_keeps_within_its_budget(tmp_path):
    clips.make_clip(tmp_path / "c.mp4", n_frames=40, size=SIZE)
    data = (tmp_path / "c.mp4").read_bytes()
    roomy = ui.FrameStore(lambda: ui.temporary_video(data, "c.mp4"))
    got = roomy.get([30, 3])
    assert sorted(got) == [3, 30] and all(clips.read_counter(img) == i for i, img in got.items())
    assert got[3].shape == (SIZE[1], SIZE[0], 3)
    assert (roomy.passes, len(roomy)) == (1, 40)  # the one pass kept every frame it passed
    again = roomy.get(range(40))
    assert roomy.passes == 1 and [clips.read_counter(again[i]) for i in range(40)] == list(range(40))
    assert roomy.get([99]) == {} and roomy.passes == 2  # past the end: a pass, nothing found

    one = len(roomy._kept[0])  # about one frame's JPEG
    tight = ui.FrameStore(lambda: ui.temporary_video(data, "c.mp4"), budget_bytes=int(5.5 * one))
    got = tight.get([2, 35])
    assert [clips.read_counter(got[i]) for i in (2, 35)] == [2, 35]
    assert tight.nbytes <= tight.budget_bytes and 2 in tight and 35 in tight and len(tight) <= 5
    tight.get([2, 35])
    assert tight.passes == 1  # both kept
    got = tight.get([10, 11, 12, 13])
    assert [clips.read_counter(got[i]) for i in (10, 11, 12, 13)] == [10, 11, 12, 13]
    assert tight.passes == 2 and tight.nbytes <= tight.budget_bytes and all(i in tight for i in (10, 11, 12, 13))


# ---- words ---------------------------------------------------------------------------------------------------

def test_slouch_headline_names_the_measure_that_crossed_its_threshold(tmp_path):
    d = _report(tmp_path, forward_head_rel=0.35, trunk_lean_deg=-4.0).to_dict()
    assert d["checks"]["slouch"]["status"] == "flag"
    card = next(c for c in ui.cards(d) if c.check == "slouch")
    rel = np.median([f["forward_head_rel"] for f in d["frames"] if f["slouch"]])
    assert card.headline.startswith(f"Your head is carried about {rel * 0.288 * 170:.0f} cm ahead of your shoulders")
    assert "trunk" not in card.headline and "back" not in card.headline  # the trunk leaned back: not the reason


def test_slouch_headline_for_a_forward_trunk(tmp_path):
    d = _report(tmp_path, forward_head_rel=0.0, trunk_lean_deg=18.0).to_dict()
    card = next(c for c in ui.cards(d) if c.check == "slouch")
    assert card.status == "flag"
    assert card.headline == "Your upper body leans forward about 18° for most of the walk."


def test_look_ahead_headlines_give_metres_and_feet(tmp_path):
    down = _report(tmp_path / "a", head_pitch_deg=30.0).to_dict()
    card = next(c for c in ui.cards(down) if c.check == "look_ahead")
    g = np.median([f["gaze_distance_m"] for f in down["frames"] if f["look_down"]])
    assert card.status == "flag"
    assert card.headline == (f"Looking down: your head points at the floor about {ui.metres(g)} ahead "
                             "for most of the walk.")
    level = _report(tmp_path / "b", head_pitch_deg=0.0).to_dict()
    card = next(c for c in ui.cards(level) if c.check == "look_ahead")
    g = level["checks"]["look_ahead"]["median_gaze_distance_m"]
    assert card.status == "pass" and card.headline == f"Head up: your gaze lands about {ui.metres(g)} ahead."
    assert " ft)" in card.headline


def test_unknown_cards_say_what_to_film_differently(tmp_path):
    d = _report(tmp_path, view="back").to_dict()
    cards = {c.check: c for c in ui.cards(d)}
    for check in ("look_ahead", "slouch"):
        assert cards[check].status == "unknown"
        assert cards[check].headline == "Not judged: the clip is filmed from behind."
        assert cards[check].feedback.startswith("Film from the side: stand the phone at hip height, 3-4 m (10-13 ft)")
    short = {"view": "side", "checks": {}}
    assert ui.refilm_advice(short, "only 0.4 s of walking seen from the side").startswith("Film a longer walk")


@pytest.mark.parametrize("view", ["side", "front", "back", "oblique", "mixed", "unknown", "sideways"])
def test_caption_reads_well_for_every_view(view):
    d = {"view": view, "video": {"duration_s": 7.66}, "subject": {"detection_rate": 0.97}}
    caption = ui.clip_caption(d, "walk.mp4")
    assert caption.startswith("walk.mp4: 7.7 s, filmed ") and caption.endswith("found in 97% of the frames.")
    assert ui.view_words(view) in caption
    assert not any(f"the {v}" in caption for v in ("mixed", "unknown", "oblique", "sideways", "front."))


def test_frame_caption_has_units_and_says_when_nothing_was_measured():
    assert ui.frame_caption({"t_s": 1.0}) == ("1.00 s: posture not measured in this frame (the walker is not seen "
                                              "from the side here)")
    words = ui.frame_caption({"t_s": 1.0, "head_pitch_deg": -5.0, "gaze_distance_m": None, "forward_head_rel": 0.1},
                             height_cm=200)
    assert words == "1.00 s: head 5° up, gaze at the horizon or above; head 6 cm ahead of the shoulders"


# ---- charts --------------------------------------------------------------------------------------------------

def test_measure_charts_draw_threshold_episodes_and_choose_a_moment(tmp_path):
    d = _report(tmp_path, head_pitch_deg=30.0).to_dict()
    specs = {s.field: s for s in ui.chart_specs(d)}
    head = ui.measure_chart(d, specs["head_pitch_deg"], moment_t=1.5)
    json.dumps(head, allow_nan=False)  # plain JSON: no NaN reaches the browser
    layers = head["layer"]
    dashed = [la for la in layers if la.get("mark", {}).get("strokeDash")]
    assert dashed[0]["data"]["values"] == [{"y": round(look_down_pitch_deg(Config.from_dict(d["settings"]), 170.0), 3)}]
    rects = next(la for la in layers if la["mark"]["type"] == "rect")["data"]["values"]
    spans = flagged_spans([f["t_s"] for f in d["frames"]], [f["look_down"] for f in d["frames"]],
                          d["video"]["duration_s"])
    assert [(r["start"], r["end"]) for r in rects] == [(round(a, 3), round(b, 3)) for a, b in spans] != []
    params = [p["name"] for la in layers for p in la.get("params", [])]
    assert ui.MOMENT in params and "hover" in params
    assert [r["frame"] for r in head["data"]["values"]] == list(range(len(d["frames"])))
    assert any(la["mark"]["type"] == "rule" and la["data"]["values"] == [{"t_s": 1.5}] for la in layers if "data" in la)
    fwd = ui.measure_chart(d, specs["forward_head_cm"])
    cm = [r["forward_head_cm"] for r in fwd["data"]["values"] if r["forward_head_cm"] is not None]
    rel = [f["forward_head_rel"] for f in d["frames"] if f["forward_head_rel"] is not None]
    assert cm == [round(r * 0.288 * 170, 1) for r in rel]


def test_charts_are_left_out_where_nothing_was_measured_and_long_clips_are_thinned(tmp_path):
    d = _report(tmp_path, view="back").to_dict()
    assert all(ui.measure_chart(d, s) is None for s in ui.chart_specs(d))
    long = {"frames": [{"frame": i, "t_s": i / 30, "trunk_lean_deg": math.sin(i)} for i in range(54_000)]}
    rows = ui.chart_rows(long)
    assert len(rows) == 1200 and rows[1]["frame"] == 45


def test_steps_chart_shows_each_step_by_side_with_the_medians(tmp_path):
    d = _report(tmp_path).to_dict()
    chart = ui.steps_chart(d)
    contacts = [e for e in d["gait"]["events"] if e["type"] == "initial_contact"]
    rows = chart["data"]["values"]
    assert len(rows) == len(contacts) - 1 and {r["foot"] for r in rows} == {"left", "right"}
    medians = next(la for la in chart["layer"] if la["mark"].get("strokeDash"))["data"]["values"]
    assert {m["foot"]: m["median_s"] for m in medians} == {k: round(v, 3) for k, v in d["gait"]["step_time_s"].items()}


# ---- pictures ------------------------------------------------------------------------------------------------

def test_pictures_never_show_a_walker_cut_by_the_edge(tmp_path):
    # the walker crosses the whole picture: they enter and leave cut by its edges
    up = _upload(tmp_path, head_pitch_deg=30.0)
    up.extraction = make_extraction(make_walker(t=up.extraction.t, frame_size=SIZE, scale=0.4, speed_px_s=225.0,
                                                start_x=-30.0, head_pitch_deg=30.0), frame_size=SIZE)
    report = up.report(Config(), None)
    whole = ui.whole_body_frames(report)
    px = report.series.pixels()
    xs = px[:, :, 0]
    assert whole.any() and not whole.all()
    assert (np.nanmin(xs[whole], axis=1) > 0).all() and (np.nanmax(xs[whole], axis=1) < SIZE[0]).all()
    cards = ui.cards(report.to_dict())
    moments = ui.verdict_moments(report, cards)
    chosen = [m.frame for m in (*moments.values(), *ui.key_moments(report)) if m is not None]
    assert chosen and all(whole[f] for f in chosen)
    images = ui.key_moment_images(up, report, [m for m in moments.values() if m is not None])
    assert all(img.shape[1] == 720 for img in images)


# ---- the pre-check -----------------------------------------------------------------------------------------

def _g(view: str = "side", size: float = 0.6, inside: bool = True) -> Glimpse:
    return Glimpse(1.0, True, size, inside, view)


@pytest.mark.parametrize("numbers, glimpses, starts", [
    ((1920, 1080, 30.0, 8.0), (_g(), _g(), _g()), []),
    ((1920, 1080, 30.0, 8.0), (_g("back"), _g("back"), _g("side")), ["The walker is filmed from behind"]),
    ((1920, 1080, 30.0, 8.0), (_g("front"), _g("front")), ["The walker is filmed from the front"]),
    ((1920, 1080, 30.0, 8.0), (_g("back"), _g("side")), []),  # half and half: there and back is fine
    ((1920, 1080, 30.0, 8.0), (_g(size=0.2), _g(size=0.2)), ["The walker looks small or far away (about 20%"]),
    # a third of the picture's height, but 126 px tall: the pixels are what is short
    ((640, 360, 30.0, 8.0), (_g(size=0.35), _g(size=0.35)), ["The walker is small in pixels (about 126 px tall"]),
    ((1920, 1080, 30.0, 8.0), (_g(inside=False), _g(inside=False), _g()), ["Part of the body (head or feet)"]),
    ((1920, 1080, 30.0, 8.0), (Glimpse(1.0, False), Glimpse(2.0, False)), ["We did not see a person"]),
    ((256, 144, 12.0, 2.0), (_g(),), ["The video is small (256x144", "The frame rate is low (12 frames",
                                      "The clip is short (2.0 s)", "The walker is small in pixels"]),
    ((1920, 1080, 0.0, 8.0), (), []),  # frame rate unknown, nothing sampled: no guess
])
def test_precheck_judgement(numbers, glimpses, starts):
    warnings = judge(*numbers, glimpses)
    assert len(warnings) == len(starts)
    for w, s in zip(warnings, starts, strict=True):
        assert w.startswith(s)


@pytest.mark.slow
def test_precheck_on_real_clips(shared_videos):
    back = ui.precheck_video(shared_videos / "lab_man_indoor_back.mp4")
    assert any("filmed from behind" in w for w in back.warnings)
    assert len(back.glimpses) == 8 and sum(g.found for g in back.glimpses) >= 4
    side = ui.precheck_video(Path(APP).parent / "sample_videos" / "sports2d_demo_park_side.mp4")
    assert side.warnings == () and (side.width, side.height) == (1768, 994)


# ---- the real model on the bundled sample -------------------------------------------------------------------

@pytest.fixture(scope="module")
def sample_run():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    next(b for b in at.button if b.label == "Try a sample clip").click().run()
    return at


@pytest.mark.slow
def test_sample_clip_shows_cards_pictures_charts_people_and_downloads(sample_run):
    at = sample_run
    assert not at.exception
    text = _text(at)
    for heading in ("Look ahead", "Slouch", "Steps"):
        assert f"### {heading}" in text
    assert text.count(":green-badge[PASS]") == 3  # the sample walker passes look-ahead, slouch and steps
    assert "People in the clip" in text  # the man on the box is shown too
    assert "Moments to look at" in text and "Over time" in text
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["PDF report", "Report (JSON)", "Per-frame data (CSV)"]
    assert len(at.get("vega_lite_chart")) == 4


@pytest.mark.slow
def test_threshold_change_rescores_without_new_pose_run(sample_run, monkeypatch):
    import gaitcheck.ui.upload as upload_module

    calls = []
    real = upload_module.extract

    def counting(*a, **k):
        calls.append(1)
        return real(*a, **k)

    monkeypatch.setattr(upload_module, "extract", counting)
    at = sample_run
    # a strict forward-head limit; the sample walker leans back, so forward head decides
    slider = next(s for s in at.slider if s.label.startswith("Slouch: head forward"))
    slider.set_value(0.1).run()
    assert not at.exception
    assert calls == []  # re-scored from the landmarks kept in the session
    assert ":orange-badge[NEEDS ATTENTION]" in _text(at)
    assert "Your head is carried about" in _text(at)


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
    up = at.session_state["upload"]
    person = next(tr for tr in up.extraction.tracks if tr.track_id == other)
    assert person.full  # followed on every frame, not the first analysis's samples
    assert up.last_report.to_dict()["subject"]["track_id"] == other
    assert "only looked at every" not in _text(at)


def test_the_orientation_chosen_is_kept_when_another_walker_is_followed(tmp_path):
    # following another person replaces the extraction (same pose settings): the page must not take that for a
    # new orientation and run the pose stage again (which would also forget the person picked)
    up = _upload(tmp_path)
    turned = Config().with_overrides("pose", turn="90")
    ex = up.extraction
    up.accept(ex, turned)
    assert up.extracted_with(turned) and not up.extracted_with(Config())
    up.extraction = ex  # what Upload.follow does with the person followed
    assert up.extracted_with(turned) and not up.extracted_with(Config())
