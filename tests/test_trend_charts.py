"""The trend charts' specs: every layer's y axis is untitled, so no axis title reads like "110.000000"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from _synth import make_extraction, make_walker

import gaitcheck
from gaitcheck.records import open_store
from gaitcheck.ui.history import trend_charts


def test_no_layer_titles_the_y_axis_with_a_number(tmp_path):
    with open_store(tmp_path / "r.sqlite3") as store:
        for i, lean in enumerate((15.0, 5.0)):
            rep = gaitcheck.score(make_extraction(make_walker(150, trunk_lean_deg=lean)), height_cm=170)
            store.add(rep.to_dict(), "P-1", recorded_at=datetime(2026, 3, 2, tzinfo=UTC) + timedelta(days=7 * i))
        charts = trend_charts(store.history("P-1"))
    assert len(charts) >= 4
    targets = 0
    for _, _, spec in charts:
        for layer in spec["layer"]:
            y = layer["encoding"]["y"]
            assert "title" in y and y["title"] is None, (spec["description"], layer["mark"])
            targets += "datum" in y
    assert targets >= 1  # the cadence's target line is among them
