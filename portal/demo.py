"""Demo activity of the consignment: a few commission rules and a payout.

Runs after the warehouse, transfers and shop areas. Rules always; a payout only where earlier
areas' sales left a cooperative a positive balance (none seeded: no payout).
"""
from decimal import Decimal

from sqlalchemy import select

from extensions import db
from models.consignment import balance
from models.consignment_rates import set_commission_rate
from models.cooperatives import Cooperative
from models.consignment_payouts import Payout, record_payout
from models.users import User


def seed(summary):
    """Set the platform's and a few cooperatives' rates; pay out half of the largest
    positive balance by bank transfer. Flushes only; the caller commits."""
    set_commission_rate(rate=Decimal("0.15"))                              # platform default
    set_commission_rate(category="truffles", rate=Decimal("0.18"))          # fragile, fast-moving
    set_commission_rate(category="crafts", rate=Decimal("0.10"))            # slow sellers
    almonds = db.session.execute(select(Cooperative.id).where(
        Cooperative.registration_number == "ODCO-2015-2140")).scalar()
    if almonds:
        set_commission_rate(cooperative_id=almonds, category="other", rate=Decimal("0.10"))
    summary["commission rules"] = 4 if almonds else 3

    if db.session.execute(select(Payout.id).limit(1)).scalar() is not None:
        return  # a rerun: the demo's payout is already there
    admin = db.session.execute(select(User.id).where(User.role == "admin")).scalars().first()
    best, best_balance = None, Decimal(0)
    for coop_id in db.session.execute(select(Cooperative.id).order_by(Cooperative.id)).scalars():
        current = balance(coop_id)["balance"]
        if current > best_balance:
            best, best_balance = coop_id, current
    if best is None:
        summary["payouts"] = 0
        return
    amount = (best_balance / 2).quantize(Decimal("0.01"))
    if amount <= 0:
        summary["payouts"] = 0
        return
    record_payout(cooperative_id=best, amount=amount, method="bank_transfer",
                  reference="VIR-DEMO-0001", user_id=admin)
    summary["payouts"] = 1
