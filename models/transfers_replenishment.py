"""Replenishment requests: a shop asks for products; an operator fulfils the request as a
draft transfer whose lots are proposed first-expired-first-out, editable before dispatch."""
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from extensions import db
from models.catalogue import Product
from models.cooperatives import utcnow
from models.errors import DomainError, NotFound, ValidationFailed
from models.stock import KIND_SHOP, KIND_WAREHOUSE, Location
from models.transfers_posting import MAX_LINES, create_transfer, fefo_lots, parse_quantity, \
    propose_fefo, real_location
from models.transfers import ReplenishmentLine, ReplenishmentRequest, next_number
from models import clock

REQUEST_PREFIX = "RR"


def _clean_product_lines(lines):
    """Validate [{"product_id", "quantity"}]: active products, positive quantities, no repeats."""
    if not lines:
        raise ValidationFailed(_("Add at least one line."), code="no_lines",
                               fields={"lines": [_("Add at least one line.")]})
    if len(lines) > MAX_LINES:
        raise ValidationFailed(_("Too many lines."), fields={"lines": [_("Too many lines.")]})
    errors, clean, seen = {}, [], set()
    for i, line in enumerate(lines):
        product_id = line.get("product_id")
        product = db.session.get(Product, product_id) if isinstance(product_id, int) else None
        qty = parse_quantity(line.get("quantity"))
        problems = {}
        if product is None or not product.active:
            problems["product_id"] = [_("Unknown product.")]
        elif product.id in seen:
            problems["product_id"] = [_("This product is already on another line.")]
        if qty is None:
            problems["quantity"] = [_("A quantity greater than zero.")]
        if problems:
            errors[str(i)] = problems
            continue
        seen.add(product.id)
        clean.append((product, qty))
    if errors:
        raise ValidationFailed(_("Please correct the highlighted lines."), fields={"lines": errors})
    return clean


def create_request(shop_id, lines, *, note=None, user_id=None):
    """A shop's request for products ([{"product_id", "quantity"}]), open until fulfilled."""
    shop = real_location(shop_id, "shop_id", kinds=(KIND_SHOP,))
    clean = _clean_product_lines(lines)
    request = ReplenishmentRequest(number=next_number(REQUEST_PREFIX), shop=shop, state="open",
                                   note=(note or "").strip()[:500] or None,
                                   created_by_id=user_id)
    request.lines = [ReplenishmentLine(product=p, quantity=q) for p, q in clean]
    db.session.add(request)
    db.session.flush()
    return request


def lock_request(request_id):
    """The request row, locked for this transaction; 404 if absent."""
    request = db.session.execute(
        select(ReplenishmentRequest).where(ReplenishmentRequest.id == request_id)
        .with_for_update().execution_options(populate_existing=True)
    ).scalar()
    if request is None:
        raise NotFound(_("No such replenishment request."))
    return request


def _require_open(request):
    """Only an open request may be fulfilled or cancelled."""
    if request.state != "open":
        raise DomainError(_("Request %(number)s is no longer open.", number=request.number),
                          code="request_not_open")


def best_source(wanted, today=None):
    """The warehouse zone that can cover most of `wanted` from unexpired stock (None if none)."""
    zones = db.session.execute(select(Location).where(
        Location.kind == KIND_WAREHOUSE, Location.active.is_(True)).order_by(Location.id)).scalars()
    best, best_cover = None, Decimal(0)
    for zone in zones:
        cover = Decimal(0)
        for product_id, qty in wanted.items():
            on_hand = sum((q for _lot, q in fefo_lots(product_id, zone.id, today)), start=Decimal(0))
            cover += min(on_hand, Decimal(qty))
        if cover > best_cover:
            best, best_cover = zone, cover
    return best


def fulfil_request(request_id, *, from_location_id=None, user_id=None, today=None):
    """Fulfil an open request as a draft transfer, lots proposed first-expired-first-out.

    Returns (transfer, shortages {product_id: missing quantity}). 409 "no_stock" when the
    source holds none of the requested products.
    """
    today = today or clock.today()
    request = lock_request(request_id)
    _require_open(request)
    wanted = {line.product_id: line.quantity for line in request.lines}
    if from_location_id is not None:
        source = real_location(from_location_id, "from_location_id", kinds=(KIND_WAREHOUSE,))
    else:
        source = best_source(wanted, today)
    lines, shortages = propose_fefo(source.id, wanted, today) if source else ([], wanted)
    if not lines:
        raise DomainError(_("The warehouse holds none of the requested products."),
                          code="no_stock")
    note = _("For request %(number)s", number=request.number)
    transfer = create_transfer(source.id, request.shop_id, lines, kind="transfer", note=note,
                               user_id=user_id, today=today)
    request.state = "fulfilled"
    request.transfer = transfer
    request.fulfilled_at = utcnow()
    request.fulfilled_by_id = user_id
    db.session.flush()
    return transfer, shortages


def cancel_request(request_id):
    """Withdraw an open request."""
    request = lock_request(request_id)
    _require_open(request)
    request.state = "cancelled"
    db.session.flush()
    return request
