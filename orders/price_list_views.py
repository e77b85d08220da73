"""The price lists (admins): create and rename them, type each product's negotiated price
(in the reader's language: "12,5", "1 234,50"), see which buyers use a list. A buyer is given
its list on the buyer's own page. Each POST: every price read first → one service call →
commit once; a bad price is named on its row and nothing is written."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from auth.access import roles
from extensions import db
from models import orders_prices
from models.catalogue import Product
from models.errors import DomainError
from models.orders import PriceList
from orders import bp
from orders.forms import PriceListForm
from web.labels import CATEGORY_LABELS
from web.locale import AmountError, parse_amount
from web.scope import get_or_404


def _products():
    """The products a price list may name: active ones with a retail price, by category."""
    return db.session.execute(select(Product).where(
        Product.active.is_(True), Product.retail_price.isnot(None))
        .order_by(Product.category, Product.name_fr)).scalars().all()


def _name_errors(form, exc):
    messages = exc.fields.get("name") if isinstance(exc.fields, dict) else None
    if messages:
        form.name.errors = list(form.name.errors) + [str(m) for m in messages]
    else:
        flash(exc.message, "danger")


@bp.route("/price-lists", methods=["GET", "POST"])
@roles("admin")
def price_lists():
    """Every price list with how many buyers use it; a new one by its name (POST)."""
    form = PriceListForm()
    status = 200
    if form.validate_on_submit():
        try:
            price_list = orders_prices.save_price_list(name=form.name.data, user_id=current_user.id)
        except DomainError as exc:
            db.session.rollback()
            _name_errors(form, exc)
            status = exc.status
        else:
            db.session.commit()
            flash(_("Price list %(name)s created: type its prices.", name=price_list.name), "success")
            return redirect(url_for("orders.price_list", price_list_id=price_list.id))
    elif request.method == "POST":
        status = 422
    return render_template("orders/price_lists.html", rows=orders_prices.price_lists(),
                           form=form), status


def read_prices(products, form_data):
    """({product id: Decimal or None}, {product id: message}, {product id: typed}) from the
    `price-<id>` inputs of the page; a product without an input is left as it is."""
    prices, errors, typed = {}, {}, {}
    for product in products:
        raw = form_data.get(f"price-{product.id}")
        if raw is None:
            continue
        typed[product.id] = raw
        try:
            value = parse_amount(raw, places=2)
        except AmountError as exc:
            errors[product.id] = str(exc)
            continue
        if value is not None and value < 0:
            errors[product.id] = _("A price is a number from 0, two decimals at most.")
            continue
        prices[product.id] = value
    return prices, errors, typed


@bp.route("/price-lists/<int:price_list_id>", methods=["GET", "POST"])
@roles("admin")
def price_list(price_list_id):
    """A price list: its name, a price per product (blank: the retail price applies), the
    buyers using it, its history."""
    price_list = get_or_404(PriceList, price_list_id)
    products = _products()
    form = PriceListForm(obj=price_list)
    errors, typed, status = {}, {}, 200
    if request.method == "POST":
        prices, errors, typed = read_prices(products, request.form)
        if form.validate_on_submit() and not errors:
            try:
                orders_prices.save_price_list(price_list.id, name=form.name.data, prices=prices,
                                              user_id=current_user.id)
            except DomainError as exc:
                db.session.rollback()
                status = exc.status
                fields = exc.fields if isinstance(exc.fields, dict) else {}
                if isinstance(fields.get("prices"), dict):
                    errors.update({int(k): " ".join(map(str, v))
                                   for k, v in fields["prices"].items() if str(k).isdigit()})
                if not errors:
                    _name_errors(form, exc)
            else:
                db.session.commit()
                flash(_("Price list saved."), "success")
                return redirect(url_for("orders.price_list", price_list_id=price_list.id))
        else:
            status = 422
        if errors:
            flash(_("Please correct the highlighted prices."), "danger")
    current = {item.product_id: item.unit_price for item in price_list.items}
    return render_template("orders/price_list.html", price_list=price_list, form=form,
                           products=products, current=current, errors=errors, typed=typed,
                           buyers=orders_prices.buyers_using(price_list.id),
                           category_labels=CATEGORY_LABELS), status
