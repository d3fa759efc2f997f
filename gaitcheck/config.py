"""Configuration: frozen dataclasses with units in the field names, loaded from TOML.

Every threshold is provisional and sourced in a comment; a therapist can change any of them in a
TOML file (see ``gaitcheck.example.toml``) without touching code. Defaults are never mutated:
overrides make new objects with :func:`dataclasses.replace`.
"""

from __future__ import annotations

import dataclasses
import difflib
import tomllib
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any

from .errors import ConfigError

__all__ = ["ASSUMED_HEIGHT_CM", "TURNS", "BodyConfig", "Config", "GaitConfig", "LimitsConfig", "LookAheadConfig",
           "PoseConfig", "SeenConfig", "SignalConfig", "SlouchConfig", "load_config"]


def _require(ok: bool, message: str) -> None:
    if not ok:
        raise ConfigError(message)


#: The values of ``pose.turn``: automatic, or degrees clockwise.
TURNS = ("auto", "0", "90", "180", "270")


@dataclass(frozen=True)
class PoseConfig:
    """Pose estimation (MediaPipe PoseLandmarker) settings."""

    # People the landmarker looks for per frame. In VIDEO mode MediaPipe runs its person detector only while it
    # tracks fewer than this many, so someone coming into view while that many are tracked is not looked for:
    # with 2, a man on a box and a false detection at the top edge of a portrait crop of the park clip hid the
    # woman walking in for her first 0.8 s (of 1.9 s in view). 3: the walker, a bystander or reflection, and one
    # more (a false detection, a second bystander); the detector then also runs on the scan's looks where two are
    # in view, 5-10% more CPU where two are in view all along, no more elsewhere (docs/speed.md).
    max_people: int = 3
    min_detection_confidence: float = 0.5  # MediaPipe defaults
    min_presence_confidence: float = 0.5
    min_tracking_confidence: float = 0.5
    # Speed: every this many seconds (0.2 s = every 6th frame at 30 fps) a scan looks for up to
    # max_people people, to find everyone and choose the walker; the walker alone is then followed
    # on every frame (and on past the scan's last look while found). Looking for two people costs
    # about twice as much as for one, on every frame. 0.4 s keeps the shared clips' results but
    # splits a walker's track where the scan misses them for a second (docs/speed.md).
    # 0 = look for max_people on every frame (about twice as slow; every person's landmarks in full).
    scan_interval_s: float = 0.2
    # High frame rates: the pose model runs on every k-th frame only, the largest k that keeps at least
    # this many frames per second (k = 2 at 50-60 fps, 4 at 120 fps); the landmarks in between are
    # interpolated (every frame keeps its time, row and picture). 0 = the model on every frame.
    min_model_fps: float = 25.0
    # Degrees to turn the video clockwise before the analysis, for a clip whose rotation was lost.
    # "auto": turned only when everyone lies across the picture (the default); "0": never turned;
    # "90", "180", "270": always turned this much.
    turn: str = "auto"

    def __post_init__(self) -> None:
        _require(1 <= self.max_people <= 10, "pose.max_people must be 1 to 10")
        _require(self.turn in TURNS, f"pose.turn must be one of {', '.join(repr(t) for t in TURNS)}, got {self.turn!r}")
        _require(0 <= self.scan_interval_s <= 0.5, "pose.scan_interval_s must be 0 to 0.5 (seconds)")
        _require(self.min_model_fps == 0 or 10 <= self.min_model_fps <= 240,
                 "pose.min_model_fps must be 0 (every frame) or 10 to 240 (frames per second)")
        for name in ("min_detection_confidence", "min_presence_confidence", "min_tracking_confidence"):
            _require(0 <= getattr(self, name) <= 1, f"pose.{name} must be between 0 and 1")


@dataclass(frozen=True)
class SignalConfig:
    """Cleaning of the walker's landmark series."""

    min_visibility: float = 0.5  # landmarks the model scores below this are treated as missing
    max_gap_s: float = 0.2  # gaps up to this long are filled by linear interpolation; longer stay missing
    lowpass_hz: float = 6.0  # zero-phase Butterworth cut-off; 6 Hz is the usual choice for gait kinematics
    filter_order: int = 4  # (Winter, Biomechanics and Motor Control of Human Movement; Sports2D's default)
    max_jump_body_heights_per_s: float = 6.0  # hip speed above this = identity jump (walking is < 2 body heights/s)

    def __post_init__(self) -> None:
        _require(0 <= self.min_visibility <= 1, "signal.min_visibility must be between 0 and 1")
        _require(self.lowpass_hz > 0, "signal.lowpass_hz must be positive")
        _require(self.max_gap_s >= 0, "signal.max_gap_s must not be negative")
        _require(1 <= self.filter_order <= 8, "signal.filter_order must be 1 to 8")
        _require(self.max_jump_body_heights_per_s > 0, "signal.max_jump_body_heights_per_s must be positive")


