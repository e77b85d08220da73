"""The consignment over the API: balances, statements, sales, payouts, commission rates.

A cooperative's token reads its own cooperative only (404 for any other id); payouts are
recorded by admins alone.
"""
from datetime import timezone

from flask import Response, abort
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy import select

from web.api import paginate, page_schema
from auth.access import roles
from web.scope import only_my_cooperative, visible_cooperative
from extensions import db
from models.consignment import CommissionRule, balance, packaging_fee_per_unit, set_packaging_fee
from models.consignment_rates import set_commission_rate
from models.cooperatives import Cooperative
from models.consignment_payouts import Payout, record_payout
from models.consignment_statements import overview, period_bounds, platform_timezone
from portal import queries
from web.api import pdf_response
from portal.helpers import (statement_document,
                            period_or_default, today)
from portal.statement_pdf import statement_pdf
from portal.statement_csv import statement_csv
from portal.statement_json import statement_json, statement_page_json
from portal.schemas import (BalanceSchema, CommissionRatesSchema, CommissionRuleSchema,
                            OverviewArgsSchema, OverviewSchema, PackagingFeeSchema,
                            PayoutCreateSchema, PayoutListArgsSchema, PayoutSchema,
                            SaleLineSchema, SalesArgsSchema, StatementArgsSchema,
                            StatementPageArgsSchema, StatementPageSchema, StatementSchema)

blp = Blueprint("portal_api", __name__, url_prefix="/api/v1",
                description="Consignment: balances, statements, sales and payouts")

PayoutPage = page_schema(PayoutSchema, "PayoutPage")
SaleLinePage = page_schema(SaleLineSchema, "SaleLinePage")


def utc(naive):
    """A stored naive UTC datetime made explicit (…+00:00 in JSON)."""
    return naive.replace(tzinfo=timezone.utc) if naive is not None else None


# `format=pdf` / `format=csv`: the same 200 as a document. @blp.doc replaces the whole 200 of
# @blp.response, so the JSON answer is stated again here.
STATEMENT_DOCUMENTS = {"200": {
    "description": "The statement: JSON, or with `format` a PDF or CSV document",
    "content": {"application/json": {"schema": StatementSchema},
                "application/pdf": {"schema": {"type": "string", "format": "binary"}},
                "text/csv": {"schema": {"type": "string"}}}}}


@blp.route("/cooperatives/<int:coop_id>/balance", methods=["GET"])
@blp.response(200, BalanceSchema)
@blp.alt_response(404, description="No such cooperative (or not yours)")
@roles("admin", "cooperative")
def get_balance(coop_id):
    """A cooperative's owed, fees, paid and balance, to the centime (one indexed sum)."""
    coop = visible_cooperative(coop_id)
    return {"cooperative_id": coop.id, **balance(coop.id)}


@blp.route("/cooperatives/<int:coop_id>/statement", methods=["GET"])
@blp.arguments(StatementArgsSchema, location="query")
@blp.response(200, StatementSchema)
@blp.doc(responses=STATEMENT_DOCUMENTS)
@blp.alt_response(404, description="No such cooperative (or not yours)")
@roles("admin", "cooperative")
def get_statement(args, coop_id):
    """A period's statement in one document (JSON, PDF or CSV); read long periods in pages.

    Opening balance, each entry with its running balance, closing balance. Days are Africa/Casablanca days, `from` 00:00 to the end of `to`;
    consecutive periods reconcile. `format=pdf` or `format=csv` answers the same as a document
    (the CSV is streamed). To read entries, use the pages (`…/statement/entries`): a year of
    a busy cooperative is ~60,000 entries, tens of megabytes in one JSON answer."""
    coop = visible_cooperative(coop_id)
    date_from, date_to = period_or_default(args.get("date_from"), args.get("date_to"))
    name = f"statement-{coop.id}-{date_from}-{date_to}"
    if args["format"] == "json":
        # Written straight from tuples (portal/statement_json.py): the same document as
        # StatementSchema describes, ten times faster than dumping a year through marshmallow.
        return Response(statement_json(coop.id, date_from, date_to), mimetype="application/json")
    if args["format"] == "csv":
        return statement_csv(coop.id, date_from, date_to, name + ".csv")
    stmt, labels = statement_document(coop.id, date_from, date_to)
    return pdf_response(statement_pdf(stmt, coop, platform_timezone(), labels), name + ".pdf")


@blp.route("/cooperatives/<int:coop_id>/statement/entries", methods=["GET"])
@blp.arguments(StatementPageArgsSchema, location="query")
@blp.response(200, StatementPageSchema)
@blp.alt_response(404, description="No such cooperative (or not yours)")
@blp.alt_response(422, description="Bad period, or a cursor of another statement (code bad_cursor)")
@roles("admin", "cooperative")
def get_statement_page(args, coop_id):
    """A period's statement in cursor pages: the way to read a statement.

    Pages of `limit` entries (500 by default, 2,000 at most), in order, each entry with its
    running balance. Ask the first page with the
    period alone, then each next page with the `cursor` the previous one gave as
    `next_cursor`, until it is null. A page costs the same wherever it falls in the period;
    the balances run on across pages (a page's `opening_balance` is the previous page's
    `closing_balance`). Cursors are signed and tied to the cooperative and the period."""
    coop = visible_cooperative(coop_id)
    date_from, date_to = period_or_default(args.get("date_from"), args.get("date_to"))
    return Response(statement_page_json(coop.id, date_from, date_to, args.get("cursor"), args["limit"]),
                    mimetype="application/json")


