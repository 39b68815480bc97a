"""A US state map drawn on the server: SVG paths from the vendored `us-atlas` TopoJSON.

The boundary file (static/vendor/us-atlas/states-10m.json, npm `us-atlas` 3.0.1, ISC
licence beside it) is read from disk once per process; nothing is fetched at run time.
It is unprojected, so this module projects it the way d3's `geoAlbersUsa` does (lower
48 on an Albers equal-area conic, Alaska and Hawaii as insets) and adds a Puerto Rico
inset, which `geoAlbersUsa` (and the pre-projected `states-albers-10m.json`) leave out.
Points (ZIP3 centroids) go through the same projection, so they land inside their state.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import cache

from django.conf import settings

WIDTH, HEIGHT = 975, 610
_K = 1300.0  # d3's albersUsa scale for a 975x610 frame
_TX, _TY = 487.5, 305.0
ATLAS = settings.BASE_DIR / "static" / "vendor" / "us-atlas" / "states-10m.json"


class _ConicEqualArea:
    """d3.geoConicEqualArea with rotate([-lambda0, 0]), center, parallels, scale, translate."""

    def __init__(self, *, rotate, center, parallels, scale, translate):
        phi0, phi1 = (math.radians(p) for p in parallels)
        sy0 = math.sin(phi0)
        self.n = (sy0 + math.sin(phi1)) / 2
        self.c = 1 + sy0 * (2 * self.n - sy0)
        self.r0 = math.sqrt(self.c) / self.n
        self.rotate, self.k = rotate, scale
        cx, cy = self._raw(math.radians(center[0]), math.radians(center[1]))
        self.dx, self.dy = translate[0] - cx * scale, translate[1] + cy * scale

    def _raw(self, lam: float, phi: float) -> tuple[float, float]:
        r = math.sqrt(max(self.c - 2 * self.n * math.sin(phi), 0)) / self.n
        return r * math.sin(lam * self.n), self.r0 - r * math.cos(lam * self.n)

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        lam = (lon + self.rotate + 180) % 360 - 180  # wraps the Aleutians across 180°
        x, y = self._raw(math.radians(lam), math.radians(lat))
        return self.dx + x * self.k, self.dy - y * self.k


_LOWER48 = _ConicEqualArea(
    rotate=96, center=(-0.6, 38.7), parallels=(29.5, 45.5), scale=_K, translate=(_TX, _TY)
)
_PROJECTIONS = {
    "AK": _ConicEqualArea(
        rotate=154,
        center=(-2, 58.5),
        parallels=(55, 65),
        scale=0.35 * _K,
        translate=(_TX - 0.307 * _K, _TY + 0.201 * _K),
    ),
    "HI": _ConicEqualArea(
        rotate=157,
        center=(-3, 19.9),
        parallels=(8, 18),
        scale=_K,
        translate=(_TX - 0.205 * _K, _TY + 0.212 * _K),
    ),
    # Not in geoAlbersUsa: an inset under Florida, at the lower 48's scale.
    "PR": _ConicEqualArea(
        rotate=66.5,
        center=(0, 18.2),
        parallels=(8, 18),
        scale=_K,
        translate=(_TX + 0.30 * _K, _TY + 0.215 * _K),
    ),
}


def project(state: str, lon: float, lat: float) -> tuple[float, float]:
    return _PROJECTIONS.get(state, _LOWER48)(lon, lat)


@dataclass(frozen=True)
class StateShape:
    code: str
    name: str
    path: str  # SVG path data in the WIDTH x HEIGHT frame
    bbox: tuple[float, float, float, float]  # x0, y0, x1, y1


def _decode_arcs(topo: dict) -> list[list[tuple[float, float]]]:
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:  # delta-encoded, quantised
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def _ring(indexes: list[int], arcs) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for i in indexes:
        arc = arcs[i] if i >= 0 else arcs[~i][::-1]
        points.extend(arc if not points else arc[1:])
    return points


def _path(state: str, rings) -> str:
    parts = []
    for ring in rings:
        out: list[str] = []
        last = None
        for lon, lat in ring:
            x, y = project(state, lon, lat)
            p = f"{x:.1f},{y:.1f}"
            if p != last:  # the 10m file at this size: many points round to the same pixel
                out.append(p)
                last = p
        if len(out) > 2:
            parts.append("M" + "L".join(out) + "Z")
    return "".join(parts)


@cache
def state_shapes() -> tuple[StateShape, ...]:
    """One shape per state, DC and Puerto Rico (the other territories are not mapped)."""
    from faon import report as faon_report

    code_for = {name: code for code, name in faon_report.STATES}
    topo = json.loads(ATLAS.read_text())
    arcs = _decode_arcs(topo)
    shapes = []
    for geom in topo["objects"]["states"]["geometries"]:
        code = code_for.get(geom["properties"]["name"])
        if code is None:
            continue
        polygons = geom["arcs"] if geom["type"] == "MultiPolygon" else [geom["arcs"]]
        rings = [_ring(r, arcs) for polygon in polygons for r in polygon]
        path = _path(code, rings)
        xy = [float(v) for v in re.findall(r"-?[\d.]+", path)]
        bbox = (min(xy[0::2]), min(xy[1::2]), max(xy[0::2]), max(xy[1::2]))
        shapes.append(StateShape(code, geom["properties"]["name"], path, bbox))
    return tuple(sorted(shapes, key=lambda s: s.code))