#: The height assumed for the gaze distance when nobody gave one (the report then says "assumed").
ASSUMED_HEIGHT_CM = 170.0


@dataclass(frozen=True)
class BodyConfig:
    """The walker's body, for turning head pitch into a distance on the floor."""

    # The walker's height, used when --height-cm is not given (then lengths are also given in metres).
    # Unset: ASSUMED_HEIGHT_CM is assumed for the gaze distance only, and the report says so.
    height_cm: float | None = None
    eye_height_ratio: float = 0.93  # eye height / body height (Drillis & Contini 1966 segment proportions)

    def __post_init__(self) -> None:
        h = self.height_cm
        _require(h is None or (isinstance(h, int | float) and not isinstance(h, bool)),
                 f"body.height_cm must be a number, got {h!r}")
        _require(h is None or 50 <= h <= 250, f"body.height_cm must be 50 to 250, got {h}")
        _require(0.5 <= self.eye_height_ratio < 1, "body.eye_height_ratio must be between 0.5 and 1")


@dataclass(frozen=True)
class LookAheadConfig:
    """The look-ahead rule: eyes on a point about 6 m (20 ft) ahead, head neutral."""

    # The MediaPipe ear->eye line sits about 13 deg above the Frankfurt plane when the head is level
    # (Kroemer & Hill 1986 put their ear-eye line 10-15 deg above it); this offset makes 0 = level head.
    head_neutral_offset_deg: float = 13.0
    # With a level head the relaxed line of sight falls ~15 deg below horizontal (Kroemer & Hill 1986;
    # ergonomics texts use 10-15 deg): from 1.58 m that lands ~6 m ahead, the look-ahead point.
    line_of_sight_deg: float = 15.0
    look_down_distance_m: float = 3.0  # gaze point nearer than this = looking down (half the 6 m target)
    release_distance_m: float = 3.5  # hysteresis: an episode ends once the gaze point is beyond this
    min_episode_s: float = 0.5  # shorter dips are glances, not a habit
    flag_fraction: float = 0.25  # flag when at least this share of the analysable time is looking down

    def __post_init__(self) -> None:
        _require(self.look_down_distance_m > 0, "look_ahead.look_down_distance_m must be positive")
        _require(self.release_distance_m >= self.look_down_distance_m,
                 "look_ahead.release_distance_m must be at least look_down_distance_m")
        _require(0 < self.flag_fraction <= 1, "look_ahead.flag_fraction must be in (0, 1]")
        _require(self.min_episode_s >= 0, "look_ahead.min_episode_s must not be negative")
        _require(-45 <= self.head_neutral_offset_deg <= 45, "look_ahead.head_neutral_offset_deg must be -45 to 45")
        _require(0 <= self.line_of_sight_deg < 60, "look_ahead.line_of_sight_deg must be 0 to 60")


@dataclass(frozen=True)
class SlouchConfig:
    """Slouch: trunk bent forward or head carried forward of the shoulders, sustained."""

    # Upright walking keeps the trunk within ~5 deg of vertical (Perry & Burnfield, Gait Analysis);
    # sustained lean beyond 10 deg is the coaching threshold.
    trunk_lean_max_deg: float = 10.0
    # Plumb-line posture puts the ear over the shoulder (Kendall, Muscles: Testing and Function).
    # Offset of the ear ahead of the shoulder, as a share of trunk length; 0.20 is ~10 cm in an adult.
    forward_head_max_rel: float = 0.20
    hysteresis_deg: float = 2.0  # an episode ends once lean is this far back under its limit
    hysteresis_rel: float = 0.02  # likewise for forward head
    min_episode_s: float = 0.5
    flag_fraction: float = 0.25  # flag when at least this share of the analysable time is slouched

    def __post_init__(self) -> None:
        _require(self.trunk_lean_max_deg > self.hysteresis_deg,
                 "slouch.trunk_lean_max_deg must be larger than slouch.hysteresis_deg")
        _require(self.forward_head_max_rel > self.hysteresis_rel,
                 "slouch.forward_head_max_rel must be larger than slouch.hysteresis_rel")
        _require(0 < self.flag_fraction <= 1, "slouch.flag_fraction must be in (0, 1]")
        _require(self.min_episode_s >= 0 and self.hysteresis_deg >= 0 and self.hysteresis_rel >= 0,
                 "slouch.min_episode_s and the hysteresis values must not be negative")


