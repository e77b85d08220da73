"""The consignment services without HTTP: rates, fee setting, payouts, statements."""
from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from extensions import db
from models.consignment import (CommissionRule, ConsignmentEntry, balance, packaging_fee_per_unit,
                                set_packaging_fee)
from models.consignment_posting import charge_packaging_fee, record_sale_line
from models.consignment_rates import commission_rate_for, set_commission_rate
from models.cooperatives import Cooperative
from models.errors import DomainError, NotFound, ValidationFailed
from models.consignment_payouts import Payout, record_payout
from models.consignment_statements import overview, period_bounds, statement

D = Decimal


def test_story_balances_to_the_centime(story):
    b = balance(story["figuig"])
    assert (b["owed"], b["fees"], b["paid"], b["balance"]) == (
        story["figuig_owed"], story["figuig_fees"], D("0.00"), story["figuig_balance"])
    assert balance(story["taourirt"])["balance"] == story["taourirt_balance"]


def test_rate_precedence(app):
    coop = db.session.execute(select(Cooperative).where(Cooperative.commission_rate.is_(None))).scalars().first()
    assert commission_rate_for(coop.id, "honey") == D("0.15")          # config default
    set_commission_rate(rate=D("0.14"))
    assert commission_rate_for(coop.id, "honey") == D("0.14")          # platform rule
    set_commission_rate(category="honey", rate=D("0.16"))
    assert commission_rate_for(coop.id, "honey") == D("0.16")          # platform, category
    set_commission_rate(cooperative_id=coop.id, rate=D("0.09"))
    assert coop.commission_rate == D("0.09")
    assert commission_rate_for(coop.id, "honey") == D("0.09")          # cooperative's own rate
    set_commission_rate(cooperative_id=coop.id, category="honey", rate=D("0.05"))
    assert commission_rate_for(coop.id, "honey") == D("0.05")          # cooperative, category
    assert commission_rate_for(coop.id, "dates") == D("0.09")
    set_commission_rate(cooperative_id=coop.id, category="honey", rate=D("0.07"))  # update, no duplicate
    assert db.session.execute(select(db.func.count(CommissionRule.id)).where(
        CommissionRule.cooperative_id == coop.id)).scalar() == 1
    set_commission_rate(cooperative_id=coop.id, category="honey", rate=None)
    set_commission_rate(cooperative_id=coop.id, rate=None)
    assert commission_rate_for(coop.id, "honey") == D("0.16")


def test_rate_is_frozen_on_the_entry(story):
    set_commission_rate(cooperative_id=story["figuig"], rate=D("0.30"))
    db.session.commit()
    rates = set(db.session.execute(select(ConsignmentEntry.commission_rate).where(
        ConsignmentEntry.cooperative_id == story["figuig"], ConsignmentEntry.kind == "sale")).scalars())
    assert rates == {D("0.1200")}
    assert balance(story["figuig"])["balance"] == story["figuig_balance"]


@pytest.mark.parametrize("kwargs", [dict(rate=D("1")), dict(rate=D("-0.01")), dict(rate="abc"),
                                    dict(rate=D("0.12345")), dict(category="cars", rate=D("0.1"))])
def test_bad_rates_refused(app, kwargs):
    with pytest.raises(ValidationFailed):
        set_commission_rate(**kwargs)


def test_unknown_cooperative_rate_refused(app):
    with pytest.raises(NotFound):
        set_commission_rate(cooperative_id=999999, rate=D("0.1"))


def test_packaging_fee_setting_overrides_config(app):
    coop = db.session.execute(select(Cooperative)).scalars().first()
    assert packaging_fee_per_unit() == D("0.00")
    assert charge_packaging_fee(cooperative_id=coop.id, units=10, document_id=1) == D("0.00")
    app.config["PACKAGING_FEE_PER_UNIT"] = D("0.25")
    assert charge_packaging_fee(cooperative_id=coop.id, units=10, document_id=1) == D("2.50")
    set_packaging_fee(D("0.40"))
    assert charge_packaging_fee(cooperative_id=coop.id, units=10, document_id=2) == D("4.00")
    assert balance(coop.id)["fees"] == D("6.50")
    for bad in (D("-1"), D("0.001"), "x", D("5000")):
        with pytest.raises(ValidationFailed):
            set_packaging_fee(bad)


def test_payout_within_balance(story):
    p = record_payout(cooperative_id=story["figuig"], amount=D("100.00"), method="bank_transfer",
                      reference="VIR-1", paid_on=date(2026, 4, 2), today=date(2026, 4, 3))
    db.session.commit()
    assert p.balance_before == story["figuig_balance"] and p.balance_after == D("176.64")
    assert p.override_reason is None and p.number == f"PAY-{p.id:06d}"
    entry = db.session.execute(select(ConsignmentEntry).where(ConsignmentEntry.document_type == "payout",
                                                              ConsignmentEntry.document_id == p.id)).scalar_one()
    assert entry.amount == D("-100.00") and entry.kind == "payout" and entry.reference == "VIR-1"
    assert balance(story["figuig"])["paid"] == D("100.00")


