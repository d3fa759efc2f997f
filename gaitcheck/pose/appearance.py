"""What a person looks like, to tell whether a person seen later is the walker come back.

Two cheap descriptors, from what each look of the pose model gives anyway:

- :func:`appearance`: the colour of the clothes, from a few dozen pixels sampled along the
  torso (shoulders to hips), the thighs and the shins, in CIE L*a*b* (lightness apart from
  colour: the light changes between two shots of a walk far more than the colours do);
- :func:`proportions`: segment lengths of the body in the world landmarks (metres, a
  scale-free set of ratios), which do not depend on the clothes or the light.

Both are per look; :func:`summarise` takes a person's median over their looks, and
:func:`colour_distance` and :func:`proportion_distance` compare two people.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..landmarks import Landmark as L

__all__ = ["APPEARANCE_SHAPE", "REGIONS", "Looks", "appearance", "colour_distance", "colour_distances",
           "proportion_distance", "proportions", "summarise"]

F32 = NDArray[np.float32]
#: The body regions whose colour is sampled, in the rows of :func:`appearance`'s result.
REGIONS = ("torso", "thighs", "shins")
APPEARANCE_SHAPE = (len(REGIONS), 3)  # one L*a*b* colour per region
MIN_VISIBILITY = 0.5  # a segment's ends must both be trusted this much by the model to sample it
_ALONG = np.array([0.2, 0.35, 0.5, 0.65, 0.8])  # where along a segment pixels are sampled
_ACROSS = np.array([-0.1, 0.0, 0.1])  # ... and across the torso, in torso lengths from its mid-line
_LIGHTNESS_WEIGHT = 0.5  # lightness counts half as much as colour in the distance
# (segment ends) of each region: both sides' segments pool their pixels
_SEGMENTS: dict[str, tuple[tuple[int, int], ...]] = {
    "thighs": ((L.LEFT_HIP, L.LEFT_KNEE), (L.RIGHT_HIP, L.RIGHT_KNEE)),
    "shins": ((L.LEFT_KNEE, L.LEFT_ANKLE), (L.RIGHT_KNEE, L.RIGHT_ANKLE)),
}
# segment lengths whose ratios to the body's length are the proportions
_BONES: tuple[tuple[tuple[int, int], ...], ...] = (
    ((L.LEFT_SHOULDER, L.RIGHT_SHOULDER),),
    ((L.LEFT_HIP, L.RIGHT_HIP),),
    ((L.LEFT_HIP, L.LEFT_KNEE), (L.RIGHT_HIP, L.RIGHT_KNEE)),
    ((L.LEFT_KNEE, L.LEFT_ANKLE), (L.RIGHT_KNEE, L.RIGHT_ANKLE)),
    ((L.LEFT_SHOULDER, L.LEFT_ELBOW), (L.RIGHT_SHOULDER, L.RIGHT_ELBOW)),
    ((L.LEFT_ELBOW, L.LEFT_WRIST), (L.RIGHT_ELBOW, L.RIGHT_WRIST)),
)  # fmt: skip


_TORSO = [L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.LEFT_HIP, L.RIGHT_HIP]
_LIMB_FROM = [a for name in REGIONS[1:] for a, _ in _SEGMENTS[name]]  # thighs' two segments, then the shins'
_LIMB_TO = [b for name in REGIONS[1:] for _, b in _SEGMENTS[name]]
_PER_REGION = len(_ALONG) * len(_ACROSS)  # points sampled per region (the limbs' padded to the torso's)
_EXPECTED = np.array([_PER_REGION, 2 * len(_ALONG), 2 * len(_ALONG)])  # points a region has when all are usable


def _points(people_px: NDArray[np.floating]) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Where to sample each region's pixels, and which of them to use.

    (n, 3, k, 2) x, y and (n, 3, k) the samples to use: those whose segment ends the model trusts (the
    frame's edges are checked later).
    """
    xy = people_px[:, :, :2].astype(np.float64)
    vis: NDArray[np.bool_] = np.asarray(people_px[:, :, 3] >= MIN_VISIBILITY)
    n = len(xy)
    pts = np.zeros((n, len(REGIONS), _PER_REGION, 2))
    use = np.zeros((n, len(REGIONS), _PER_REGION), bool)
    top = xy[:, _TORSO[:2]].mean(axis=1)
    axis = xy[:, _TORSO[2:]].mean(axis=1) - top
    normal = np.stack([-axis[:, 1], axis[:, 0]], axis=1)
    torso = (top[:, None, None] + _ALONG[None, :, None, None] * axis[:, None, None]
             + _ACROSS[None, None, :, None] * normal[:, None, None])
    pts[:, 0] = torso.reshape(n, -1, 2)
    use[:, 0] = np.all(vis[:, _TORSO], axis=1, keepdims=True)
    a, b = xy[:, _LIMB_FROM], xy[:, _LIMB_TO]  # (n, 4, 2)
    limbs = a[:, :, None] + _ALONG[None, None, :, None] * (b - a)[:, :, None]  # (n, 4, 5, 2)
    ok = vis[:, _LIMB_FROM] & vis[:, _LIMB_TO]  # (n, 4)
    k = 2 * len(_ALONG)
    pts[:, 1:, :k] = limbs.reshape(n, 2, k, 2)
    use[:, 1:, :k] = np.repeat(ok, len(_ALONG), axis=1).reshape(n, 2, k)
    return pts, use