@dataclass(frozen=True)
class GaitConfig:
    """Gait events and the overstride / foot-strike checks."""

    min_step_s: float = 0.3  # steps closer than this are one step (cadence < 200 steps/min)
    max_step_s: float = 1.5  # a longer gap between contacts is a pause, not a step
    # A step: the landing ankle at least this far ahead of the pelvis (leg lengths; negative = behind).
    # A step-to gait (a limp: one foot brought up beside the other) lands ~0.1 behind the pelvis.
    peak_height_rel: float = -0.3
    peak_prominence_rel: float = 0.15  # and stand out this much from the swing before it (leg lengths)
    # Toe-off: the toe at least this far behind the pelvis (leg lengths). Short steps end close behind
    # it: 0.15 missed a Parkinson's walker's toe-off on motion capture that 0.05 keeps.
    toe_off_height_rel: float = 0.05
    # The pose model's foot landmarks trail the foot: on video a foot's peak ahead of the pelvis comes
    # this long after the heel lands, so events are moved this much earlier. Measured: the median of
    # (plain peak - hand-marked contact) over the 45 contacts of tests/data/gait_initial_contacts.json
    # (six clips, 24-30 fps) is 42 ms (mean 41, SD 40 ms); on motion capture, where there is no pose
    # model, the plain peak is -11 +- 29 ms from the heel strike (tests/test_events_mocap.py, lag 0).
    foot_lag_s: float = 0.04
    run_trim_s: float = 0.1  # no events this close to a turn (a change of walking direction)
    leg_length_ratio: float = 0.491  # hip-to-ankle / body height (thigh 0.245 + shank 0.246, Drillis & Contini)
    # Heel ahead of the pelvis at initial contact, in leg lengths. Provisional: upright walkers on the
    # real clips land their heel about 0.35-0.5 leg lengths ahead; overstriding reaches further.
    overstride_max_rel: float = 0.55
    heel_strike_min_deg: float = 8.0  # toes up at contact by at least this = heel strike
    forefoot_max_deg: float = -5.0  # toes down by at least this = forefoot strike; in between = flat
    asymmetry_max_pct: float = 10.0  # left/right step-time difference beyond this is flagged (limping)
    min_steps_per_side: int = 4  # fewer steps a side than this: asymmetry is reported but not judged
    # Left/right step-length difference (steps landing on each foot, % of their mean) beyond this is
    # flagged: a step-to gait (one foot steps ahead, the other is brought up beside it) keeps an even
    # rhythm but not even steps. Provisional: the even walkers of the real clips differ by 1-22%.
    step_length_asymmetry_max_pct: float = 40.0
    # A gait verdict rests on at least this many steps (initial contacts); fewer: unknown, "too few steps".
    # With 3 steps a single missed or extra contact changes the cadence by a third.
    min_steps: int = 4
    # A cadence above this is not walking: a run, or a clip sped up (a time-lapse export). Brisk walking
    # reaches ~140 steps/min; the shared clips walk at 84-126.
    max_cadence_spm: float = 170.0
    # Under slow_cadence_spm, a step length over cadence (the walk ratio, leg lengths per step/min) above
    # max_walk_ratio is not a walk at the speed the clip shows but a slow-motion export: people who walk
    # slowly take shorter steps as well as fewer. Healthy adults keep ~0.006-0.008 (0.0055-0.0070 m per
    # step/min) over their range of speeds; the shared clips 0.0029-0.0082 at 84-126 steps/min. Slowed down
    # 2x, lab_woman reads 58 steps/min at 0.0132 and sports2d 57 at 0.0143. Above slow_cadence_spm long steps
    # are left alone: a tall walker reaching forward (overstriding) at 90 steps/min comes near 0.011.
    slow_cadence_spm: float = 70.0
    max_walk_ratio: float = 0.011

    def __post_init__(self) -> None:
        _require(self.max_walk_ratio > 0 and self.slow_cadence_spm >= 0,
                 "gait.max_walk_ratio must be positive and gait.slow_cadence_spm not negative")
        _require(self.max_cadence_spm > 60.0 / self.max_step_s, "gait.max_cadence_spm is too low")
        _require(0 < self.min_step_s < self.max_step_s, "gait.min_step_s must be positive and below max_step_s")
        _require(0 < self.leg_length_ratio < 1, "gait.leg_length_ratio must be between 0 and 1")
        _require(self.forefoot_max_deg < self.heel_strike_min_deg,
                 "gait.forefoot_max_deg must be below gait.heel_strike_min_deg")
        _require(self.overstride_max_rel > 0 and self.asymmetry_max_pct > 0 and self.step_length_asymmetry_max_pct > 0,
                 "gait limits must be positive")
        _require(self.min_steps >= 2, "gait.min_steps must be at least 2")
        _require(0 <= self.foot_lag_s < self.min_step_s, "gait.foot_lag_s must be from 0 to below gait.min_step_s")


