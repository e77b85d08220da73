"""Transfer pages: the list, drafting and editing, dispatch, receipt, replenishment requests
and the shop stock. Each POST: validate the form → call the service → commit once."""
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select

from auth.access import roles
from extensions import db
from models import transfers_replenishment, transfers_posting
from models.catalogue import Product
from models.errors import DomainError
from models.stock_codes import product_of_code
from models.stock import Location
from models.transfers import TRANSFER_STATES, ReplenishmentRequest, Transfer
from transfers import bp
from web.scope import (SHOP_ROLES, STAFF, check_new_transfer, draft_to_handle, is_staff,
                       may_handle_draft, may_receive, my_locations, only_my_shops, require_shop,
                       visible_request, visible_transfer)
from transfers.forms import RequestForm, TransferForm, pad_rows
from transfers.queries import incoming, on_hand, real_locations, shops
from web.digits import normalize_digits
from web.scans import scanned_lot


@bp.app_context_processor
def state_labels():
    """Templates label states in the reader's language."""
    labels = {"draft": _("Draft"), "dispatched": _("Dispatched"), "received": _("Received"),
              "cancelled": _("Cancelled"), "open": _("Open"), "fulfilled": _("Fulfilled"),
              "posted": _("Posted"), "transfer": _("Transfer"),
              "return": _("Return to the warehouse")}
    return {"state_label": lambda s: labels.get(s, s)}


def lines_from_rows(rows, code_field="lot_code", location_id=None, usable_only=True):
    """Turn filled form rows into service lines. The lot field takes a scan (lot code, GS1,
    EAN-13) read by the one resolver at `location_id`; an unknown code, or a product-only
    code naming several lots there (listed), becomes a row error — never a guess.

    Returns (lines, index_map {line index: row index}, has_errors).
    """
    lines, index_map, bad = [], {}, False
    for row_index, row in enumerate(rows):
        code = (row[code_field].data or "").strip()
        qty = row["quantity"].data
        if not code and qty is None:
            continue
        lot_id, problem = scanned_lot(code, location_id, usable_only) if code else (None, _("Unknown lot."))
        if lot_id is None:
            row[code_field].errors = list(row[code_field].errors) + [problem]
            bad = True
            continue
        index_map[len(lines)] = row_index
        lines.append({"lot_id": lot_id, "quantity": qty})
    return lines, index_map, bad


def show_error(exc, rows=None, index_map=None):
    """Roll back, flash the message and put per-line messages on the form rows."""
    db.session.rollback()
    flash(exc.message, "danger")
    line_errors = exc.fields.get("lines") if isinstance(exc.fields, dict) else None
    if rows is None or not isinstance(line_errors, dict):
        return
    for index, problems in line_errors.items():
        if not str(index).isdigit() or not isinstance(problems, dict):
            continue
        row = rows[index_map.get(int(index), int(index))] if index_map else rows[int(index)]
        for name, messages in problems.items():
            first = list(row.form._fields)[0]
            target = row["quantity"] if name.startswith("quantity") else row[first]
            target.errors = list(target.errors) + [str(m) for m in messages]


def _location_choices(form):
    """Sources and destinations: a cashier sends only from their shops to the warehouse."""
    locations = real_locations()
    if is_staff():
        sources = destinations = locations
    else:
        sources = my_locations(locations)
        destinations = [loc for loc in locations if loc.kind == "warehouse"]
    form.from_location_id.choices = [(loc.id, loc.name(_locale())) for loc in sources]
    form.to_location_id.choices = [(loc.id, loc.name(_locale())) for loc in destinations]


def _locale():
    """The reader's language code."""
    from flask_babel import get_locale

    return str(get_locale() or "fr")


@bp.route("/")
@roles(*STAFF)
def index():
    """Transfers, newest first, filtered by state."""
    state = request.args.get("state")
    query = select(Transfer).order_by(Transfer.id.desc()).limit(200)
    if state in TRANSFER_STATES:
        query = query.where(Transfer.state == state)
    rows = db.session.execute(query).scalars().all()
    open_requests = db.session.execute(select(db.func.count(ReplenishmentRequest.id)).where(
        ReplenishmentRequest.state == "open")).scalar()
    return render_template("transfers/index.html", rows=rows, state=state,
                           states=TRANSFER_STATES, open_requests=open_requests)


