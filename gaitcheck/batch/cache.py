"""The landmark cache: an :class:`~gaitcheck.pose.Extraction` saved to disk, to re-score without the model.

Running the pose model is the expensive stage; scoring is cheap. The cache keeps each clip's
extraction under ``DIR/<video sha256>/<variant>.npz`` (the arrays, compressed) with a small
``<variant>.json`` beside it (video metadata, warnings, model, pose settings). ``<variant>`` is a
hash of the pose model's sha256 and the pose settings, the only inputs besides the video bytes
that change an extraction, so new thresholds reuse the entry and a new model or pose setting
does not.

Privacy: an entry holds the body landmarks of everyone the model found in the clip, frame by
frame: health data of patients. It is stored unencrypted where the caller says, holds no file
name (only the video's content hash), and is never written unless a cache folder is given.
Delete the folder when it is no longer needed.

>>> cache_variant("0" * 64, PoseConfig()) == cache_variant("0" * 64, PoseConfig())
True
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from .._io import atomic_path, atomic_write
from .._version import version
from ..config import PoseConfig
from ..errors import CacheError, CacheMissError
from ..landmarks import NUM_LANDMARKS
from ..pose.appearance import APPEARANCE_SHAPE
from ..pose.extraction import Extraction, turn_needed_deg
from ..pose.landmarker import ModelInfo
from ..pose.tracking import Track
from ..video import VideoInfo

__all__ = ["CACHE_FORMAT", "CacheError", "CacheMissError", "LandmarkCache", "cache_variant",
           "load_extraction", "save_extraction"]

CACHE_FORMAT = 4  # bump when the layout of the files changes: old entries then become misses (3: colours, 4: steps)
_KIND = "gaitcheck-landmarks"
_ARRAYS = {"t": (np.float64, 1), "track_ids": (np.int64, 1), "track_lengths": (np.int64, 1),
           "track_strides": (np.int64, 1), "track_steps": (np.int64, 1), "frames": (np.int64, 1),
           "times": (np.float64, 1),
           "image": (np.float32, 3), "world": (np.float32, 3), "has_colours": (np.bool_, 1),
           "colours": (np.float32, 3)}


def cache_variant(model_sha256: str, pose: PoseConfig) -> str:
    """The name of a clip's entry for this model and these pose settings (16 hex digits)."""
    settings = dataclasses.asdict(pose)
    if settings["turn"] == "auto":  # the default, left out: entries from before the setting existed stay valid
        del settings["turn"]
    key = json.dumps({"format": CACHE_FORMAT, "model_sha256": model_sha256, "pose": settings}, sort_keys=True)
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def save_extraction(extraction: Extraction, stem: str | os.PathLike[str], *,
                    meta: dict[str, Any] | None = None) -> None:
    """Write ``stem.npz`` (arrays, compressed) and ``stem.json`` (metadata), each atomically.

    The video's path is not stored (the caller gives it back on loading): file names of patients'
    videos often hold their names.

    Args:
        extraction: what :func:`gaitcheck.pose.landmarker` returned.
        stem: the two files' path without the suffix.
        meta: more JSON-ready metadata to keep beside it (e.g. the video's sha256).
    """
    stem = Path(stem)
    tracks = extraction.tracks
    frames = [tr.frames for tr in tracks]
    arrays = {
        "t": np.asarray(extraction.t, np.float64),
        "track_ids": np.array([tr.track_id for tr in tracks], np.int64),
        "track_lengths": np.array([len(f) for f in frames], np.int64),
        "track_strides": np.array([tr.stride for tr in tracks], np.int64),
        "track_steps": np.array([tr.step for tr in tracks], np.int64),
        "frames": np.array([i for f in frames for i in f], np.int64),
        "times": np.array([x for tr in tracks for x in tr.times], np.float64),
        "image": _stack([x for tr in tracks for x in tr.image], 5),
        "world": _stack([x for tr in tracks for x in tr.world], 3),
        "has_colours": np.array([bool(tr.colours) for tr in tracks], np.bool_),
        "colours": _stack([x for tr in tracks for x in tr.colours], APPEARANCE_SHAPE[1], APPEARANCE_SHAPE[0]),
    }
    info = dataclasses.asdict(extraction.info)
    info["path"] = ""
    doc = {"kind": _KIND, "format": CACHE_FORMAT, "gaitcheck": version(), "video": info,
           "warnings": list(extraction.warnings), "model": dataclasses.asdict(extraction.model), **(meta or {})}
    with atomic_path(stem.with_suffix(".npz")) as tmp, tmp.open("wb") as f:
        np.savez_compressed(f, **arrays)  # type: ignore[arg-type]
    atomic_write(stem.with_suffix(".json"), json.dumps(doc, indent=1, allow_nan=False) + "\n")