def test_payout_over_balance_needs_a_reason(story):
    with pytest.raises(DomainError) as err:
        record_payout(cooperative_id=story["figuig"], amount=D("276.65"), method="cash")
    assert err.value.code == "exceeds_balance" and err.value.status == 409
    db.session.rollback()
    assert db.session.execute(select(Payout)).first() is None
    p = record_payout(cooperative_id=story["figuig"], amount=D("300"), method="cash",
                      override_reason="Advance for the harvest")
    db.session.commit()
    assert p.override_reason == "Advance for the harvest"
    assert balance(story["figuig"])["balance"] == D("-23.36")


def test_payout_of_exactly_the_balance_passes(story):
    record_payout(cooperative_id=story["figuig"], amount=story["figuig_balance"], method="cash")
    assert balance(story["figuig"])["balance"] == D("0.00")


@pytest.mark.parametrize("kwargs,field", [
    (dict(amount=D("0")), "amount"), (dict(amount=D("-5")), "amount"), (dict(amount="abc"), "amount"),
    (dict(amount=D("1.005")), "amount"), (dict(amount=D("NaN")), "amount"),
    (dict(method="bitcoin"), "method"), (dict(method="cheque", reference=""), "reference"),
    (dict(paid_on=date(2030, 1, 1)), "paid_on"), (dict(reference="x" * 121), "reference"),
])
def test_payout_bad_input(story, kwargs, field):
    args = dict(cooperative_id=story["figuig"], amount=D("10"), method="cash")
    args.update(kwargs)
    with pytest.raises(ValidationFailed) as err:
        record_payout(**args, today=date(2026, 4, 1))
    assert field in err.value.fields


def test_payout_unknown_cooperative(app):
    with pytest.raises(NotFound):
        record_payout(cooperative_id=999999, amount=D("1"), method="cash")


def test_period_bounds_are_casablanca_days(app):
    # April 2026: Morocco is on UTC+1, so a local day starts at 23:00 UTC the day before.
    assert period_bounds(date(2026, 4, 1), date(2026, 4, 30)) == (
        datetime(2026, 3, 31, 23, 0), datetime(2026, 4, 30, 23, 0))
    with pytest.raises(ValidationFailed):
        period_bounds(date(2026, 4, 2), date(2026, 4, 1))
    with pytest.raises(ValidationFailed):
        period_bounds(date(2020, 1, 1), date(2026, 1, 1))


def test_consecutive_statements_reconcile(story):
    figuig = story["figuig"]
    # 00:30 on 1 April in Morocco is 23:30 UTC on 31 March: it belongs to April.
    record_sale_line(cooperative_id=figuig, category="dates", gross=D("55"), lot_id=story["dates_lot"],
                     quantity=D(1), location_id=story["airport"], document_type="sale",
                     document_id=9, at=datetime(2026, 3, 31, 23, 30))
    db.session.commit()
    feb = statement(figuig, date(2026, 2, 1), date(2026, 2, 28))
    march = statement(figuig, date(2026, 3, 1), date(2026, 3, 31))
    april = statement(figuig, date(2026, 4, 1), date(2026, 4, 30))
    assert feb["closing_balance"] == march["opening_balance"] == D("0.00")
    assert march["closing_balance"] == april["opening_balance"] == story["figuig_balance"]
    assert [e["kind"] for e in march["entries"]] == ["fee", "sale", "sale", "sale", "refund"]
    assert len(april["entries"]) == 1 and april["closing_balance"] == story["figuig_balance"] + D("48.40")
    # Each line's running balance is the previous one plus its amount.
    running = march["opening_balance"]
    for e in march["entries"]:
        running += e["amount"]
        assert e["running_balance"] == running
    assert march["gross"] == D("320.05") and march["commission"] == D("38.41")
    assert march["totals"]["fee"] == D("-5.00")
    whole = statement(figuig, date(2026, 2, 1), date(2026, 4, 30))
    assert whole["closing_balance"] == april["closing_balance"]


def test_overview_sums_every_cooperative(story):
    record_payout(cooperative_id=story["taourirt"], amount=D("96"), method="cash")
    data = overview("balance", descending=True)
    first = data["items"][0]
    assert first["cooperative_id"] == story["taourirt"] and first["balance"] == D("300.00")
    assert first["paid"] == D("96.00")
    assert data["totals"]["balance"] == D("576.64")
    assert len(data["items"]) == db.session.execute(select(db.func.count(Cooperative.id))).scalar()
    names = [i["name_fr"].lower() for i in overview()["items"]]
    assert names == sorted(names)