@dataclass(frozen=True)
class LimitsConfig:
    """Input limits and what counts as enough data."""

    max_duration_s: float = 1800.0  # refuse clips longer than 30 minutes
    max_pixels: int = 3840 * 2160  # refuse frames larger than 4K UHD
    # Posture verdicts rest on at least this much walking in which the body parts they use were seen
    # (about three steps at a usual cadence); less = verdict unknown.
    min_analysable_s: float = 1.5

    def __post_init__(self) -> None:
        _require(self.max_duration_s > 0 and self.max_pixels > 0, "limits must be positive")
        _require(self.min_analysable_s >= 0, "limits.min_analysable_s must not be negative")


@dataclass(frozen=True)
class SeenConfig:
    """When a body part counts as seen in a frame: inside the picture, clear of its edges.

    The pose model places every landmark somewhere, also those of a head above the top of the
    picture or feet below it (with visibility scores near 1), so a part counts as seen only where
    all its landmarks lie inside the frame by a margin: ``edge_margin_rel`` of the frame's shorter
    side, or the part's clearance in trunk lengths (shoulder-mid to hip-mid), whichever is larger.
    """

    edge_margin_rel: float = 0.01
    # The crown of the head sits about a quarter of a trunk length above the eyes and ears
    # (Drillis & Contini 1966 proportions): the head's landmarks need that much room to the edges.
    head_clearance_rel: float = 0.25
    body_clearance_rel: float = 0.05  # shoulders, hips and feet: a little room for the joint itself
    # A walker smaller than this in the picture (shoulder-to-hip plus hip-to-ankle, in pixels; about 0.8 x
    # standing height) is too small to measure: the ear-to-eye line that gives the head pitch spans ~3 px
    # at 95 px (the high-angle pedestrians clip), ~8 px at 180 px (the smallest walkers judged by eye here).
    min_body_px: float = 120.0
    # The head pitch is the angle of the ear-to-eye line: shorter than this in pixels, a one-pixel error in
    # either landmark turns it by 10 deg or more (atan(1/6) = 9.5 deg), as much as the look-ahead limit's
    # margin. The side-view walkers here span 8-21 px; the high-angle pedestrians 3-5 px.
    min_head_px: float = 6.0
    # A body's proportions: thigh / shank of each leg and trunk / thigh (2D, as projected; on the real side
    # clips 97-100% of walking frames lie within, the median ratios 0.95-1.06 and 1.3-1.5). Outside = a
    # skeleton the model made up or squeezed, e.g. where the picture's edge cuts the body.
    thigh_shank: tuple[float, float] = (0.7, 1.45)
    trunk_thigh: tuple[float, float] = (1.1, 2.3)
    # More frames than this share with a body out of proportion: the clip cuts the body (the top third of a
    # real clip cut away gives 50%, the real clips 0-3%, 16% for the tiny high-angle pedestrians).
    max_distorted_share: float = 0.25

    def __post_init__(self) -> None:
        _require(0 <= self.edge_margin_rel < 0.5, "seen.edge_margin_rel must be 0 to 0.5")
        _require(0 <= self.head_clearance_rel <= 2 and 0 <= self.body_clearance_rel <= 2,
                 "seen clearances must be 0 to 2 trunk lengths")
        _require(self.min_body_px >= 0, "seen.min_body_px must not be negative")
        _require(len(self.thigh_shank) == 2 and len(self.trunk_thigh) == 2
                 and 0 < self.thigh_shank[0] < self.thigh_shank[1] and 0 < self.trunk_thigh[0] < self.trunk_thigh[1],
                 "seen.thigh_shank and seen.trunk_thigh are [low, high] ranges of positive numbers")
        _require(0 < self.max_distorted_share <= 1, "seen.max_distorted_share must be in (0, 1]")