@bp.route("/new", methods=["GET", "POST"])
@roles(*SHOP_ROLES)
def new():
    """Draft a transfer (a cashier: a return from their shop to the warehouse)."""
    form = TransferForm()
    _location_choices(form)
    if request.method == "GET":
        pad_rows(form.lines, 8)
    if not form.from_location_id.choices or not form.to_location_id.choices:
        abort(403)
    if form.validate_on_submit():
        lines, index_map, bad = lines_from_rows(form.lines, location_id=form.from_location_id.data)
        if not bad:
            try:
                check_new_transfer(form.from_location_id.data, form.to_location_id.data,
                                   form.kind.data or None)
                transfer = transfers_posting.create_transfer(
                    form.from_location_id.data, form.to_location_id.data, lines,
                    kind=form.kind.data or None, note=form.note.data, user_id=current_user.id)
            except DomainError as exc:
                show_error(exc, form.lines, index_map)
            else:
                db.session.commit()
                flash(_("Transfer %(number)s drafted.", number=transfer.number), "success")
                return redirect(url_for("transfers.detail", transfer_id=transfer.id))
    status = 422 if request.method == "POST" else 200
    return render_template("transfers/edit.html", form=form, transfer=None), status


@bp.route("/<int:transfer_id>")
@roles(*SHOP_ROLES)
def detail(transfer_id):
    """A transfer: its lines, and the actions its state allows."""
    transfer = visible_transfer(transfer_id)
    return render_template("transfers/detail.html", t=transfer,
                           can_handle=may_handle_draft(transfer), can_receive=may_receive(transfer))


@bp.route("/<int:transfer_id>/edit", methods=["GET", "POST"])
@roles(*SHOP_ROLES)
def edit(transfer_id):
    """Change a draft's lots and quantities before dispatch."""
    transfer = draft_to_handle(transfer_id)
    if transfer.state != "draft":
        flash(_("Transfer %(number)s has already been dispatched.", number=transfer.number), "warning")
        return redirect(url_for("transfers.detail", transfer_id=transfer.id))
    form = TransferForm()
    _location_choices(form)
    if request.method == "GET":
        form.from_location_id.data = transfer.from_location_id
        form.to_location_id.data = transfer.to_location_id
        form.kind.data = transfer.kind
        form.note.data = transfer.note
        for i, line in enumerate(transfer.lines):
            if i >= len(form.lines):
                form.lines.append_entry()
            form.lines[i].lot_code.data = line.lot.code
            form.lines[i].quantity.data = line.quantity
        pad_rows(form.lines, len(transfer.lines) + 4)
    elif form.validate_on_submit():
        lines, index_map, bad = lines_from_rows(form.lines, location_id=form.from_location_id.data)
        if not bad:
            try:
                check_new_transfer(form.from_location_id.data, form.to_location_id.data,
                                   form.kind.data or None)
                transfers_posting.update_transfer(
                    transfer.id, lines=lines, from_location_id=form.from_location_id.data,
                    to_location_id=form.to_location_id.data, kind=form.kind.data or None,
                    note=form.note.data or "")
            except DomainError as exc:
                show_error(exc, form.lines, index_map)
            else:
                db.session.commit()
                flash(_("Saved."), "success")
                return redirect(url_for("transfers.detail", transfer_id=transfer.id))
    status = 422 if request.method == "POST" else 200
    return render_template("transfers/edit.html", form=form, transfer=transfer), status


def _act(transfer_id, action, allowed, done_message):
    """Run a state change from a page button and go back to the transfer."""
    transfer = visible_transfer(transfer_id)
    if not allowed(transfer):
        abort(403)
    try:
        action(transfer)
    except DomainError as exc:
        show_error(exc)
        return redirect(url_for("transfers.detail", transfer_id=transfer_id)), 303
    db.session.commit()
    flash(done_message(transfer), "success")
    return redirect(url_for("transfers.detail", transfer_id=transfer_id))


@bp.route("/<int:transfer_id>/dispatch", methods=["POST"])
@roles(*SHOP_ROLES)
def dispatch(transfer_id):
    """Dispatch a draft: its goods leave for the in-transit location."""
    return _act(transfer_id, lambda t: transfers_posting.dispatch_transfer(t.id, user_id=current_user.id),
                may_handle_draft, lambda t: _("Transfer %(number)s dispatched.", number=t.number))


@bp.route("/<int:transfer_id>/cancel", methods=["POST"])
@roles(*SHOP_ROLES)
def cancel(transfer_id):
    """Cancel a draft."""
    return _act(transfer_id, lambda t: transfers_posting.cancel_transfer(t.id, user_id=current_user.id),
                may_handle_draft, lambda t: _("Transfer %(number)s cancelled.", number=t.number))


@bp.route("/<int:transfer_id>/receive", methods=["POST"])
@roles(*SHOP_ROLES)
def receive(transfer_id):
    """Record what arrived, line by line (inputs received-<lot id> and reason-<lot id>)."""
    transfer = visible_transfer(transfer_id)
    lines = [{"lot_id": line.lot_id,
              "quantity_received": normalize_digits(request.form.get(f"received-{line.lot_id}", "")).strip()
              .replace(",", "."),
              "reason": request.form.get(f"reason-{line.lot_id}", "")} for line in transfer.lines]
    return _act(transfer_id, lambda t: transfers_posting.receive_transfer(
        t.id, lines, user_id=current_user.id), may_receive,
        lambda t: _("Transfer %(number)s received.", number=t.number))