@blp.route("/cooperatives/<int:coop_id>/sales", methods=["GET"])
@blp.arguments(SalesArgsSchema, location="query")
@blp.response(200, SaleLinePage)
@blp.alt_response(404, description="No such cooperative (or not yours)")
@roles("admin", "cooperative")
def list_sales(args, coop_id):
    """The cooperative's sale and refund lines, newest first, by period and outlet."""
    coop = visible_cooperative(coop_id)
    start = end = None
    if args.get("date_from") or args.get("date_to"):
        first = args.get("date_from") or args.get("date_to")
        last = args.get("date_to") or args.get("date_from")
        start, end = period_bounds(first, last)
    page = paginate(queries.sales_query(coop.id, start, end, args.get("location_id")), args, db.session)
    page["items"] = [{
        "id": r.id, "created_at": utc(r.created_at), "kind": r.kind,
        "location_id": r.location_id, "location": r.location_fr, "lot_id": r.lot_id,
        "lot_code": r.lot_code, "product": r.product_fr, "quantity": r.quantity,
        "unit_price": queries.unit_price(r), "gross": r.gross,
        "commission_rate": r.commission_rate, "commission": r.commission, "owed": r.amount,
        "document_type": r.document_type, "document_id": r.document_id,
    } for r in page["items"]]
    return page


def payout_out(payout):
    """A payout as the API shows it."""
    return {"id": payout.id, "number": payout.number, "cooperative_id": payout.cooperative_id,
            "amount": payout.amount, "paid_on": payout.paid_on, "method": payout.method,
            "reference": payout.reference, "override_reason": payout.override_reason,
            "balance_before": payout.balance_before, "balance_after": payout.balance_after,
            "created_at": utc(payout.created_at)}


@blp.route("/payouts", methods=["POST"])
@blp.arguments(PayoutCreateSchema)
@blp.response(201, PayoutSchema)
@blp.alt_response(404, description="Unknown cooperative")
@blp.alt_response(409, description="More than the balance without override_reason "
                                   "(code exceeds_balance)")
@roles("admin")
def create_payout(data):
    """Record a payout (admin). The cooperative is locked while its balance is checked."""
    payout = record_payout(
        cooperative_id=data["cooperative_id"], amount=data["amount"], method=data["method"],
        reference=data.get("reference"), paid_on=data.get("paid_on"),
        override_reason=data.get("override_reason"), user_id=current_user.id, today=today())
    db.session.commit()
    return payout_out(payout)


@blp.route("/payouts", methods=["GET"])
@blp.arguments(PayoutListArgsSchema, location="query")
@blp.response(200, PayoutPage)
@blp.alt_response(404, description="Another cooperative's id (cooperative users)")
@roles("admin", "cooperative")
def list_payouts(args):
    """Payouts, newest first (a cooperative user sees only its own)."""
    query = select(Payout).order_by(Payout.created_at.desc(), Payout.id.desc())
    query = only_my_cooperative(query, Payout.cooperative_id, args.get("cooperative_id"), 404)
    if current_user.role != "cooperative" and args.get("cooperative_id"):
        query = query.where(Payout.cooperative_id == args["cooperative_id"])
    page = paginate(query, args, db.session)
    page["items"] = [payout_out(row[0]) for row in page["items"]]
    return page


@blp.route("/payouts/<int:payout_id>", methods=["GET"])
@blp.response(200, PayoutSchema)
@blp.alt_response(404, description="No such payout (or not yours)")
@roles("admin", "cooperative")
def get_payout(payout_id):
    """One payout."""
    payout = db.session.get(Payout, payout_id)
    if payout is None:
        abort(404)
    visible_cooperative(payout.cooperative_id)
    return payout_out(payout)


@blp.route("/consignment/balances", methods=["GET"])
@blp.arguments(OverviewArgsSchema, location="query")
@blp.response(200, OverviewSchema)
@roles("admin")
def list_balances(args):
    """Every cooperative's owed, fees, paid and balance, with totals (admin)."""
    return overview(args["sort"], args["dir"] == "desc")


def _rates():
    """The platform's and each cooperative's rules, and the packaging fee."""
    rules = [{"id": r.id, "cooperative_id": r.cooperative_id, "category": r.category,
              "channel": r.channel, "rate": r.rate}
             for r in db.session.execute(select(CommissionRule).order_by(CommissionRule.id)).scalars()]
    rules += [{"id": None, "cooperative_id": cid, "category": None, "channel": None, "rate": rate}
              for cid, rate in db.session.execute(
                  select(Cooperative.id, Cooperative.commission_rate)
                  .where(Cooperative.commission_rate.is_not(None)).order_by(Cooperative.id))]
    return {"rules": rules, "packaging_fee_per_unit": packaging_fee_per_unit()}


@blp.route("/commission-rates", methods=["GET"])
@blp.response(200, CommissionRatesSchema)
@roles("admin")
def get_rates():
    """Commission rules in force (platform, per category, per cooperative) and the fee."""
    return _rates()


@blp.route("/commission-rates", methods=["PUT"])
@blp.arguments(CommissionRuleSchema)
@blp.response(200, CommissionRatesSchema)
@blp.alt_response(404, description="Unknown cooperative")
@roles("admin")
def put_rate(data):
    """Set (or with `rate: null` remove) the rate of one scope; future sales use it."""
    set_commission_rate(cooperative_id=data.get("cooperative_id"), category=data.get("category"),
                        channel=data.get("channel"), rate=data["rate"], effective_from=data.get("effective_from"),
                        user_id=current_user.id)
    db.session.commit()
    return _rates()


@blp.route("/commission-rates/packaging-fee", methods=["PUT"])
@blp.arguments(PackagingFeeSchema)
@blp.response(200, CommissionRatesSchema)
@roles("admin")
def put_packaging_fee(data):
    """Set the packaging fee per unit charged when a packaging run makes units."""
    set_packaging_fee(data["packaging_fee_per_unit"], user_id=current_user.id)
    db.session.commit()
    return _rates()
