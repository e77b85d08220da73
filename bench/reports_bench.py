"""The observatory's reports and map against a year of data: each page (chart, table) and its
JSON answer, timed in process through the Flask test client, median of several runs, printed
against the 300 ms target. Reuses the year of bench/generate.py (made first when missing).

    .venv/bin/python bench/reports_bench.py                              # instance/bench.sqlite
    .venv/bin/python bench/reports_bench.py --url postgresql+psycopg://postgres@127.0.0.1:5432/tadamon_bench
    .venv/bin/python bench/reports_bench.py --scale 0.1 --url sqlite:///instance/bench-0.1.sqlite

Two periods: the bench year (December 2025 – November 2026: whole months, read from the monthly
summary) and 15 January – 20 May 2026 (edges read day by day). Each compares with the same
period a year before, as the pages do.
"""
import argparse
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
os.environ.setdefault("TADAMON_NO_APP", "1")

import generate  # noqa: E402

TARGET_MS = 300.0
PERIODS = {"year": ("2025-12-01", "2026-11-30"), "edges": ("2026-01-15", "2026-05-20")}
PAGES = [("sales by family", "/reports/sales?by=family"), ("sales by product", "/reports/sales?by=product"),
         ("sales by cooperative", "/reports/sales?by=cooperative"),
         ("sales by province", "/reports/sales?by=province"), ("sales by outlet", "/reports/sales?by=outlet"),
         ("sales by month", "/reports/sales?by=month"), ("volumes and losses", "/reports/volumes"),
         ("stock ageing by outlet", "/reports/stock?by=outlet"),
         ("stock ageing by cooperative", "/reports/stock?by=cooperative"),
         ("revenue by cooperative", "/reports/revenue?by=cooperative"),
         ("revenue by province", "/reports/revenue?by=province"), ("value chain", "/reports/value-chain"),
         ("sell-through", "/reports/sell-through"), ("map (revenue per inhabitant)",
                                                     "/reports/map?measure=revenue_per_inhabitant"),
         ("JSON sales by month", "/api/v1/reports/sales?by=month"),
         ("open data (monthly cells)", "/api/v1/open-data/sales-monthly")]


def run(url, runs):
    """{period: [(name, median ms, p95 ms, median CPU ms)]} for every page. The CPU time is
    this process's (on SQLite the queries' too; not PostgreSQL's server): on a shared, loaded
    machine it reads what a quiet one would answer far better than the wall time does."""
    from sqlalchemy import text

    from extensions import db

    app = generate.make_app(url)
    app.config["WTF_CSRF_ENABLED"] = False
    out = {}
    with app.app_context():
        lines = db.session.execute(text("SELECT count(*) FROM sale_lines")).scalar()
        summary = db.session.execute(text("SELECT count(*) FROM consignment_monthly")).scalar()
        cells = db.session.execute(text("SELECT count(*) FROM report_cells")).scalar()
        if (not summary or not cells) and lines:
            from models.report_summaries import rebuild

            print("summary tables empty: rebuilding them from the consignment entries")
            rebuild()
            db.session.commit()
        daily = db.session.execute(text("SELECT count(*) FROM consignment_daily")).scalar()
        monthly = db.session.execute(text("SELECT count(*) FROM consignment_monthly")).scalar()
        db.session.remove()
    client = app.test_client()
    client.post("/login", data={"username": "admin", "password": "demo-admin"})
    for period, (d0, d1) in PERIODS.items():
        rows = []
        for name, path in PAGES:
            sep = "&" if "?" in path else "?"
            target = f"{path}{sep}from={d0}&to={d1}"
            response = client.get(target)
            assert response.status_code == 200, (target, response.status_code)
            times, cpu = [], []
            for _ in range(runs):
                t0, c0 = time.perf_counter(), time.process_time()
                response = client.get(target)
                times.append((time.perf_counter() - t0) * 1000)
                cpu.append((time.process_time() - c0) * 1000)
                assert response.status_code == 200
            times.sort()
            rows.append((name, statistics.median(times), times[min(len(times) - 1, round(0.95 * len(times)))],
                         statistics.median(cpu)))
        out[period] = rows
    return {"sale_lines": lines, "daily_rows": daily, "monthly_rows": monthly, "periods": out}


def main():
    """Command line: time every report and print it against the target."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default=generate.DEFAULT_SQLITE)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--scale", type=float, default=1.0, help="scale of the year generated when missing")
    args = parser.parse_args()
    import run as bench_run

    if not bench_run.has_data(args.url):
        print(f"no year at {args.url}: generating it at scale {args.scale}")
        generate.generate(args.url, args.scale, check=False)
    result = run(args.url, args.runs)
    db = "PostgreSQL" if args.url.startswith("postgresql") else "SQLite"
    print(f"\n{db}: {result['sale_lines']:,} sale lines; summary rows: {result['daily_rows']:,} daily, "
          f"{result['monthly_rows']:,} monthly; median / p95 of {args.runs} runs, in process; "
          f"load average {os.getloadavg()[0]:.2f}")
    missed = 0
    for period, rows in result["periods"].items():
        d0, d1 = PERIODS[period]
        print(f"\n  period {d0} .. {d1} ({period}), with the same period a year before")
        print(f"  {'report':34} {'median ms':>10} {'p95 ms':>8} {'CPU ms':>8}   target {TARGET_MS:.0f} ms")
        for name, median, p95, cpu in rows:
            ok = median <= TARGET_MS
            missed += not ok
            print(f"  {name:34} {median:10.1f} {p95:8.1f} {cpu:8.1f}   {'met' if ok else 'NOT met'}")
    print(f"\n{missed} report(s) over the target")


if __name__ == "__main__":
    main()
