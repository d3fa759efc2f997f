"""How to film a walk for gaitcheck: the points the page shows before an upload, and the picture."""

from __future__ import annotations

from importlib import resources

__all__ = ["GUIDE_POINTS", "guide_svg"]

GUIDE_POINTS = (
    "**From the side:** stand the phone at hip height (on a shelf, a chair or a tripod), 3-4 m (10-13 ft) to the "
    "side of your path.",
    "**Whole body in view:** head to feet inside the picture all the time; landscape is best.",
    "**At least 6 steps:** walk across the picture at your usual pace; walking there and back is fine.",
    "**Good light, one walker:** others in view are fine, but we follow the person who walks; nobody should "
    "walk right beside or behind you.",
    "**Walk as you usually do:** look where you normally look, so the feedback is about your everyday walk.",
)


def guide_svg() -> str:
    """The filming guide picture (SVG text): seen from above, and what the phone sees."""
    return resources.files(__package__).joinpath("filming_guide.svg").read_text(encoding="utf-8")
