"""Stock counts, returns to cooperatives and shop stock over the API."""
from flask import current_app
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy import select

from web.api import PDF_RESPONSE, page_schema, paginate, pdf_response
from web.fields import ListArgsSchema
from auth.access import roles
from extensions import db
from models import transfers_returns, transfers_counts
from models.transfers import CooperativeReturn, StockCount
from transfers import documents_pdf
from web.scope import (SHOP_ROLES, STAFF, my_locations, only_my_shops, require_shop,
                       visible_coop_return, visible_count)
from transfers.counts.schemas import (CoopReturnCreateSchema, CoopReturnSchema, CountCreateSchema,
                                     CountLinesSchema, CountPostSchema, CountSchema,
                                     ShopStockArgsSchema, ShopStockSchema, coop_return_out,
                                     count_out)
from transfers.queries import incoming, on_hand, shops
from transfers.schemas import transfer_out

blp = Blueprint("stock_counts_api", __name__, url_prefix="/api/v1",
                description="Stock counts, returns to cooperatives, shop stock")

CountPage = page_schema(CountSchema, "StockCountPage")
CoopReturnPage = page_schema(CoopReturnSchema, "CooperativeReturnPage")


def _count_out(count):
    """A count with its differences report."""
    return count_out(count, transfers_counts.differences(count))


@blp.route("/stock-counts", methods=["GET"])
@blp.arguments(ListArgsSchema, location="query")
@blp.response(200, CountPage)
@roles(*SHOP_ROLES)
def list_counts(args):
    """List stock counts, newest first (a cashier: their shops')."""
    query = select(StockCount).order_by(StockCount.id.desc())
    query = only_my_shops(query, StockCount.location_id)
    page = paginate(query, args, db.session)
    page["items"] = [_count_out(row[0]) for row in page["items"]]
    return page


@blp.route("/stock-counts", methods=["POST"])
@blp.arguments(CountCreateSchema)
@blp.response(201, CountSchema)
@blp.alt_response(409, description="count_already_open")
@roles(*SHOP_ROLES)
def start_count(data):
    """Start a count: expected quantities are snapshotted now."""
    require_shop(data["location_id"])
    count = transfers_counts.start_count(data["location_id"], user_id=current_user.id)
    db.session.commit()
    return _count_out(count)


@blp.route("/stock-counts/<int:count_id>", methods=["GET"])
@blp.response(200, CountSchema)
@roles(*SHOP_ROLES)
def get_count(count_id):
    """A count with its differences report (counted − snapshot, and lots moved since)."""
    return _count_out(visible_count(count_id))


@blp.route("/stock-counts/<int:count_id>/lines", methods=["PUT"])
@blp.arguments(CountLinesSchema)
@blp.response(200, CountSchema)
@blp.alt_response(409, description="count_posted / count_cancelled")
@roles(*SHOP_ROLES)
def record_counts(data, count_id):
    """Record counted quantities; a lot not on the sheet is added."""
    count = visible_count(count_id)
    transfers_counts.record_counts(count_id, data["lines"])
    db.session.commit()
    return _count_out(count)


@blp.route("/stock-counts/<int:count_id>/post", methods=["POST"])
@blp.arguments(CountPostSchema)
@blp.response(200, CountSchema)
@blp.alt_response(409, description="count_posted / count_cancelled / insufficient_stock")
@roles(*SHOP_ROLES)
def post_count(data, count_id):
    """Post the differences as count-adjustment movements, with the user and the reason."""
    count = visible_count(count_id)
    transfers_counts.post_count(count_id, data["reason"], user_id=current_user.id)
    db.session.commit()
    return _count_out(count)


@blp.route("/stock-counts/<int:count_id>/cancel", methods=["POST"])
@blp.response(200, CountSchema)
@blp.alt_response(409, description="count_posted / count_cancelled")
@roles(*SHOP_ROLES)
def cancel_count(count_id):
    """Abandon an open count."""
    count = visible_count(count_id)
    transfers_counts.cancel_count(count_id)
    db.session.commit()
    return _count_out(count)


@blp.route("/stock-counts/<int:count_id>/sheet.pdf", methods=["GET"])
@blp.doc(responses=PDF_RESPONSE)
@roles(*SHOP_ROLES)
def count_sheet(count_id):
    """The count sheet to print (blind: expected quantities are not shown)."""
    count = visible_count(count_id)
    return pdf_response(documents_pdf.count_sheet(count), f"{count.number}.pdf")


@blp.route("/cooperative-returns", methods=["GET"])
@blp.arguments(ListArgsSchema, location="query")
@blp.response(200, CoopReturnPage)
@roles(*STAFF)
def list_coop_returns(args):
    """List returns to cooperatives, newest first."""
    page = paginate(select(CooperativeReturn).order_by(CooperativeReturn.id.desc()), args, db.session)
    page["items"] = [coop_return_out(row[0]) for row in page["items"]]
    return page


@blp.route("/cooperative-returns", methods=["POST"])
@blp.arguments(CoopReturnCreateSchema)
@blp.response(201, CoopReturnSchema)
@blp.alt_response(409, description="insufficient_stock")
@roles(*STAFF)
def create_coop_return(data):
    """Hand goods back to their cooperative: they leave consignment at once."""
    ret = transfers_returns.create_cooperative_return(
        data["cooperative_id"], data["location_id"], data["lines"], data["reason"],
        user_id=current_user.id)
    db.session.commit()
    return coop_return_out(ret)


@blp.route("/cooperative-returns/<int:return_id>", methods=["GET"])
@blp.response(200, CoopReturnSchema)
@roles(*STAFF)
def get_coop_return(return_id):
    """Read one return to a cooperative."""
    return coop_return_out(visible_coop_return(return_id))


@blp.route("/cooperative-returns/<int:return_id>/slip.pdf", methods=["GET"])
@blp.doc(responses=PDF_RESPONSE)
@roles(*STAFF)
def coop_return_slip(return_id):
    """The return slip, signed by the cooperative when it takes its goods back."""
    ret = visible_coop_return(return_id)
    return pdf_response(documents_pdf.return_slip(ret), f"{ret.number}.pdf")


@blp.route("/shop-stock", methods=["GET"])
@blp.arguments(ShopStockArgsSchema, location="query")
@blp.response(200, ShopStockSchema)
@roles(*SHOP_ROLES)
def shop_stock(args):
    """On hand at the user's shops (or one), first-expired first, and what is on its way."""
    if args.get("location_id"):
        require_shop(args["location_id"])
        ids = {args["location_id"]}
    else:
        ids = {s.id for s in my_locations(shops())}
    rows = on_hand(ids, warn_days=current_app.config["EXPIRY_WARNING_DAYS"])
    return {"on_hand": rows, "incoming": [transfer_out(t) for t in incoming(ids)]}
