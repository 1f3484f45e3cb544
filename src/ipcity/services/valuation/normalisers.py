"""Normalisers: an indicator's raw value → a score of 0–100 (piecewise linear, logistic, or a score per category).

Pure. The anchors of each indicator are in domain.INDICATORS; a weights file may replace them (weights.py).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass


def num(x: float) -> str:
    """A number as the descriptions and messages write it: 0.5, 12, 1e+06."""
    return f"{x:g}"


@dataclass(frozen=True)
class Piecewise:
    """Piecewise linear through the anchor points (x, score), x increasing; flat beyond the first and last."""

    points: tuple[tuple[float, float], ...]

    def __post_init__(self):
        xs = [x for x, _ in self.points]
        if len(self.points) < 2 or xs != sorted(xs) or len(set(xs)) != len(xs):
            raise ValueError("a piecewise normaliser needs two or more points with increasing x")
        if any(not 0 <= y <= 100 for _, y in self.points):
            raise ValueError("a piecewise normaliser's scores must lie between 0 and 100")

    def __call__(self, x: float) -> float:
        pts = self.points
        if x <= pts[0][0]:
            return float(pts[0][1])
        if x >= pts[-1][0]:
            return float(pts[-1][1])
        i = bisect_right([p[0] for p in pts], x)
        (x0, y0), (x1, y1) = pts[i - 1], pts[i]
        return y0 + (y1 - y0) * (x - x0) / (x1 - x0)

    def describe(self) -> str:
        return "piecewise linear through " + ", ".join(f"({num(x)}, {num(y)})" for x, y in self.points)

    def to_dict(self) -> dict:
        return {"kind": "piecewise", "points": [list(p) for p in self.points]}


@dataclass(frozen=True)
class Logistic:
    """100 / (1 + e^(−(x − midpoint) / scale)): 50 at the midpoint, 73.1 one scale above, 26.9 one below."""

    midpoint: float
    scale: float

    def __post_init__(self):
        if not self.scale > 0:
            raise ValueError("a logistic normaliser needs a positive scale")

    def __call__(self, x: float) -> float:
        z = (x - self.midpoint) / self.scale
        if z < -700:
            return 0.0
        return 100.0 / (1.0 + math.exp(-z))

    def describe(self) -> str:
        return f"logistic, midpoint {num(self.midpoint)}, scale {num(self.scale)}"

    def to_dict(self) -> dict:
        return {"kind": "logistic", "midpoint": self.midpoint, "scale": self.scale}


@dataclass(frozen=True)
class Categories:
    """A score per category; a category not listed scores `default` (None: the input counts as missing)."""

    scores: tuple[tuple[str, float], ...]
    default: float | None = None

    def __call__(self, x: str) -> float | None:
        return dict(self.scores).get(x, self.default)

    def describe(self) -> str:
        return "categories " + ", ".join(f"{k} → {num(v)}" for k, v in self.scores)

    def to_dict(self) -> dict:
        return {"kind": "categories", "scores": dict(self.scores), "default": self.default}


Normaliser = Piecewise | Logistic | Categories


def normaliser_from(spec: Mapping) -> Normaliser:
    """A normaliser from its file form: {"kind": "piecewise", "points": [[x, y], ...]}, {"kind": "logistic",
    "midpoint": m, "scale": s} or {"kind": "categories", "scores": {...}, "default": d}."""
    kind = spec.get("kind")
    if kind == "piecewise":
        return Piecewise(tuple((float(x), float(y)) for x, y in spec["points"]))
    if kind == "logistic":
        return Logistic(float(spec["midpoint"]), float(spec["scale"]))
    if kind == "categories":
        default = spec.get("default")
        return Categories(tuple((str(k), float(v)) for k, v in dict(spec["scores"]).items()),
                          None if default is None else float(default))
    raise ValueError(f"unknown normaliser kind {kind!r} (piecewise, logistic, categories)")