@dataclass(frozen=True)
class Config:
    """All of gaitcheck's settings."""

    pose: PoseConfig = field(default_factory=PoseConfig)
    signal: SignalConfig = field(default_factory=SignalConfig)
    body: BodyConfig = field(default_factory=BodyConfig)
    look_ahead: LookAheadConfig = field(default_factory=LookAheadConfig)
    slouch: SlouchConfig = field(default_factory=SlouchConfig)
    gait: GaitConfig = field(default_factory=GaitConfig)
    limits: LimitsConfig = field(default_factory=LimitsConfig)
    seen: SeenConfig = field(default_factory=SeenConfig)

    def to_dict(self) -> dict[str, Any]:
        """The settings as plain nested dicts (for the report; ranges as lists, as JSON holds them)."""
        return dataclasses.asdict(self, dict_factory=lambda items: {k: list(v) if isinstance(v, tuple) else v
                                                                    for k, v in items})

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Config:
        """The settings a report records (:meth:`to_dict`), checked like a config file.

        Keys this version does not know (from a newer gaitcheck) are left out; missing ones keep
        their defaults.

        Raises:
            ConfigError: a value is of the wrong type or out of range.
        """
        cfg: Config = _build(Config, _known(Config, data), "")
        return cfg

    def with_overrides(self, section: str, **values: Any) -> Config:
        """A copy with some values of one section replaced, checked like a config file.

        >>> Config().with_overrides("body", height_cm=160).body.height_cm
        160
        """
        cfg: Config = _build(Config, {**self.to_dict(), section: {**self.to_dict()[section], **values}}, "")
        return cfg


def _known(cls: Any, data: Any) -> Any:
    """``data`` without the keys ``cls`` (a settings dataclass) does not have, recursively."""
    if not isinstance(data, dict):
        return data
    fields = {f.name: f for f in dataclasses.fields(cls)}
    defaults = cls()
    out = {}
    for key, value in data.items():
        if key in fields:
            default = getattr(defaults, key)
            out[key] = _known(type(default), value) if dataclasses.is_dataclass(default) else value
    return out


def load_config(path: str | PathLike[str] | None = None) -> Config:
    """Read a TOML config file; missing keys keep their defaults, unknown keys are an error.

    Raises:
        ConfigError: the file is missing, is not TOML, or has an unknown key or a wrong type.
    """
    if path is None:
        return Config()
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {p}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config file {p}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{p.name} is not valid TOML: {exc}") from None
    cfg: Config = _build(Config, data, "")
    return cfg


def _build(cls: Any, data: Any, where: str) -> Any:
    if not isinstance(data, dict):
        raise ConfigError(f"[{where}] must be a table, got {data!r}")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    defaults = cls()
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{where}.{key}" if where else key
        if key not in fields:
            close = difflib.get_close_matches(key, fields, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise ConfigError(f"unknown config key '{name}'; {hint}valid keys are: {', '.join(fields)}")
        default = getattr(defaults, key)
        if dataclasses.is_dataclass(default):
            kwargs[key] = _build(type(default), value, name)
        else:
            kwargs[key] = _check_value(name, default, value)
    return cls(**kwargs)


def _check_value(name: str, default: Any, value: Any) -> Any:
    if isinstance(default, tuple):  # a range: [low, high] in TOML and JSON
        if not isinstance(value, list | tuple) or len(value) != len(default):
            raise ConfigError(f"{name} must be a list of {len(default)} numbers, got {value!r}")
        return tuple(_check_value(name, d, v) for d, v in zip(default, value, strict=True))
    if isinstance(default, str):
        if isinstance(value, int) and not isinstance(value, bool):  # turn = 90 in TOML means "90"
            return str(value)
        if not isinstance(value, str):
            raise ConfigError(f"{name} must be a string, got {value!r}")
        return value
    if isinstance(default, bool) or isinstance(value, bool):
        raise ConfigError(f"{name} must be a number, got {value!r}")
    if isinstance(default, int) and not isinstance(value, int):
        raise ConfigError(f"{name} must be a whole number, got {value!r}")
    if isinstance(default, float) and not isinstance(value, int | float):
        raise ConfigError(f"{name} must be a number, got {value!r}")
    return value
