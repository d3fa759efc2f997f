"""Typed errors raised by gaitcheck.

Every error gaitcheck raises on purpose derives from :class:`GaitcheckError`, so a caller can catch
that one class. The CLI turns these into a one-line message and a non-zero exit code; anything
else is a bug.

Hierarchy::

    GaitcheckError
    ├── InputError                 the user's input cannot be used
    │   ├── VideoReadError         missing, empty, not a video, no video stream, undecodable
    │   └── InputTooLargeError     beyond a configured limit (duration, pixels)
    ├── ConfigError                bad TOML, unknown key, value out of range
    ├── ModelError                 pose model missing, wrong checksum, not loadable
    ├── NoWalkerError              nobody (or not the requested person) found in the clip
    ├── CacheError                 a landmark cache entry is damaged (gaitcheck.batch.cache)
    ├── CacheMissError             a clip is not in the landmark cache (gaitcheck rescore)
    ├── RecordsError               the patient records database cannot be used (gaitcheck.records)
    │   ├── DatabaseVersionError   it was written by a newer gaitcheck (it is then left untouched)
    │   └── RecordNotFoundError    no such patient or session in it
    ├── LinkError                  a patient's upload link is tampered with, expired or withdrawn
    └── ShapeError (ValueError)    an array handed to a gaitcheck function has the wrong shape
"""

from __future__ import annotations

__all__ = [
    "CacheError",
    "CacheMissError",
    "ConfigError",
    "DatabaseVersionError",
    "GaitcheckError",
    "InputError",
    "InputTooLargeError",
    "LinkError",
    "ModelError",
    "NoWalkerError",
    "RecordNotFoundError",
    "RecordsError",
    "ShapeError",
    "VideoReadError",
]


class GaitcheckError(Exception):
    """Base class of every error gaitcheck raises on purpose."""


class InputError(GaitcheckError):
    """The input the user gave cannot be analysed."""


class VideoReadError(InputError):
    """The file is missing, empty, not a video, has no video stream, or cannot be decoded."""


class InputTooLargeError(InputError):
    """The video exceeds a configured limit (duration or pixels per frame)."""


class ConfigError(GaitcheckError):
    """The configuration file or an option is invalid."""


class ModelError(GaitcheckError):
    """The pose model cannot be found, fails its checksum, or cannot be loaded."""


class NoWalkerError(GaitcheckError):
    """No person (or not the person the user asked for) could be found in the clip."""


class ShapeError(GaitcheckError, ValueError):
    """An array argument has the wrong shape."""


class CacheError(GaitcheckError):
    """A landmark cache entry is damaged, or was written by an incompatible version."""


class CacheMissError(GaitcheckError):
    """The clip (with these pose settings and model) is not in the landmark cache."""


class RecordsError(GaitcheckError):
    """The patient records database cannot be opened, read or written."""


class DatabaseVersionError(RecordsError):
    """The records database was written by a newer gaitcheck; it is refused and never altered."""


class RecordNotFoundError(RecordsError):
    """No patient (or session) with that code (or id) is in the records database."""


class LinkError(GaitcheckError):
    """A patient's upload link is not valid: tampered with, expired or withdrawn (its message says which)."""
