"""Benchmark: render 1,000 labels (target under 3 s). Prints the time per layout.

    /work/main/.venv/bin/python bench/labels_bench.py
"""
import os
import sys
import time
from datetime import date
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from warehouse.labels_pdf import LAYOUTS, LabelData, code128, ean13, render_labels  # noqa: E402


def main():
    """1,000 labels of one lot per layout, then 1,000 labels spread over 50 lots."""
    one = LabelData("DAT-2611-0007", "Dattes Aziza – boîte 500 g", "تمور عزيزة – علبة 500 غ",
                    "Coopérative Zenaga des dattes de Figuig", "تعاونية زناكة لتمور فكيك", "500 g",
                    date(2027, 10, 15), "6119204100011", Decimal("55.00"))
    many = [(LabelData(f"DAT-2611-{n:04d}", one.name_fr, one.name_ar, one.cooperative_fr,
                       one.cooperative_ar, one.net_content, one.best_before, one.gtin, one.price), 20)
            for n in range(50)]
    for layout in LAYOUTS:
        code128.cache_clear()
        ean13.cache_clear()
        t0 = time.perf_counter()
        pdf = render_labels([(one, 1000)], layout)
        elapsed = time.perf_counter() - t0
        print(f"{layout:8} 1,000 labels, one lot : {elapsed:.3f} s  ({len(pdf) / 1024:.0f} KiB)")
    t0 = time.perf_counter()
    pdf = render_labels(many, "a4-3x8")
    print(f"a4-3x8   1,000 labels, 50 lots: {time.perf_counter() - t0:.3f} s  ({len(pdf) / 1024:.0f} KiB)")
    print("target: under 3 s for 1,000 labels")


if __name__ == "__main__":
    main()
