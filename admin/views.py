"""Admin pages. Each edit page: validate the form → call the service → commit once."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from admin import bp
from admin.forms import CooperativeForm, LocationForm, ProductForm, UserForm
from web.labels import CATEGORY_LABELS
from auth.access import roles
from extensions import db
from models.catalogue import Product
from models.cooperatives import Cooperative
from models.errors import DomainError, ValidationFailed
from models.masterdata import save_cooperative, save_location, save_product
from models.stock import REAL_KINDS, Location, Lot, StockMovement
from models.users import ROLES, User
from web.labels import ROLE_LABELS


def _load_or_404(model, obj_id, refuse=None):
    """The record being edited (None for a new one); 404 when missing or refused."""
    if obj_id is None:
        return None
    obj = db.session.get(model, obj_id)
    if obj is None or (refuse and refuse(obj)):
        abort(404)
    return obj


def _save_form(form, obj, save, list_endpoint, template, title):
    """Shared edit flow: on a valid POST, save through the service and commit; else re-show."""
    if form.validate_on_submit():
        data = {f.name: f.data for f in form if f.type not in ("CSRFTokenField", "SubmitField")}
        try:
            save(data, obj)
        except DomainError as exc:
            db.session.rollback()
            for name, messages in exc.fields.items():
                if name in form:
                    form[name].errors = list(form[name].errors) + list(messages)
            flash(exc.message, "danger")
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for(list_endpoint))
    status = 422 if request.method == "POST" else 200
    return render_template(template, form=form, title=title, obj=obj), status


@bp.route("/")
@roles("admin")
def dashboard():
    """Counts of what the platform holds, and the latest stock movements."""
    counts = {
        _("Cooperatives"): db.session.scalar(select(func.count(Cooperative.id))),
        _("Products"): db.session.scalar(select(func.count(Product.id))),
        _("Shops and stands"): db.session.scalar(select(func.count(Location.id)).where(Location.kind == "shop")),
        _("Lots"): db.session.scalar(select(func.count(Lot.id))),
        _("Users"): db.session.scalar(select(func.count(User.id))),
    }
    movements = db.session.execute(
        select(StockMovement).order_by(StockMovement.id.desc()).limit(15)).scalars().all()
    return render_template("admin/dashboard.html", counts=counts, movements=movements)


@bp.route("/cooperatives")
@roles("admin")
def cooperatives():
    """All cooperatives."""
    rows = db.session.execute(select(Cooperative).order_by(Cooperative.name_fr)).scalars().all()
    return render_template("admin/cooperatives.html", rows=rows)


@bp.route("/cooperatives/new", methods=["GET", "POST"], defaults={"coop_id": None})
@bp.route("/cooperatives/<int:coop_id>", methods=["GET", "POST"])
@roles("admin")
def cooperative_edit(coop_id):
    """Create or edit a cooperative."""
    coop = _load_or_404(Cooperative, coop_id)
    form = CooperativeForm(obj=coop)
    title = _("Edit cooperative") if coop else _("New cooperative")
    return _save_form(form, coop, save_cooperative, "admin.cooperatives", "admin/edit.html", title)


@bp.route("/products")
@roles("admin")
def products():
    """The catalogue."""
    rows = db.session.execute(select(Product).order_by(Product.category, Product.name_fr)).scalars().all()
    return render_template("admin/products.html", rows=rows, categories=CATEGORY_LABELS)


@bp.route("/products/new", methods=["GET", "POST"], defaults={"product_id": None})
@bp.route("/products/<int:product_id>", methods=["GET", "POST"])
@roles("admin")
def product_edit(product_id):
    """Create or edit a product (GTIN check digit verified)."""
    product = _load_or_404(Product, product_id)
    form = ProductForm(obj=product)
    title = _("Edit product") if product else _("New product")
    return _save_form(form, product, save_product, "admin.products", "admin/edit.html", title)


@bp.route("/locations")
@roles("admin")
def locations():
    """Warehouse zones, shops and stands (and the system's virtual locations)."""
    rows = db.session.execute(select(Location).order_by(Location.kind, Location.code)).scalars().all()
    return render_template("admin/locations.html", rows=rows, real_kinds=REAL_KINDS)


@bp.route("/locations/new", methods=["GET", "POST"], defaults={"location_id": None})
@bp.route("/locations/<int:location_id>", methods=["GET", "POST"])
@roles("admin")
def location_edit(location_id):
    """Create or edit a warehouse zone, shop or stand."""
    location = _load_or_404(Location, location_id, refuse=lambda loc: loc.kind not in ("warehouse", "shop"))
    form = LocationForm(obj=location)
    title = _("Edit location") if location else _("New location")
    return _save_form(form, location, save_location, "admin.locations", "admin/edit.html", title)


@bp.route("/users")
@roles("admin")
def users():
    """Every user and their role."""
    rows = db.session.execute(select(User).order_by(User.role, User.username)).scalars().all()
    return render_template("admin/users.html", rows=rows)


def _user_form(user):
    """The user form with its choices loaded."""
    form = UserForm(obj=user)
    form.role.choices = [(r, ROLE_LABELS[r]) for r in ROLES]
    form.shops.choices = [(s.id, s.name_fr) for s in db.session.execute(
        select(Location).where(Location.kind == "shop").order_by(Location.name_fr)).scalars()]
    form.cooperative_id.choices = [(0, "—")] + [(c.id, c.name_fr) for c in db.session.execute(
        select(Cooperative).order_by(Cooperative.name_fr)).scalars()]
    if request.method == "GET" and user is not None:
        form.shops.data = [s.id for s in user.shops]
        form.cooperative_id.data = user.cooperative_id or 0
    return form


def save_user(data, user=None):
    """Create or update a user; role links checked."""
    user = user or User()
    errors = {}
    other = db.session.execute(select(User.id).where(User.username == data["username"].strip())).scalar()
    if other is not None and other != user.id:
        errors["username"] = [_("Already used.")]
    role = data["role"]
    coop_id = data.get("cooperative_id") or None
    if role == "cooperative" and not coop_id:
        errors["cooperative_id"] = [_("A cooperative user needs a cooperative.")]
    if role != "cooperative" and coop_id:
        errors["cooperative_id"] = [_("Only cooperative users belong to a cooperative.")]
    if role == "cashier" and not data.get("shops"):
        errors["shops"] = [_("A cashier needs at least one shop.")]
    if role != "cashier" and data.get("shops"):
        errors["shops"] = [_("Only cashiers are tied to shops.")]
    if user.id is None and not data.get("password"):
        errors["password"] = [_("A new user needs a password.")]
    if role == "buyer" and user.buyer_id is None:
        errors["role"] = [_("Buyer users are added from the buyer's page.")]
    if errors:
        raise ValidationFailed(_("Please correct the highlighted fields."), fields=errors)
    user.username = data["username"].strip()
    user.full_name = data.get("full_name") or None
    user.role = role
    user.locale = data.get("locale") or "fr"
    user.cooperative_id = coop_id
    if role != "buyer":
        user.buyer_id = None
    user.active = bool(data.get("active"))
    user.shops = [db.session.get(Location, i) for i in data.get("shops") or []]
    if data.get("password"):
        user.set_password(data["password"])
    db.session.add(user)
    db.session.flush()
    return user


@bp.route("/users/new", methods=["GET", "POST"], defaults={"user_id": None})
@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles("admin")
def user_edit(user_id):
    """Create or edit a user."""
    user = _load_or_404(User, user_id)
    form = _user_form(user)
    title = _("Edit user") if user else _("New user")
    return _save_form(form, user, save_user, "admin.users", "admin/edit.html", title)
