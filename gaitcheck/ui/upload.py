"""One uploaded clip in one browser session, and everything a rerun of the page can reuse from it.

The page keeps one :class:`Upload` in its session: the bytes, the pre-check, the pose extraction,
the last report (re-scored only when a threshold, the height or the walker changes), the decoded
frames (:class:`~gaitcheck.ui.frames.FrameStore`) and the files made for download. The clip is on
disk only inside :func:`~gaitcheck.ui.frames.temporary_video`, for one step at a time.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from ..config import Config, PoseConfig
from ..errors import InputError
from ..pose import Extraction, extract, follow_track
from ..report import Report
from ..score import score
from .frames import FrameStore, content_hash, temporary_video
from .precheck import Precheck, precheck_video

__all__ = ["Upload", "extract_video_bytes", "follow_person_bytes"]


def extract_video_bytes(data: bytes, name: str, config: Config | None = None,
                        progress: Callable[[int, int], None] | None = None) -> Extraction:
    """Run the expensive stage (decode + pose + tracking) on an upload; the upload is deleted after.

    Raises:
        InputError: the upload is empty (and the errors of :func:`gaitcheck.extract`).
    """
    if not data:
        raise InputError(f"{name} is empty")
    with temporary_video(data, name) as path:
        return extract(path, config, progress=progress)


def follow_person_bytes(data: bytes, name: str, extraction: Extraction, track_id: int,
                        config: Config | None = None) -> Extraction:
    """``extraction`` with person ``track_id`` followed on every frame (the page's walker picker).

    The first analysis follows only the walker it chose on every frame and samples the others
    (see :func:`gaitcheck.pose.follow_track`); the upload is deleted after.
    """
    with temporary_video(data, name) as path:
        return follow_track(path, extraction, track_id, config)


class Upload:
    """An uploaded clip and what reruns reuse from it (kept in one browser session, never on disk).

    Attributes:
        data, name: the clip's bytes and the file name the user gave.
        key: sha256 of ``data``.
        frames: decoded frames for pictures (bounded memory).
        extraction: the pose stage's result, once run (with the pose settings :meth:`extracted_with` tells).
        track_id: the walker the user picked (None: the one gaitcheck chose).
        confirmed: the user chose to analyse although the pre-check warned.
    """

    def __init__(self, data: bytes, name: str, *, frame_budget_bytes: int = 64 * 2**20) -> None:
        self.data = data
        self.name = name
        self.key = content_hash(data)
        self.frames = FrameStore(self.temporary, budget_bytes=frame_budget_bytes)
        self._extraction: Extraction | None = None
        self._pose = PoseConfig()  # the pose settings the extraction was made with
        self.track_id: int | None = None
        self.confirmed = False
        self._precheck: Precheck | None = None
        self._scored: tuple[tuple[Any, ...], Report] | None = None
        self._generation = 0  # counts the reports scored; files are made for one of them
        self._files: dict[tuple[str, int], bytes] = {}

    @property
    def extraction(self) -> Extraction | None:
        """The pose stage's result, once run (here, or by the server's queue)."""
        return self._extraction

    @extraction.setter
    def extraction(self, extraction: Extraction | None) -> None:
        self._extraction = extraction  # made with the same pose settings (another walker followed): kept
        if extraction is not None:  # the pictures as the walker was analysed (a video on its side: turned)
            self.frames.turn(extraction.info.turned_deg)

    def extracted_with(self, config: Config | None) -> bool:
        """True if the pose stage has run with ``config``'s pose settings (e.g. the video's orientation)."""
        return self.extraction is not None and self._pose == (config or Config()).pose

    def accept(self, extraction: Extraction, config: Config | None) -> None:
        """Take ``extraction``, made with ``config``'s pose settings (by the server's queue); the walker picked
        and the report are forgotten.
        """
        self.extraction = extraction
        self._pose = (config or Config()).pose
        self.track_id, self._scored = None, None

    def temporary(self) -> AbstractContextManager[Path]:
        """The clip in a private temporary folder for one step (``with upload.temporary() as path``)."""
        return temporary_video(self.data, self.name)

    def precheck(self, config: Config | None = None) -> Precheck:
        """The quick look at the clip before the analysis (run once).

        Raises:
            InputError, VideoReadError: the upload is empty or not a readable video.
        """
        if self._precheck is None:
            if not self.data:
                raise InputError(f"{self.name} is empty")
            with self.temporary() as path:
                self._precheck = precheck_video(path, config)
        return self._precheck

    def extract(self, config: Config | None = None, progress: Callable[[int, int], None] | None = None) -> Extraction:
        """The pose stage (run once per upload and pose settings; threshold changes re-score from it)."""
        if not self.extracted_with(config):
            self.accept(extract_video_bytes(self.data, self.name, config, progress), config)
        assert self.extraction is not None
        return self.extraction

    def follow(self, track_id: int, config: Config | None = None) -> None:
        """Follow person ``track_id`` on every frame and score them from now on."""
        if self.extraction is None:
            raise InputError("the clip has not been analysed yet")
        self.extraction = follow_person_bytes(self.data, self.name, self.extraction, track_id, config)
        self.track_id = track_id
        self._scored = None

    def report(self, config: Config, height_cm: float | None) -> Report:
        """The report for these settings (scored again only when they changed), named after the upload.

        Raises:
            NoWalkerError: nobody was found, or not the person picked.
        """
        if self.extraction is None:
            raise InputError("the clip has not been analysed yet")
        settings = (config, height_cm, self.track_id, id(self.extraction))
        if self._scored is None or self._scored[0] != settings:
            report = score(self.extraction, config, height_cm=height_cm, track_id=self.track_id)
            self._scored = (settings, _named(report, self.name))
            self._generation += 1
        return self._scored[1]

    @property
    def last_report(self) -> Report | None:
        """The report :meth:`report` gave last (None before the first)."""
        return None if self._scored is None else self._scored[1]

    def file(self, kind: str, report: Report, make: Callable[[], bytes]) -> bytes:
        """``make()`` for ``report``, kept while ``report`` is the current one (one file of each kind)."""
        if self._scored is None or self._scored[1] is not report:
            return make()
        tag = (kind, self._generation)
        if tag not in self._files:
            made = make()
            for old in [k for k in self._files if k[0] == kind]:
                del self._files[old]
            self._files[tag] = made
        return self._files[tag]

    def made(self, kind: str, report: Report) -> bytes | None:
        """The file of ``kind`` already made for ``report``, if any."""
        if self._scored is None or self._scored[1] is not report:
            return None
        return self._files.get((kind, self._generation))


def _named(report: Report, name: str) -> Report:
    """``report`` with the user's file name as the video path (not the temporary copy's)."""
    from dataclasses import replace

    return replace(report, video=replace(report.video, path=name))
