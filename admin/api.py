"""Master data over the API: cooperatives, products, locations (read by staff, written by admins)."""
from flask import abort
from flask_smorest import Blueprint
from sqlalchemy import or_, select

from web.api import paginate, page_schema
from web.fields import ListArgsSchema
from admin.schemas import CooperativeSchema, LocationSchema, PAYOUT_FIELDS, ProductSchema
from auth.access import any_user, roles
from web.scope import only_my_cooperative, sees_payout_details, visible_cooperative
from extensions import db
from models.catalogue import Product
from models.cooperatives import Cooperative
from models.masterdata import save_cooperative, save_location, save_product
from models.stock import Location

blp = Blueprint("catalogue_api", __name__, url_prefix="/api/v1",
                description="Cooperatives, products and locations")

CooperativePage = page_schema(CooperativeSchema, "CooperativePage")
ProductPage = page_schema(ProductSchema, "ProductPage")
LocationPage = page_schema(LocationSchema, "LocationPage")


def _cooperative_out(coop):
    """Serialise a cooperative; payout details are admins' alone."""
    data = CooperativeSchema().dump(coop)
    if not sees_payout_details():
        for name in PAYOUT_FIELDS:
            data.pop(name, None)
    return data




def _search(query, args, *columns):
    """Apply ?q= to the given text columns."""
    if args.get("q"):
        like = f"%{args['q']}%"
        query = query.where(or_(*(c.ilike(like) for c in columns)))
    return query


@blp.route("/cooperatives", methods=["GET"])
@blp.arguments(ListArgsSchema, location="query")
@blp.response(200, CooperativePage)
@any_user
def list_cooperatives(args):
    """List cooperatives (a cooperative user sees only its own)."""
    query = select(Cooperative).order_by(Cooperative.name_fr)
    query = only_my_cooperative(query, Cooperative.id)
    query = _search(query, args, Cooperative.name_fr, Cooperative.name_ar, Cooperative.registration_number)
    page = paginate(query, args, db.session)
    page["items"] = [_cooperative_out(row[0]) for row in page["items"]]
    return page


@blp.route("/cooperatives/<int:coop_id>", methods=["GET"])
@blp.response(200, CooperativeSchema)
@any_user
def get_cooperative(coop_id):
    """Read one cooperative."""
    return _cooperative_out(visible_cooperative(coop_id, directory=True))


@blp.route("/cooperatives", methods=["POST"])
@blp.arguments(CooperativeSchema)
@blp.response(201, CooperativeSchema)
@roles("admin")
def create_cooperative(data):
    """Register a cooperative (admin)."""
    coop = save_cooperative(data)
    db.session.commit()
    return coop


@blp.route("/cooperatives/<int:coop_id>", methods=["PATCH"])
@blp.arguments(CooperativeSchema(partial=True))
@blp.response(200, CooperativeSchema)
@roles("admin")
def update_cooperative(data, coop_id):
    """Edit a cooperative (admin)."""
    coop = db.session.get(Cooperative, coop_id) or abort(404)
    save_cooperative(data, coop)
    db.session.commit()
    return coop


@blp.route("/products", methods=["GET"])
@blp.arguments(ListArgsSchema, location="query")
@blp.response(200, ProductPage)
@any_user
def list_products(args):
    """List the catalogue."""
    query = _search(select(Product).order_by(Product.name_fr), args,
                    Product.name_fr, Product.name_ar, Product.sku, Product.gtin)
    page = paginate(query, args, db.session)
    page["items"] = [row[0] for row in page["items"]]
    return page


@blp.route("/products/<int:product_id>", methods=["GET"])
@blp.response(200, ProductSchema)
@any_user
def get_product(product_id):
    """Read one product."""
    return db.session.get(Product, product_id) or abort(404)


@blp.route("/products", methods=["POST"])
@blp.arguments(ProductSchema)
@blp.response(201, ProductSchema)
@roles("admin")
def create_product(data):
    """Add a product to the catalogue (admin). A GTIN with a wrong check digit is refused."""
    product = save_product(data)
    db.session.commit()
    return product


@blp.route("/products/<int:product_id>", methods=["PATCH"])
@blp.arguments(ProductSchema(partial=True))
@blp.response(200, ProductSchema)
@roles("admin")
def update_product(data, product_id):
    """Edit a product (admin)."""
    product = db.session.get(Product, product_id) or abort(404)
    save_product(data, product)
    db.session.commit()
    return product


@blp.route("/locations", methods=["GET"])
@blp.arguments(ListArgsSchema, location="query")
@blp.response(200, LocationPage)
@any_user
def list_locations(args):
    """List locations, real and virtual."""
    query = _search(select(Location).order_by(Location.kind, Location.code), args,
                    Location.code, Location.name_fr, Location.name_ar)
    page = paginate(query, args, db.session)
    page["items"] = [row[0] for row in page["items"]]
    return page


@blp.route("/locations/<int:location_id>", methods=["GET"])
@blp.response(200, LocationSchema)
@any_user
def get_location(location_id):
    """Read one location."""
    return db.session.get(Location, location_id) or abort(404)


@blp.route("/locations", methods=["POST"])
@blp.arguments(LocationSchema)
@blp.response(201, LocationSchema)
@roles("admin")
def create_location(data):
    """Open a warehouse zone, shop or stand (admin)."""
    location = save_location(data)
    db.session.commit()
    return location


@blp.route("/locations/<int:location_id>", methods=["PATCH"])
@blp.arguments(LocationSchema(partial=True))
@blp.response(200, LocationSchema)
@roles("admin")
def update_location(data, location_id):
    """Edit a location (admin)."""
    location = db.session.get(Location, location_id) or abort(404)
    save_location(data, location)
    db.session.commit()
    return location
