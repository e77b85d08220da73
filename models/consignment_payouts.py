"""Payouts: money the platform pays a cooperative out of its consignment balance.

A payout is two rows written together: a Payout (method, date, reference, who, the balance it
was checked against: what the slip prints) and a ConsignmentEntry of kind "payout" with the
negative amount (what the balance sums). Paying more than the balance needs an explicit
override with a reason. The cooperative's row is locked while the balance is checked, so two
payouts recorded at once cannot both pass on the same balance.
"""
from datetime import date
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from sqlalchemy import select

from extensions import db
from models.consignment import balance
from models.consignment_posting import post_entries
from models.cooperatives import Cooperative, utcnow
from models.errors import DomainError, NotFound, ValidationFailed
from models.types import Money, money
from models import clock

PAYOUT_METHODS = ("bank_transfer", "cash", "cheque")
MAX_PAYOUT = Decimal("10000000")


class Payout(db.Model):
    """One payment to a cooperative; its ledger line is the entry (document_type "payout")."""

    __tablename__ = "payouts"

    id = db.Column(db.Integer, primary_key=True)
    cooperative_id = db.Column(db.Integer, db.ForeignKey("cooperatives.id"), nullable=False,
                               index=True)
    amount = db.Column(Money, nullable=False)
    paid_on = db.Column(db.Date, nullable=False)
    method = db.Column(db.String(16), nullable=False)
    reference = db.Column(db.String(120))
    # Set only when the payout exceeded the balance: why the admin allowed it.
    override_reason = db.Column(db.String(255))
    balance_before = db.Column(Money, nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"))

    cooperative = db.relationship("Cooperative")
    user = db.relationship("User")

    __table_args__ = (
        db.CheckConstraint("amount > 0", name="amount_positive"),
        db.CheckConstraint("method IN ('bank_transfer', 'cash', 'cheque')", name="method"),
    )

    @property
    def number(self):
        """The slip number printed and quoted: PAY-000012."""
        return f"PAY-{self.id:06d}"

    @property
    def balance_after(self):
        """The balance right after this payout."""
        return self.balance_before - self.amount


def _clean_amount(amount, errors):
    """The amount as a positive Decimal to the centime, or an error noted in `errors`."""
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, TypeError, ValueError):
        errors["amount"] = [_("Enter an amount.")]
        return None
    if not value.is_finite() or value <= 0:
        errors["amount"] = [_("The amount must be positive.")]
        return None
    if value > MAX_PAYOUT or value != money(value):
        errors["amount"] = [_("Enter an amount in dirhams with at most two decimals.")]
        return None
    return money(value)


# The platform did not pay anyone before this (a year 0001 is a typo, not history).
EARLIEST_PAYOUT = date(2000, 1, 1)


