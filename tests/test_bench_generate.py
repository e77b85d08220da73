"""Smoke test of the benchmark data generator at a tiny scale on SQLite: it runs, makes every
kind of row, and what it loads is consistent (balances = ledger, entries = sale lines)."""
import importlib.util
import os
import sqlite3

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _generator():
    """bench/generate.py as a module (bench/ is scripts, not a package)."""
    spec = importlib.util.spec_from_file_location("bench_generate", os.path.join(ROOT, "bench", "generate.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generate_tiny_scale_is_consistent(tmp_path):
    """0.1% of a year: every table gets rows, the integrity check (books' hash chains too)
    finds nothing, the books are sealed again after the bulk load, and the
    cash sessions, receipt counters and payouts agree with the sales."""
    path = tmp_path / "bench.sqlite"
    counts = _generator().generate(f"sqlite:///{path}", scale=0.001, seed=3, log=lambda *_: None)
    assert counts["integrity_problems"] == 0  # the books' chains and seals included
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT count(*) FROM sales WHERE chain_hash IS NULL").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM consignment_entries WHERE chain_hash IS NULL").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%_sealed_%'"
                        ).fetchone()[0] > 0
    conn.close()
    for table in ("receptions", "packaging_runs", "transfers", "sales", "sale_lines", "payouts",
                  "cash_sessions", "consignment_entries"):
        assert counts[table] > 0, table
    conn = sqlite3.connect(path)
    q = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
    assert q("SELECT count(*) FROM cooperatives") == 50
    assert q("SELECT count(*) FROM products") == 500
    assert q("SELECT count(*) FROM locations WHERE kind IN ('warehouse', 'shop')") == 20
    assert q("SELECT count(*) FROM sale_lines") == counts["sale_lines"] > 1500
    # No real location below zero, and each shop's counter is its last receipt number.
    assert q("SELECT count(*) FROM stock_balances b JOIN locations l ON l.id = b.location_id "
             "WHERE l.kind IN ('warehouse', 'shop', 'transit') AND b.quantity < 0") == 0
    assert q("SELECT count(*) FROM receipt_counters c WHERE c.last_number <> "
             "(SELECT coalesce(max(seq), 0) FROM sales s WHERE s.location_id = c.location_id)") == 0
    # A till's expected cash is its float plus the cash tendered less the change given.
    assert q("""SELECT count(*) FROM cash_sessions c WHERE abs(c.expected_cash - 200 - coalesce((
                 SELECT sum(p.amount) - sum(s.change) FROM sales s JOIN sale_payments p ON p.sale_id = s.id
                 WHERE s.cash_session_id = c.id AND p.method = 'cash'), 0)) > 0.001""") == 0
    # Deterministic: the same seed gives the same year.
    again = _generator().generate(f"sqlite:///{tmp_path / 'again.sqlite'}", scale=0.001, seed=3,
                                  check=False, log=lambda *_: None)
    assert {k: v for k, v in again.items() if k != "seconds"} == \
        {k: v for k, v in counts.items() if k not in ("seconds", "integrity_problems")}
