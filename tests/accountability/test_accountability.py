"""Issue 14, done when: price, commission rule, bank details and role changes are in the
audit log with before and after; a transfer received one jar short opens a compensation
that, approved, is on the statement and reconciles; a reversed payout restores the balance;
a refund prints its credit note and the Z report its ranges; rows edited or deleted by hand
in sales, entries or the audit log are refused (SQLite and PostgreSQL), and one forced past
a dropped trigger is named by integrity-check."""
import subprocess
from datetime import timedelta
from decimal import Decimal as D

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from extensions import db
from models.audit import AuditEntry
from models.clock import today as local_today
from models.compensations import Compensation
from models.consignment import ConsignmentEntry, balance
from models.consignment_rates import commission_rate_for, commission_rates_for, set_commission_rate
from models.consignment_payouts import record_payout
from models.ledger import move
from models.masterdata import virtual_location
from models.sales import Refund
from models.sales_cash_sessions import close_session, open_session, z_report
from models.sales_posting import LineRequest, PaymentRequest, post_sale
from models.sales_refunds import RefundLineRequest, refund_sale
from models.stock import Lot
from tests.transfers.transfer_helpers import FIGUIG, coop, loc, product, make_lot

TODAY = local_today()


def entries(object_type, object_id=None):
    query = select(AuditEntry).where(AuditEntry.object_type == object_type).order_by(AuditEntry.id)
    if object_id is not None:
        query = query.where(AuditEntry.object_id == str(object_id))
    return db.session.execute(query).scalars().all()


def api(app, headers, method, url, body=None):
    return app.test_client().open(url, method=method, json=body, headers=headers)


def test_changes_are_in_the_audit_log_with_before_and_after(app, auth):
    admin = auth.headers("admin")
    dates = product("DAT-AZ-500")
    old_price = dates.retail_price
    r = api(app, admin, "PATCH", f"/api/v1/products/{dates.id}", {"retail_price": "61.50"})
    assert r.status_code == 200, r.get_json()
    change = entries("product", dates.id)[-1]
    assert change.action == "update" and change.user_id is not None and change.address == "127.0.0.1"
    assert change.before_data["retail_price"] == str(old_price.normalize())
    assert change.after_data["retail_price"] == "61.5"

    figuig = coop(FIGUIG)
    r = api(app, admin, "PATCH", f"/api/v1/cooperatives/{figuig.id}",
            {"payout_bank": "Banque Populaire", "payout_account": "181 810 21211 12345678 0 12"})
    assert r.status_code == 200, r.get_json()
    bank = entries("cooperative", figuig.id)[-1]
    assert bank.after_data["payout_account"] == "181 810 21211 12345678 0 12"
    assert "payout_account" in bank.before_data

    r = api(app, admin, "PUT", "/api/v1/commission-rates",
            {"cooperative_id": figuig.id, "category": "dates", "rate": "0.11"})
    assert r.status_code == 200, r.get_json()
    assert entries("commission_rule")[-1].after_data["rate"] == "0.11"
    assert entries("commission_rate")[-1].after_data["rate"] == "0.11"

    client = auth.client_for("admin")
    from models.users import User
    cashier = db.session.execute(select(User).where(User.username == "caissier")).scalar_one()
    r = client.post(f"/admin/users/{cashier.id}", data={
        "username": "caissier", "full_name": cashier.full_name or "", "role": "operator",
        "locale": "fr", "active": "y", "cooperative_id": "0"})
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    role = entries("user", cashier.id)[-1]
    assert role.before_data["role"] == "cashier" and role.after_data["role"] == "operator"
    assert role.before_data["shops"] and role.after_data["shops"] == []
    # The user's page shows its own history; the audit page filters and exports it.
    page = client.get(f"/admin/users/{cashier.id}").get_data(as_text=True)
    assert "Opérateur d" in page and "Caissier" in page
    listed = client.get(f"/admin/audit?object_type=user&object_id={cashier.id}")
    assert listed.status_code == 200 and "Opérateur d" in listed.get_data(as_text=True)
    csv = client.get("/admin/audit?format=csv&object_type=cooperative").get_data(as_text=True)
    assert "181 810 21211 12345678 0 12" in csv