def record_payout(*, cooperative_id, amount, method, reference=None, paid_on=None,
                  override_reason=None, user_id=None, today=None):
    """Pay `amount` to a cooperative: a Payout and its ledger entry. Returns the Payout.

    Raises ValidationFailed (bad amount, method, date), NotFound (unknown cooperative) and
    DomainError "exceeds_balance" when the amount is more than the balance and no
    `override_reason` is given. Flushes, never commits.
    """
    errors = {}
    value = _clean_amount(amount, errors)
    if method not in PAYOUT_METHODS:
        errors["method"] = [_("Choose bank transfer, cash or cheque.")]
    reference = (reference or "").strip() or None
    if reference and len(reference) > 120:
        errors["reference"] = [_("At most %(n)s characters.", n=120)]
    if method in ("bank_transfer", "cheque") and not reference:
        errors["reference"] = [_("A transfer or cheque needs its reference.")]
    override_reason = (override_reason or "").strip() or None
    if override_reason and len(override_reason) > 255:
        errors["override_reason"] = [_("At most %(n)s characters.", n=255)]
    today = today or clock.today()
    paid_on = paid_on or today
    if paid_on > today:
        errors["paid_on"] = [_("A payout cannot be dated in the future.")]
    elif paid_on < EARLIEST_PAYOUT:
        errors["paid_on"] = [_("A payout cannot be dated before %(date)s.", date=EARLIEST_PAYOUT.isoformat())]
    if errors:
        raise ValidationFailed(_("Please correct the highlighted fields."), fields=errors)

    # The lock serialises payouts of one cooperative: the second waits for the first to
    # commit and then sees the lower balance (SQLite already holds its write lock here).
    locked = db.session.execute(
        select(Cooperative.id).where(Cooperative.id == cooperative_id).with_for_update()
    ).scalar()
    if locked is None:
        raise NotFound(_("Unknown cooperative."), fields={"cooperative_id": [str(cooperative_id)]})
    current = balance(cooperative_id)["balance"]
    if value > current and not override_reason:
        raise DomainError(
            _("This payout (%(amount)s) is more than the balance (%(balance)s). Give a reason "
              "to pay it anyway.", amount=value, balance=current),
            code="exceeds_balance",
            fields={"amount": [str(value)], "balance": [str(current)],
                    "override_reason": [_("Required to pay more than the balance.")]})
    payout = Payout(cooperative_id=cooperative_id, amount=value, paid_on=paid_on, method=method,
                    reference=reference, balance_before=current, user_id=user_id,
                    override_reason=override_reason if value > current else None)
    db.session.add(payout)
    db.session.flush()
    post_entries([{
        "cooperative_id": cooperative_id, "kind": "payout", "amount": -value,
        "document_type": "payout", "document_id": payout.id, "reference": reference,
        "note": override_reason if value > current else None, "user_id": user_id,
        "created_at": payout.created_at,
    }])
    return payout


class PayoutReversal(db.Model):
    """A payout taken back (made by mistake, bounced): its reversing entry gives the amount
    back to the balance. The payout and its entry stay; nothing is deleted."""

    __tablename__ = "payout_reversals"

    id = db.Column(db.Integer, primary_key=True)
    payout_id = db.Column(db.Integer, db.ForeignKey("payouts.id"), nullable=False, unique=True)
    reason = db.Column(db.String(255), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"))

    payout = db.relationship("Payout", backref=db.backref("reversal", uselist=False))
    user = db.relationship("User")


def reverse_payout(*, payout_id, reason, user_id=None):
    """Reverse a payout with a reason: a PayoutReversal and an entry of kind "payout" with the
    positive amount (document "payout_reversal"). Returns the reversal.

    Raises ValidationFailed (no reason), NotFound, DomainError "already_reversed"."""
    from models import audit

    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Give the reason for the reversal."), fields={"reason": [_("Required.")]})
    if len(reason) > 255:
        raise ValidationFailed(_("At most %(n)s characters.", n=255), fields={"reason": [_("Too long.")]})
    payout = db.session.get(Payout, payout_id)
    if payout is None:
        raise NotFound(_("No such payout."))
    db.session.execute(select(Cooperative.id).where(Cooperative.id == payout.cooperative_id)
                       .with_for_update())
    if db.session.execute(select(PayoutReversal.id).where(PayoutReversal.payout_id == payout.id)).scalar():
        raise DomainError(_("Payout %(number)s has already been reversed.", number=payout.number),
                          code="already_reversed")
    reversal = PayoutReversal(payout_id=payout.id, reason=reason, user_id=user_id)
    db.session.add(reversal)
    db.session.flush()
    post_entries([{
        "cooperative_id": payout.cooperative_id, "kind": "payout", "amount": payout.amount,
        "document_type": "payout_reversal", "document_id": reversal.id,
        "reference": payout.number, "note": reason, "user_id": user_id,
        "created_at": reversal.created_at,
    }])
    audit.record("reverse", "payout", payout.id, before={"amount": payout.amount},
                 after={"reversal_id": reversal.id, "reason": reason}, user_id=user_id)
    return reversal