def load_extraction(stem: str | os.PathLike[str], video_path: str | os.PathLike[str]) -> Extraction:
    """Read what :func:`save_extraction` wrote; ``video_path`` becomes ``extraction.info.path``.

    Raises:
        CacheMissError: there is no such entry.
        CacheError: the entry is damaged or of another format.
    """
    stem = Path(stem)
    npz, meta_file = stem.with_suffix(".npz"), stem.with_suffix(".json")
    if not (npz.is_file() and meta_file.is_file()):
        raise CacheMissError(f"no cache entry {stem}")
    try:
        doc = json.loads(meta_file.read_text(encoding="utf-8"))
        if doc.get("kind") != _KIND or doc.get("format") != CACHE_FORMAT:
            raise CacheError(f"cache entry {stem.name} is of another format ({doc.get('format')!r})")
        with npz.open("rb") as f, np.load(f, allow_pickle=False) as data:  # our handle: closed even on damage
            arr = {name: np.asarray(data[name]) for name in _ARRAYS}
        _check(arr)
        info = VideoInfo(**{**doc["video"], "path": os.fspath(video_path)})
        model = ModelInfo(**doc["model"])
        warnings = tuple(str(w) for w in doc["warnings"])
    except CacheError:
        raise
    except (OSError, ValueError, KeyError, TypeError, EOFError, zipfile.BadZipFile) as exc:  # damaged files
        raise CacheError(f"cache entry {stem.name} is damaged ({type(exc).__name__}: {exc})") from None
    tracks, start, at = [], 0, 0
    for tid, n, stride, step, has in zip(arr["track_ids"].tolist(), arr["track_lengths"].tolist(),
                                         arr["track_strides"].tolist(), arr["track_steps"].tolist(),
                                         arr["has_colours"].tolist(), strict=True):
        end = start + n
        colours = list(arr["colours"][at:at + n]) if has else []
        at += n if has else 0
        tracks.append(Track(int(tid), arr["frames"][start:end].tolist(), arr["times"][start:end].tolist(),
                            list(arr["image"][start:end]), list(arr["world"][start:end]), stride=int(stride),
                            colours=colours, step=int(step)))
        start = end
    return Extraction(info, arr["t"], tuple(tracks), warnings, model)


def _stack(rows: list[Any], width: int, length: int = NUM_LANDMARKS) -> np.ndarray:
    if not rows:
        return np.zeros((0, length, width), np.float32)
    return np.stack(rows).astype(np.float32, copy=False)


def _check(arr: dict[str, np.ndarray]) -> None:
    for name, (dtype, ndim) in _ARRAYS.items():
        if arr[name].dtype != dtype or arr[name].ndim != ndim:
            raise CacheError(f"array {name} has dtype {arr[name].dtype} and {arr[name].ndim} dimensions")
    n = int(arr["track_lengths"].sum())
    coloured = int(arr["track_lengths"][arr["has_colours"]].sum()) if len(arr["has_colours"]) == len(
        arr["track_lengths"]) else -1
    if not len(arr["track_ids"]) == len(arr["track_lengths"]) == len(arr["track_strides"]) == len(
            arr["track_steps"]) or not (
            len(arr["frames"]) == len(arr["times"]) == len(arr["image"]) == len(arr["world"]) == n) or (
            len(arr["colours"]) != coloured):
        raise CacheError("track arrays have inconsistent lengths")
    if (arr["track_strides"] < 1).any() or (arr["track_steps"] < 1).any():
        raise CacheError("track strides and steps must be at least 1")
    if arr["image"].shape[1:] != (NUM_LANDMARKS, 5) or arr["world"].shape[1:] != (NUM_LANDMARKS, 3) or (
            arr["colours"].shape[1:] != APPEARANCE_SHAPE):
        raise CacheError("landmark arrays have the wrong shape")


def _turn_checked(stem: Path) -> bool:
    """True if the entry was made by a gaitcheck that turns a video on its side upright (pose settings with turn)."""
    try:
        doc = json.loads(stem.with_suffix(".json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(doc.get("pose"), dict) and "turn" in doc["pose"]


class LandmarkCache:
    """A folder of cached extractions, keyed by video content, pose model and pose settings.

    Args:
        root: the cache folder (created on the first write). Entries hold patients' body landmarks:
            see the module docstring.
    """

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def stem(self, video_sha256: str, model_sha256: str, pose: PoseConfig) -> Path:
        """Where the entry for this video, model and pose settings lives (without suffix)."""
        return self.root / video_sha256 / cache_variant(model_sha256, pose)

    def load(self, video_sha256: str, model_sha256: str, pose: PoseConfig,
             video_path: str | os.PathLike[str]) -> Extraction:
        """The cached extraction of this video.

        Raises:
            CacheMissError: not cached (the message says whether other settings or models are).
            CacheError: the entry is damaged.
        """
        stem = self.stem(video_sha256, model_sha256, pose)
        name = os.path.basename(os.fspath(video_path))
        try:
            extraction = load_extraction(stem, video_path)
        except CacheMissError:
            pass
        else:
            if pose.turn == "auto" and turn_needed_deg(extraction) and not _turn_checked(stem):
                # cached before videos on their side were turned upright: measured so, every check is unknown
                raise CacheMissError(f"'{name}' was cached lying on its side by an older gaitcheck, which did not turn "
                                     "such videos upright; run gaitcheck batch --cache on it again")
            return extraction
        if any((self.root / video_sha256).glob("*.json")):
            raise CacheMissError(f"'{name}' is in the landmark cache {self.root} only with another pose model or "
                                 "other [pose] settings (or from an older gaitcheck); run gaitcheck batch --cache with "
                                 "these first") from None
        raise CacheMissError(f"'{name}' is not in the landmark cache {self.root}; run gaitcheck batch --cache "
                             f"{self.root} on it first") from None

    def save(self, video_sha256: str, pose: PoseConfig, extraction: Extraction) -> Path:
        """Store an extraction (replacing any entry for the same key); returns the entry's stem."""
        stem = self.stem(video_sha256, extraction.model.sha256, pose)
        stem.parent.mkdir(parents=True, exist_ok=True)
        save_extraction(extraction, stem, meta={"video_sha256": video_sha256, "pose": dataclasses.asdict(pose)})
        return stem