def test_logins_and_tokens_are_recorded(app, auth):
    client = app.test_client()
    client.post("/login", data={"username": "admin", "password": "wrong"})
    auth.token("admin")
    actions = [e.action for e in entries("user")]
    assert "login_failed" in actions and "login" in actions and "token_created" in actions


def test_commission_rules_take_effect_from_a_date_and_keep_their_history(app):
    figuig = coop(FIGUIG).id
    before = commission_rate_for(figuig, "dates")
    tomorrow = TODAY + timedelta(days=1)
    set_commission_rate(cooperative_id=figuig, category="dates", rate=D("0.20"), effective_from=tomorrow)
    db.session.commit()
    assert commission_rate_for(figuig, "dates") == before                     # not yet
    assert commission_rates_for({(figuig, "dates")}, as_of=tomorrow)[(figuig, "dates")] == D("0.20")
    set_commission_rate(cooperative_id=figuig, category="dates", rate=D("0.13"))
    db.session.commit()
    assert commission_rate_for(figuig, "dates") == D("0.13")
    assert commission_rates_for({(figuig, "dates")}, as_of=tomorrow)[(figuig, "dates")] == D("0.20")
    assert commission_rates_for({(figuig, "dates")}, as_of=TODAY - timedelta(days=1))[(figuig, "dates")] == before
    from models.errors import ValidationFailed
    with pytest.raises(ValidationFailed):
        set_commission_rate(cooperative_id=figuig, rate=D("0.1"), effective_from=TODAY - timedelta(days=1))


def _transfer_one_jar_short(app, auth):
    """A transfer of 10 jars received with 9: the shortfall's compensation."""
    lot = make_lot("MIEL-AUD-1", "DAT-AZ-500", FIGUIG, TODAY + timedelta(days=300), 20)
    db.session.commit()
    op, cashier = auth.headers("operateur"), auth.headers("caissier")
    tid = api(app, op, "POST", "/api/v1/transfers", {
        "from_location_id": loc("WH-STOCK").id, "to_location_id": loc("SHOP-AIRPORT").id,
        "lines": [{"lot_id": lot.id, "quantity": "10"}]}).get_json()["id"]
    assert api(app, op, "POST", f"/api/v1/transfers/{tid}/dispatch").status_code == 200
    r = api(app, cashier, "POST", f"/api/v1/transfers/{tid}/receive",
            {"lines": [{"lot_id": lot.id, "quantity_received": "9", "reason": "Bocal manquant"}]})
    assert r.status_code == 200, r.get_json()
    return lot, tid


def test_a_jar_short_is_compensated_on_the_statement(app, auth, runner):
    lot, tid = _transfer_one_jar_short(app, auth)
    comp = db.session.execute(select(Compensation).where(
        Compensation.document_type == "transfer", Compensation.document_id == tid)).scalar_one()
    price = product("DAT-AZ-500").retail_price
    rate = commission_rate_for(lot.cooperative_id, "dates")
    assert comp.status == "proposed" and comp.quantity == D("1")
    assert comp.amount == (price * (1 - rate)).quantize(D("0.01"))
    before = balance(lot.cooperative_id)["balance"]
    admin = auth.headers("admin")
    listed = api(app, admin, "GET", "/api/v1/compensations?status=proposed").get_json()
    assert comp.id in [c["id"] for c in listed]
    r = api(app, admin, "POST", f"/api/v1/compensations/{comp.id}/approve", {})
    assert r.status_code == 200 and r.get_json()["status"] == "approved", r.get_json()
    again = api(app, admin, "POST", f"/api/v1/compensations/{comp.id}/approve", {})
    assert again.status_code == 409
    after = balance(lot.cooperative_id)
    assert after["balance"] == before + comp.amount and after["adjustments"] >= comp.amount
    entry = db.session.execute(select(ConsignmentEntry).where(
        ConsignmentEntry.document_type == "compensation", ConsignmentEntry.document_id == comp.id)).scalar_one()
    assert entry.kind == "adjustment" and entry.amount == comp.amount and entry.reference == f"transfer:{tid}"
    # The statement shows it and reconciles: opening + movements = closing = balance.
    from models.consignment_statements import statement
    stmt = statement(lot.cooperative_id, TODAY - timedelta(days=1), TODAY + timedelta(days=1))
    assert any(e["document_type"] == "compensation" for e in stmt["entries"])
    assert stmt["closing_balance"] == after["balance"]
    result = runner.invoke(args=["integrity-check"])
    assert result.exit_code == 0, result.output
    assert entries("compensation", comp.id)[-1].action == "approve"