# --- Replenishment requests -------------------------------------------------------------------

def _request_form():
    """The request form with the user's shops and the active products."""
    form = RequestForm()
    if request.method == "GET":
        pad_rows(form.lines, 6)
    shop_list = my_locations(shops())
    form.shop_id.choices = [(s.id, s.name(_locale())) for s in shop_list]
    products = db.session.execute(select(Product).where(Product.active.is_(True))
                                  .order_by(Product.category, Product.name_fr)).scalars().all()
    choices = [(0, "—")] + [(p.id, p.name(_locale())) for p in products]
    for row in form.lines:
        row.product_id.choices = choices
    return form


def products_from_scans(rows):
    """A scanned label in a request row names its product (through the one resolver); False
    when a code is unknown (the row says so)."""
    good = True
    for row in rows:
        code = (row.code.data or "").strip()
        if not code:
            continue
        try:
            row.product_id.data = product_of_code(code).id
        except DomainError as exc:
            row.code.errors = list(row.code.errors) + [exc.message]
            good = False
    return good


@bp.route("/requests", methods=["GET", "POST"])
@roles(*SHOP_ROLES)
def requests():
    """A shop's replenishment requests and the form to ask for more; operators see the open
    requests of every shop and fulfil them."""
    form = _request_form()
    if form.validate_on_submit() and products_from_scans(form.lines):
        lines = [{"product_id": row.product_id.data, "quantity": row.quantity.data}
                 for row in form.lines if row.product_id.data or row.quantity.data is not None]
        try:
            require_shop(form.shop_id.data)
            created = transfers_replenishment.create_request(form.shop_id.data, lines, note=form.note.data,
                                                   user_id=current_user.id)
        except DomainError as exc:
            show_error(exc)
        else:
            db.session.commit()
            flash(_("Request %(number)s sent to the warehouse.", number=created.number), "success")
            return redirect(url_for("transfers.requests"))
    query = select(ReplenishmentRequest).order_by(ReplenishmentRequest.id.desc()).limit(100)
    if is_staff():
        query = query.where(or_(ReplenishmentRequest.state == "open",
                                ReplenishmentRequest.id.in_(select(ReplenishmentRequest.id).order_by(
                                    ReplenishmentRequest.id.desc()).limit(20))))
    else:
        query = only_my_shops(query, ReplenishmentRequest.shop_id)
    rows = db.session.execute(query).scalars().all()
    status = 422 if request.method == "POST" else 200
    return render_template("transfers/requests.html", form=form, rows=rows,
                           can_fulfil=is_staff()), status


@bp.route("/requests/<int:request_id>/fulfil", methods=["POST"])
@roles(*STAFF)
def fulfil(request_id):
    """Fulfil a request as a draft transfer, lots first-expired-first-out."""
    visible_request(request_id)
    try:
        transfer, shortages = transfers_replenishment.fulfil_request(request_id, user_id=current_user.id)
    except DomainError as exc:
        show_error(exc)
        return redirect(url_for("transfers.requests")), 303
    db.session.commit()
    flash(_("Transfer %(number)s drafted; check the proposed lots, then dispatch.",
            number=transfer.number), "success")
    for product_id, qty in shortages.items():
        product = db.session.get(Product, product_id)
        flash(_("Short of %(qty)s × %(product)s in the warehouse.", qty=qty,
                product=product.name(_locale())), "warning")
    return redirect(url_for("transfers.detail", transfer_id=transfer.id))


@bp.route("/requests/<int:request_id>/cancel", methods=["POST"])
@roles(*SHOP_ROLES)
def cancel_request(request_id):
    """Withdraw an open request."""
    visible_request(request_id)
    try:
        transfers_replenishment.cancel_request(request_id)
    except DomainError as exc:
        show_error(exc)
        return redirect(url_for("transfers.requests")), 303
    db.session.commit()
    flash(_("Request withdrawn."), "success")
    return redirect(url_for("transfers.requests"))


@bp.route("/shop-stock")
@roles(*SHOP_ROLES)
def shop_stock():
    """What is on hand at the user's shop(s), expiry highlighted, and what is on its way."""
    shop_list = my_locations(shops())
    selected = request.args.get("location_id", type=int)
    if selected:
        require_shop(selected)
        ids = {selected}
    elif is_staff() and shop_list:
        selected = shop_list[0].id
        ids = {selected}
    else:
        ids = {s.id for s in shop_list}
    rows = on_hand(ids, warn_days=current_app.config["EXPIRY_WARNING_DAYS"])
    names = {loc.id: loc for loc in db.session.execute(
        select(Location).where(Location.id.in_(ids or {0}))).scalars()}
    return render_template("transfers/shop_stock.html", rows=rows, incoming=incoming(ids),
                           shops=shop_list, selected=selected, names=names,
                           warn_days=current_app.config["EXPIRY_WARNING_DAYS"])
