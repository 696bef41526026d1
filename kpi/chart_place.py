"""Where a label goes: the first of its candidate boxes that covers no line and no label
placed before it. Pure geometry in page inches, y downwards, as the chart modules lay out.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import pairwise

Box = tuple[float, float, float, float]  # x0, y0, x1, y1
Point = tuple[float, float]


def box_at(x: float, y: float, width: float, height: float, ha: str, va: str) -> Box:
    """The box of a `width` × `height` text anchored at (x, y) as matplotlib aligns it."""
    x0 = x if ha == "left" else x - width if ha == "right" else x - width / 2
    y0 = y - height if va == "bottom" else y if va == "top" else y - height / 2
    return (x0, y0, x0 + width, y0 + height)


def runs(xs: Sequence[float], ys: Sequence[float]) -> list[list[Point]]:
    """A series' polyline as the pieces between its gaps (NaN); a lone point is a piece."""
    out: list[list[Point]] = [[]]
    for x, y in zip(xs, ys, strict=True):
        if math.isnan(y):
            out.append([])
        else:
            out[-1].append((x, y))
    return [r if len(r) > 1 else r * 2 for r in out if r]


def _crosses(box: Box, a: Point, b: Point) -> bool:
    """Does the segment a–b touch the box? (Liang–Barsky clipping.)"""
    x0, y0, x1, y1 = box
    (ax, ay), (bx, by) = a, b
    dx, dy = bx - ax, by - ay
    t0, t1 = 0.0, 1.0
    for p, q in ((-dx, ax - x0), (dx, x1 - ax), (-dy, ay - y0), (dy, y1 - ay)):
        if p == 0:
            if q < 0:  # parallel to this edge and outside it
                return False
        elif p < 0:
            t0 = max(t0, q / p)
        else:
            t1 = min(t1, q / p)
        if t0 > t1:
            return False
    return True


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def is_clear(box: Box, lines: Sequence[Sequence[Point]], boxes: Sequence[Box], pad: float) -> bool:
    grown = (box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad)
    for line in lines:
        if any(_crosses(grown, a, b) for a, b in pairwise(line)):
            return False
    return not any(_overlap(grown, other) for other in boxes)


def first_clear(
    candidates: Sequence[Box],
    lines: Sequence[Sequence[Point]],
    boxes: Sequence[Box] = (),
    pad: float = 0.04,
) -> int:
    """The index of the first candidate clear of `lines` and `boxes`; 0 if none is."""
    return next((i for i, c in enumerate(candidates) if is_clear(c, lines, boxes, pad)), 0)