def test_reject_needs_a_reason_and_borne_losses_are_not_proposed(app, auth):
    lot, tid = _transfer_one_jar_short(app, auth)
    comp = db.session.execute(select(Compensation).where(Compensation.document_id == tid,
                                                         Compensation.document_type == "transfer")).scalar_one()
    admin = auth.headers("admin")
    assert api(app, admin, "POST", f"/api/v1/compensations/{comp.id}/reject", {}).status_code == 422
    r = api(app, admin, "POST", f"/api/v1/compensations/{comp.id}/reject", {"reason": "Casse chez le transporteur, remboursée par lui"})
    assert r.status_code == 200 and r.get_json()["status"] == "rejected"
    from models.compensations import record_losses
    borne = record_losses([{"lot_id": lot.id, "quantity": D("0.5"), "location_id": None}],
                          loss_kind="packaging_waste", document_type="packaging_run", document_id=1)
    assert borne[0].status == "borne"
    page = auth.client_for("admin").get("/portal/admin/compensations?status=all")
    assert page.status_code == 200 and comp.number in page.get_data(as_text=True)


def test_a_reversed_payout_restores_the_balance(app, auth, runner):
    figuig = coop(FIGUIG).id
    before = balance(figuig)["balance"]
    payout = record_payout(cooperative_id=figuig, amount=D("100.00"), method="cash",
                           override_reason="avance")
    db.session.commit()
    assert balance(figuig)["balance"] == before - D("100.00")
    admin = auth.headers("admin")
    assert api(app, admin, "POST", f"/api/v1/payouts/{payout.id}/reverse", {"reason": ""}).status_code == 422
    r = api(app, admin, "POST", f"/api/v1/payouts/{payout.id}/reverse", {"reason": "Versé à la mauvaise coopérative"})
    assert r.status_code == 201, r.get_json()
    assert balance(figuig)["balance"] == before
    assert api(app, admin, "POST", f"/api/v1/payouts/{payout.id}/reverse", {"reason": "deux fois"}).status_code == 409
    assert db.session.get(type(payout), payout.id) is not None     # nothing deleted
    assert entries("payout", payout.id)[-1].action == "reverse"
    assert runner.invoke(args=["integrity-check"]).exit_code == 0


def _sale(app, qty="2", client_ref="acc-1"):
    """A sale of dates at the airport shop by the demo cashier (till opened if needed)."""
    from models.users import User
    cashier = db.session.execute(select(User).where(User.username == "caissier")).scalar_one()
    shop = loc("SHOP-AIRPORT")
    lot = Lot(code=f"AZ-ACC-{client_ref}", product=product("DAT-AZ-500"), cooperative=coop(FIGUIG),
              best_before=TODAY + timedelta(days=100))
    db.session.add(lot)
    db.session.flush()
    move(lot.id, D("10"), virtual_location("SUPPLIERS").id, shop.id, kind="reception")
    from models.sales_cash_sessions import current_session
    session = current_session(shop.id, cashier.id) or open_session(
        location_id=shop.id, cashier_id=cashier.id, opening_float=D("100"))
    summary, _created = post_sale(location_id=shop.id, user_id=cashier.id, client_ref=client_ref,
                                  lines=[LineRequest(quantity=D(qty), lot_id=lot.id)],
                                  payments=[PaymentRequest("cash", D("500"))], max_discount_rate=D("0.2"))
    db.session.commit()
    return summary, session, cashier


