"""Forms of the shop pages: open and close the till, refund lines of a sale."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from web.forms import LocalDecimalField
from web.labels import PAYMENT_METHOD_LABELS as METHOD_LABELS



class OpenTillForm(FlaskForm):
    """The opening float counted into the drawer."""

    opening_float = LocalDecimalField(_l("Opening float (MAD)"), places=2,
                                 validators=[InputRequired(), NumberRange(0, 10_000_000)])


class CloseTillForm(FlaskForm):
    """The cash counted in the drawer at close."""

    counted_cash = LocalDecimalField(_l("Counted cash (MAD)"), places=2,
                                validators=[InputRequired(), NumberRange(0, 10_000_000)])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=255)])
    confirm_difference = BooleanField(_l("I confirm the counted cash despite the difference"))


class RefundForm(FlaskForm):
    """Reason and how the money goes back; quantities per line come as qty-<line id>."""

    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=255)])
    method = SelectField(_l("Paid back in"), choices=list(METHOD_LABELS.items()), default="cash")


class SettleIssueForm(FlaskForm):
    """Mark what an offline sale left to settle as settled (only the CSRF token)."""
