"""Forms of the portal: period filters (GET, no CSRF) and the admin's payout and rate forms."""
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from web.forms import LocalDecimalField
from web.labels import CATEGORY_LABELS, CHANNEL_LABELS, PAYOUT_METHOD_LABELS as METHOD_LABELS
from models.catalogue import CATEGORIES
from models.consignment import CHANNELS



class PeriodForm(FlaskForm):
    """?from=YYYY-MM-DD&to=YYYY-MM-DD (and an outlet and a channel on the sales page)."""

    class Meta:
        csrf = False

    date_from = DateField(lazy_pgettext("period", "From"), validators=[Optional()], name="from")
    date_to = DateField(lazy_pgettext("period", "To"), validators=[Optional()], name="to")
    location_id = SelectField(_l("Outlet"), coerce=int, validators=[Optional()], validate_choice=False)
    # The sales page's channel filter: "" every channel, else one of models.consignment.CHANNELS.
    channel = SelectField(_l("Channel"), choices=[("", "")] + [(c, c) for c in CHANNELS], default="",
                          validators=[Optional()])

    def validate_date_to(self, field):
        """The end of a period cannot come before its start."""
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The period ends before it starts."))


class PayoutForm(FlaskForm):
    """A payout to a cooperative."""

    cooperative_id = SelectField(_l("Cooperative"), coerce=int, validators=[DataRequired()])
    amount = LocalDecimalField(_l("Amount (MAD)"), places=2,
                          validators=[DataRequired(), NumberRange(min=0.01, max=10_000_000)])
    paid_on = DateField(_l("Date paid"), validators=[DataRequired()])
    method = SelectField(_l("Method"), choices=list(METHOD_LABELS.items()))
    reference = StringField(_l("Reference"), validators=[Optional(), Length(max=120)],
                            description=_l("Transfer or cheque number."))
    override_reason = TextAreaField(
        _l("Reason for paying more than the balance"), validators=[Optional(), Length(max=255)],
        description=_l("Only when the amount is more than the balance (an advance, for example)."))


CATEGORY_CHOICES = [("", _l("All categories"))] + [(c, CATEGORY_LABELS[c]) for c in CATEGORIES]


CHANNEL_CHOICES = [("", _l("Every channel"))] + [(c, CHANNEL_LABELS[c]) for c in CHANNELS]


class CommissionRuleForm(FlaskForm):
    """A commission rate for the platform or a cooperative, optionally for one category and
    one channel (till sales, orders delivered, orders picked up)."""

    cooperative_id = SelectField(_l("Cooperative"), coerce=int)
    category = SelectField(_l("Product category"), choices=CATEGORY_CHOICES)
    channel = SelectField(_l("Channel"), choices=CHANNEL_CHOICES, default="")
    rate_percent = LocalDecimalField(_l("Rate (%)"), places=2,
                                validators=[DataRequired(), NumberRange(min=0, max=99.99)],
                                description=_l("15 for 15%. Sales already made keep their rate."))
    effective_from = DateField(_l("In force from"), validators=[Optional()],
                               description=_l("Today or later; empty: today. Earlier rates stay in the history."))


class PackagingFeeForm(FlaskForm):
    """The packaging fee charged per unit a packaging run makes."""

    per_unit = LocalDecimalField(_l("Packaging fee per unit (MAD)"), places=2,
                            validators=[Optional(), NumberRange(min=0, max=1000)],
                            description=_l("0 or empty: no fee."))
