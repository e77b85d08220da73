"""Demo activity of the warehouse: a few weeks of receptions from several cooperatives and
packaging runs into labelled units, through the services (flush only; the caller commits)."""
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from extensions import db
from models.catalogue import Product
from models.cooperatives import Cooperative
from models.warehouse_packaging import package
from models.warehouse_receptions import receive
from models.stock import Location
from models.users import User
from models import clock

# (days ago, cooperative registration, location code, [(sku, delivered, rejected, reason, harvest days ago)])
RECEPTIONS = [
    (40, "ODCO-2008-0412", "WH-RECEPTION", [("DAT-AZ-VRAC", "120", "3.5", "Dattes abîmées par la pluie", 50)]),
    (35, "ODCO-2011-0955", "WH-STOCK", [("HUI-EV-VRAC", "200", "0", None, 60)]),
    (30, "ODCO-2006-0231", "WH-RECEPTION", [("HUI-EV-VRAC", "150", "10", "Fût mal fermé, huile oxydée", 45)]),
    (28, "ODCO-2013-1562", "WH-PACK", [("MIE-TH-VRAC", "40", "0", None, 90)]),
    (25, "ODCO-2015-2140", "WH-PACK", [("AMA-DEC-VRAC", "60", "1.2", "Amandes véreuses", 70)]),
    (20, "ODCO-2012-1203", "WH-RECEPTION", [("PAM-ROM-VRAC", "15", "0", None, 30)]),
    (12, "ODCO-2008-0412", "WH-RECEPTION", [("DAT-AZ-VRAC", "80", "0", None, 40),
                                           ("DAT-PAT-250", "60", "0", None, None)]),
]
# (days ago, input sku, cooperative registration, kg/l consumed, output sku, units, waste)
RUNS = [
    (38, "DAT-AZ-VRAC", "ODCO-2008-0412", "50.6", "DAT-AZ-500", 100, "0.6"),
    (33, "HUI-EV-VRAC", "ODCO-2011-0955", "120", "HUI-EV-1L", 118, "2"),
    (27, "HUI-EV-VRAC", "ODCO-2006-0231", "40", "HUI-EV-50CL", 80, "0"),
    (26, "MIE-TH-VRAC", "ODCO-2013-1562", "25.2", "MIE-TH-250", 100, "0.2"),
    (22, "AMA-DEC-VRAC", "ODCO-2015-2140", "30.5", "AMA-DEC-250", 120, "0.5"),
    (18, "PAM-ROM-VRAC", "ODCO-2012-1203", "10.3", "PAM-ROM-100", 100, "0.3"),
    (10, "DAT-AZ-VRAC", "ODCO-2008-0412", "40", "DAT-AZ-1K", 40, "0"),
]


def _by(model, column, value):
    """A row by a unique column, or None."""
    return db.session.execute(select(model).where(column == value)).scalar()


def seed(summary):
    """Add the receptions and packaging runs (skipped when a reception already exists)."""
    from models.warehouse import Reception

    if db.session.execute(select(Reception.id)).first():
        return
    operator = _by(User, User.username, "operateur")
    uid = operator.id if operator else None
    today = clock.today()
    lots = {}
    count = 0
    for days, reg, loc_code, lines in RECEPTIONS:
        coop, loc = _by(Cooperative, Cooperative.registration_number, reg), _by(Location, Location.code, loc_code)
        data = []
        for sku, delivered, rejected, reason, harvest in lines:
            product = _by(Product, Product.sku, sku)
            accepted = Decimal(delivered) - Decimal(rejected)
            data.append({"product_id": product.id, "quantity_delivered": delivered,
                         "quantity_accepted": accepted, "quantity_rejected": rejected,
                         "rejection_reason": reason,
                         "harvest_date": today - timedelta(days=harvest) if harvest else None})
        rec = receive(cooperative_id=coop.id, location_id=loc.id, lines=data, user_id=uid,
                      received_on=today - timedelta(days=days))
        count += 1
        for ln in rec.lines:
            if ln.lot_id:
                lots.setdefault((ln.product.sku, reg), []).append((ln.lot_id, loc.id))
    runs = 0
    for days, sku, reg, qty, out_sku, units, waste in RUNS:
        candidates = lots.get((sku, reg)) or []
        if not candidates:
            continue
        lot_id, location_id = candidates[0]
        run = package(location_id=location_id, inputs=[{"lot_id": lot_id, "quantity": qty}],
                      output_product_id=_by(Product, Product.sku, out_sku).id, output_units=units,
                      waste_quantity=waste, user_id=uid, today=today - timedelta(days=days))
        runs += 1
        lots.setdefault((out_sku, reg), []).append((run.output_lot_id, location_id))
    summary["receptions"] = count
    summary["packaging runs"] = runs
