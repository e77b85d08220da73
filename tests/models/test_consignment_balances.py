"""The cooperatives' running consignment totals (consignment_balances): kept by post_entries in
the entries' transaction, equal to the entries' sums, checked by `flask integrity-check`."""
from datetime import datetime
from decimal import Decimal as D

from sqlalchemy import update

from extensions import db
from models.consignment import ConsignmentBalance, balance, consignment_balance_mismatches
from models.consignment_posting import post_entries, sale_line_entry


def test_running_totals_follow_every_kind_of_entry(app):
    """Sales of two cooperatives in one call, a refund, a fee, a payout and an adjustment:
    the one-row balance equals the indexed sum over the entries, kind by kind."""
    with app.app_context():
        post_entries([sale_line_entry(cooperative_id=c, category="dates", gross=D("100.00"), lot_id=None,
                                      quantity=D(1), location_id=None, document_type="sale", document_id=1,
                                      rate=D("0.15")) for c in (2, 1)])
        post_entries([sale_line_entry(cooperative_id=1, category=None, gross=D("40.00"), lot_id=None,
                                      quantity=D(1), location_id=None, document_type="refund",
                                      document_id=1, kind="refund", rate=D("0.15"))])
        post_entries([{"cooperative_id": 1, "kind": "fee", "amount": D("-2.50")},
                      {"cooperative_id": 1, "kind": "payout", "amount": D("-20.00")},
                      {"cooperative_id": 1, "kind": "adjustment", "amount": D("1.05")}])
        db.session.commit()
        now = balance(1)
        assert now == balance(1, until=datetime(2999, 1, 1))
        assert now == {"owed": D("51.00"), "fees": D("2.50"), "paid": D("20.00"),
                       "adjustments": D("1.05"), "balance": D("29.55")}
        assert balance(2)["balance"] == D("85.00")
        assert consignment_balance_mismatches() == []


def test_integrity_check_reports_a_tampered_running_total(app, runner):
    """A running total that no longer equals the entries is a problem (exit status 1)."""
    with app.app_context():
        post_entries([{"cooperative_id": 1, "kind": "adjustment", "amount": D("10.00")}])
        db.session.commit()
        assert runner.invoke(args=["integrity-check"]).exit_code == 0
        db.session.execute(update(ConsignmentBalance).where(ConsignmentBalance.cooperative_id == 1)
                           .values(adjustments=D("11.00")))
        db.session.commit()
    result = runner.invoke(args=["integrity-check"])
    assert result.exit_code == 1
    assert "consignment mismatch: cooperative 1" in result.output