def appearance(image: NDArray[np.uint8], people_px: NDArray[np.floating]) -> F32:
    """The clothing colours of each person in one RGB frame: (n, 3, 3) L*a*b* of torso, thighs and shins.

    ``people_px`` is (n, 33, >=4) landmarks in pixels with the visibility in column 3. A region is
    NaN where its landmarks are not trusted or less than half of its pixels lie inside the frame.
    Each colour is the median of the sampled pixels (robust to a bit of background or a bag).

    >>> img = np.zeros((100, 100, 3), np.uint8); img[:, :] = (200, 30, 30)
    >>> lm = np.zeros((1, 33, 5), np.float32); lm[0, :, 3] = 1
    >>> lm[0, [L.LEFT_SHOULDER, L.RIGHT_SHOULDER], :2] = (50, 10)
    >>> lm[0, [L.LEFT_HIP, L.RIGHT_HIP], :2] = (50, 50)
    >>> lm[0, [L.LEFT_KNEE, L.RIGHT_KNEE], :2] = (50, 70); lm[0, [L.LEFT_ANKLE, L.RIGHT_ANKLE], :2] = (50, 99.5)
    >>> col = appearance(img, lm)[0]
    >>> bool(np.allclose(col, col[0], atol=0.5)), bool(col[0, 1] > 40)  # all red: a* high
    (True, True)
    >>> lm[0, [L.LEFT_ANKLE, L.RIGHT_ANKLE], :2] = (50, 140)  # the shins mostly below the frame
    >>> np.isnan(appearance(img, lm)[0]).any(axis=1).tolist()
    [False, False, True]
    """
    import cv2  # loaded with the pose model already (mediapipe imports it)

    h, w = image.shape[:2]
    out = np.full((len(people_px), *APPEARANCE_SHAPE), np.nan, np.float32)
    if not len(people_px):
        return out
    pts, use = _points(people_px)
    use &= (pts[..., 0] >= 0) & (pts[..., 0] < w) & (pts[..., 1] >= 0) & (pts[..., 1] < h)
    ok = 2 * use.sum(axis=2) >= _EXPECTED  # (n, 3) regions to measure
    if not ok.any():
        return out
    xs = np.clip(pts[..., 0], 0, w - 1).astype(np.intp)
    ys = np.clip(pts[..., 1], 0, h - 1).astype(np.intp)
    pixels = image[ys[ok], xs[ok]].astype(np.float32) / 255  # (m, k, 3)
    lab = cv2.cvtColor(pixels.reshape(-1, 1, 3), cv2.COLOR_RGB2LAB).reshape(pixels.shape)
    lab[~use[ok]] = np.inf  # sorted last; the median is taken over the usable points only
    lab.sort(axis=1)
    count = use[ok].sum(axis=1)[:, None, None]
    lo = np.take_along_axis(lab, (count - 1) // 2, axis=1)
    hi = np.take_along_axis(lab, count // 2, axis=1)
    out[ok] = ((lo + hi) / 2)[:, 0]
    return out


def proportions(world: NDArray[np.floating]) -> NDArray[np.float64]:
    """Body proportions from (..., 33, 3) world landmarks: (..., 6) segment lengths over the body's length.

    The segments: shoulder width, hip width, thigh, shin, upper arm and forearm (each limb the mean
    of both sides); the body's length is mid-shoulder to mid-hip plus thigh plus shin.
    """
    xyz = np.asarray(world, np.float64)

    def length(a: int, b: int) -> NDArray[np.float64]:
        return np.asarray(np.linalg.norm(xyz[..., a, :] - xyz[..., b, :], axis=-1), np.float64)

    bones = np.stack([np.mean([length(a, b) for a, b in pairs], axis=0) for pairs in _BONES], axis=-1)
    mid_sh = (xyz[..., L.LEFT_SHOULDER, :] + xyz[..., L.RIGHT_SHOULDER, :]) / 2
    mid_hip = (xyz[..., L.LEFT_HIP, :] + xyz[..., L.RIGHT_HIP, :]) / 2
    body = np.linalg.norm(mid_sh - mid_hip, axis=-1) + bones[..., 2] + bones[..., 3]
    with np.errstate(invalid="ignore", divide="ignore"):
        ratios = bones / body[..., None]
    return np.asarray(np.where((bones > 1e-6) & (body[..., None] > 1e-6), ratios, np.nan), np.float64)


@dataclass(frozen=True)
class Looks:
    """A person's median appearance (3, 3) and proportions (6,) over their looks (NaN: never seen)."""

    colours: NDArray[np.float64]
    proportions: NDArray[np.float64]
    looks: int  # looks with at least one region's colour


def summarise(colours: Sequence[F32], world: Sequence[F32]) -> Looks:
    """The median of a person's per-look :func:`appearance` rows and :func:`proportions`."""
    props = proportions(np.stack(world)) if len(world) else np.full((1, len(_BONES)), np.nan)
    known = np.isfinite(props).any(axis=0)
    med = np.full(len(_BONES), np.nan)
    med[known] = np.nanmedian(props[:, known], axis=0)
    if len(colours):
        cols = np.stack(colours).astype(np.float64)
        seen: NDArray[np.bool_] = np.asarray(np.isfinite(cols).all(axis=2))  # (looks, regions)
        colours_med = np.full(APPEARANCE_SHAPE, np.nan)
        for r in range(len(REGIONS)):
            if seen[:, r].any():
                colours_med[r] = np.median(cols[seen[:, r], r], axis=0)
        n = int(seen.any(axis=1).sum())
    else:
        colours_med, n = np.full(APPEARANCE_SHAPE, np.nan), 0
    return Looks(colours_med, med, n)


def colour_distance(a: NDArray[np.float64], b: NDArray[np.float64]) -> float:
    """How different two people's clothes look.

    The mean over the regions seen in both of their colour difference (CIE76 with lightness at half weight),
    over 100; NaN if no region is.

    >>> red = np.tile([50.0, 60.0, 40.0], (3, 1)); blue = np.tile([50.0, 10.0, -50.0], (3, 1))
    >>> round(colour_distance(red, red), 3), round(colour_distance(red, blue), 3)
    (0.0, 1.03)
    """
    return float(colour_distances(a, b))


def colour_distances(a: NDArray[np.floating[Any]], b: NDArray[np.floating[Any]]) -> NDArray[np.float64]:
    """:func:`colour_distance` of each pair of ``a`` and ``b`` (..., 3, 3): an array of their leading shape."""
    d = np.asarray(a, np.float64) - np.asarray(b, np.float64)
    d[..., 0] *= _LIGHTNESS_WEIGHT
    per_region = np.sqrt((d**2).sum(axis=-1))
    ok = np.isfinite(per_region)
    n = ok.sum(axis=-1)
    with np.errstate(invalid="ignore"):
        out = np.where(ok, per_region, 0.0).sum(axis=-1) / n / 100
    return np.asarray(np.where(n > 0, out, np.nan), np.float64)


def proportion_distance(a: NDArray[np.float64], b: NDArray[np.float64]) -> float:
    """How different two bodies are built: the mean absolute log ratio of their proportions (NaN if unknown).

    >>> p = np.full(6, 0.2); round(proportion_distance(p, p * 1.1), 3)
    0.095
    """
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    ok = (a > 0) & (b > 0)  # NaN compares False: unknown segments are left out
    r = np.abs(np.log(np.where(ok, a, 1.0) / np.where(ok, b, 1.0)))
    return float(r[ok].mean()) if ok.any() else float("nan")