def test_a_refund_prints_its_credit_note_and_the_z_report_its_ranges(app, auth, tmp_path):
    first, session, cashier = _sale(app, client_ref="acc-1")
    second, _s, _c = _sale(app, client_ref="acc-2")
    refund_id = refund_sale(sale_id=second["id"], user_id=cashier.id, reason="Boîte abîmée",
                            lines=[RefundLineRequest(second["lines"][0]["id"], D("1"), restock=False)])
    db.session.commit()
    refund = db.session.get(Refund, refund_id)
    assert refund.number == "AV-AIR-000001" and refund.seq == 1
    # Written off as damaged: the cooperative's goods, a compensation proposed.
    assert db.session.execute(select(Compensation).where(Compensation.document_type == "refund",
                                                         Compensation.document_id == refund_id)).scalar_one()
    client = auth.client_for("caissier")
    pdf = client.get(f"/api/v1/refunds/{refund_id}/credit-note.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text_of = _pdf_text(pdf.data, tmp_path / "cn.pdf")
    assert "AV-AIR-000001" in text_of and second["number"] in text_of
    close_session(session_id=session.id, counted_cash=D("0"))
    db.session.commit()
    z = z_report(db.session.get(type(session), session.id))
    assert z["z_number"].startswith("Z-AIR-") and z["first_receipt"] == first["number"]
    assert z["last_receipt"] == second["number"]
    assert z["first_credit_note"] == z["last_credit_note"] == "AV-AIR-000001"
    zpdf = client.get(f"/api/v1/cash-sessions/{session.id}/z.pdf")
    ztext = _pdf_text(zpdf.data, tmp_path / "z.pdf")
    for number in (z["z_number"], first["number"], second["number"], "AV-AIR-000001"):
        assert number in ztext


def _pdf_text(data, path):
    path.write_bytes(data)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout


SEALED_EDITS = [
    "UPDATE sales SET total = total + 1",
    "DELETE FROM sales",
    "UPDATE sale_lines SET unit_price = 1",
    "DELETE FROM sale_payments",
    "UPDATE consignment_entries SET amount = amount + 1",
    "DELETE FROM consignment_entries",
    "UPDATE audit_entries SET action = 'nothing'",
    "DELETE FROM audit_entries",
    "DELETE FROM stock_movements",
    "UPDATE payouts SET amount = 1",
    "DELETE FROM refunds",
]


@pytest.mark.parametrize("statement", SEALED_EDITS)
def test_sealed_books_refuse_edits_by_hand(app, statement):
    summary, _session, cashier = _sale(app)
    refund_sale(sale_id=summary["id"], user_id=cashier.id, reason="x",
                lines=[RefundLineRequest(summary["lines"][0]["id"], D("1"))])
    record_payout(cooperative_id=coop(FIGUIG).id, amount=D("1.00"), method="cash", override_reason="x")
    db.session.commit()
    assert db.session.execute(select(db.func.count(AuditEntry.id))).scalar() > 0
    with pytest.raises(DatabaseError, match="sealed"):
        db.session.execute(text(statement))
        db.session.flush()
    db.session.rollback()


def test_allowed_counters_still_move(app):
    summary, _session, cashier = _sale(app)
    from models.sales_posting import mark_printed
    assert mark_printed(summary["id"]) is False
    refund_sale(sale_id=summary["id"], user_id=cashier.id, reason="x",
                lines=[RefundLineRequest(summary["lines"][0]["id"], D("1"))])
    db.session.commit()


def _drop_seal(table):
    from models.books import unseal_statements
    dialect = db.session.get_bind().dialect.name
    for statement in unseal_statements(dialect):
        if f" {table}_sealed" in statement:
            db.session.execute(text(statement))


@pytest.mark.parametrize("table,statement,named", [
    ("sales", "UPDATE sales SET total = total - 1, paid = paid - 1 WHERE id = :id", "sale {id}"),
    ("consignment_entries", "UPDATE consignment_entries SET amount = amount + 5 WHERE id = :entry",
     "consignment entry {entry}"),
    ("sales", "DELETE FROM sale_payments WHERE sale_id = :id", "sale {id}"),
])
def test_a_row_forced_past_the_trigger_is_named_by_integrity_check(app, runner, table, statement, named):
    summary, _session, _cashier = _sale(app)
    _sale(app, client_ref="acc-after")
    entry = db.session.execute(select(ConsignmentEntry.id).where(
        ConsignmentEntry.document_type == "sale", ConsignmentEntry.document_id == summary["id"])).scalar()
    assert runner.invoke(args=["integrity-check"]).exit_code == 0
    _drop_seal(table)
    if "sale_payments" in statement:
        _drop_seal("sale_payments")
    db.session.execute(text(statement), {"id": summary["id"], "entry": entry})
    db.session.commit()
    result = runner.invoke(args=["integrity-check"])
    assert result.exit_code == 1
    assert named.format(id=summary["id"], entry=entry) in result.output
    assert "chain broken" in result.output or "payments do not cover" in result.output


def test_each_shop_chains_its_own_sales_when_shops_sell_in_turn(app):
    """The demo's activity sells at every shop, one shop after another, refusing some sales
    half-way: each shop's chain follows its own previous sale (not another shop's), and a sale
    refused half-way leaves no row behind."""
    from demo import seed_demo
    from models.books_check import books_problems
    from models.sales import Sale

    with app.app_context():
        seed_demo(activity=True)
        db.session.commit()
        shops = db.session.execute(select(Sale.location_id).distinct()).scalars().all()
        assert len(shops) >= 2
        assert books_problems() == []


def test_an_objects_history_reads_in_the_readers_language(app, auth):
    """A product's page shows its history as a person reads it: the field's name, not its
    column; prices with the decimal comma; a role's name; times in the platform's time."""
    import re

    from flask_babel import force_locale

    from models.clock import to_local
    from web import locale

    admin = auth.headers("admin")
    dates = product("DAT-AZ-500")
    assert api(app, admin, "PATCH", f"/api/v1/products/{dates.id}", {"retail_price": "61.50"}).status_code == 200
    client = auth.client_for("admin")
    page = client.get(f"/admin/products/{dates.id}").get_data(as_text=True)
    history = page[page.index('id="history-title"'):]
    assert "Prix de vente" in history and "61,50" in history and "<code>retail_price" not in history
    from models.users import User
    cashier = db.session.execute(select(User).where(User.username == "caissier")).scalar_one()
    client.post(f"/admin/users/{cashier.id}", data={
        "username": "caissier", "full_name": cashier.full_name or "", "role": "operator",
        "locale": "fr", "active": "y", "cooperative_id": "0"})
    history = client.get(f"/admin/users/{cashier.id}").get_data(as_text=True)
    history = history[history.index('id="history-title"'):]
    assert "Caissier" in history and "Opérateur d" in history, history[:3000]
    created = entries("user", cashier.id)[0]
    if "created_at" in created.after_data:  # a creation recorded with its time: local, formatted
        from datetime import datetime
        with app.test_request_context(), force_locale("fr"):
            shown = locale.moment(datetime.fromisoformat(created.after_data["created_at"]), seconds=True)
        assert shown in history and not re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d+", history)
