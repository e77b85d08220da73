"""Forms of the transfers pages. Line rows are WTForms sub-forms (FieldList); the receipt and
count sheets, whose rows depend on the document, read their inputs by lot id."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Form, FormField, SelectField, StringField, \
    TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from web.forms import LocalDecimalField
from web.forms import LineRows

KIND_CHOICES = [("", _l("Automatic (shop → warehouse is a return)")),
                ("transfer", _l("Transfer")), ("return", _l("Return to the warehouse"))]


def pad_rows(field_list, rows):
    """Offer `rows` blank lines on a fresh form. Only without posted data: WTForms renumbers
    posted rows and would read a padded row's data again from a gapped index."""
    while len(field_list) < rows:
        field_list.append_entry()


class LotLineForm(Form):
    """A lot (scanned or typed code) and a quantity."""

    lot_code = StringField(_l("Lot"), validators=[Optional(), Length(max=40)])
    quantity = LocalDecimalField(_l("Quantity"), places=3,
                            validators=[Optional(), NumberRange(min=0.001, max=10**9)])


class ProductLineForm(Form):
    """A product and the quantity wanted."""

    product_id = SelectField(_l("Product"), coerce=int, validate_choice=False)
    code = StringField(_l("or scan a label"), validators=[Optional(), Length(max=120)])
    quantity = LocalDecimalField(_l("Quantity"), places=3,
                            validators=[Optional(), NumberRange(min=0.001, max=10**9)])


class TransferForm(FlaskForm):
    """A draft transfer: from, to, kind, note and lines."""

    from_location_id = SelectField(_l("From"), coerce=int)
    to_location_id = SelectField(_l("To"), coerce=int)
    kind = SelectField(_l("Kind"), choices=KIND_CHOICES)
    note = StringField(_l("Note"), validators=[Optional(), Length(max=255)])
    lines = LineRows(FormField(LotLineForm), max_entries=200, key="lot_code",
                     key_message=_l("Scan or type the lot code."))


class RequestForm(FlaskForm):
    """A shop's replenishment request."""

    shop_id = SelectField(_l("Shop"), coerce=int)
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=500)])
    lines = LineRows(FormField(ProductLineForm), max_entries=100, key="product_id",
                     key_message=_l("Choose a product."))


class CountStartForm(FlaskForm):
    """Start a count at a location."""

    location_id = SelectField(_l("Location"), coerce=int)


class CountPostForm(FlaskForm):
    """Post a count's differences with a reason."""

    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=255)],
                         description=_l("Recorded on every adjustment, e.g. monthly count."))


class CoopReturnForm(FlaskForm):
    """Goods handed back to their cooperative."""

    cooperative_id = SelectField(_l("Cooperative"), coerce=int)
    location_id = SelectField(_l("From location"), coerce=int)
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=255)])
    lines = LineRows(FormField(LotLineForm), max_entries=200, key="lot_code",
                     key_message=_l("Scan or type the lot code."))
