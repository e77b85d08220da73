"""Warehouse forms: receptions, packaging runs and label printing. Choices are set by views."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, Form, FormField, IntegerField,
                     SelectField, StringField)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from web.forms import AmountField, LineRows, LocalIntegerField

LAYOUT_LABELS = {
    "a4-3x8": _l("A4 sheet, 3 × 8 labels (70 × 37 mm)"),
    "a4-2x7": _l("A4 sheet, 2 × 7 labels (99.1 × 38.1 mm)"),
    "58x40": _l("Thermal label 58 × 40 mm"),
    "100x50": _l("Thermal label 100 × 50 mm"),
}


def _coerce_id(value):
    """Select values to int ids, blank to None."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class ReceptionLineForm(Form):
    """One delivered product (a blank product skips the line)."""

    product_id = SelectField(_l("Product"), coerce=_coerce_id, validate_choice=False)
    quantity_delivered = AmountField(_l("Delivered"), places=3, validators=[Optional()])
    quantity_accepted = AmountField(_l("Accepted"), places=3, validators=[Optional()])
    quantity_rejected = AmountField(_l("Rejected"), places=3, validators=[Optional()])
    rejection_reason = StringField(_l("Reason for rejection"), validators=[Optional(), Length(max=255)])
    harvest_date = DateField(_l("Harvest date"), validators=[Optional()])
    best_before = DateField(_l("Best before"), validators=[Optional()])


class ReceptionForm(FlaskForm):
    """A delivery from a cooperative."""

    cooperative_id = SelectField(_l("Cooperative"), coerce=_coerce_id, validators=[DataRequired()])
    location_id = SelectField(_l("Received at"), coerce=_coerce_id, validators=[DataRequired()])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=255)])
    lines = LineRows(FormField(ReceptionLineForm), min_entries=4, max_entries=40, key="product_id",
                     key_message=_l("Choose a product."))


class PackagingInputForm(Form):
    """A bulk lot consumed (packed content plus waste)."""

    lot_id = SelectField(_l("Input lot"), coerce=_coerce_id, validate_choice=False)
    quantity = AmountField(_l("Quantity consumed"), places=3, validators=[Optional()])


class PackagingForm(FlaskForm):
    """A packaging run."""

    location_id = SelectField(_l("Packaging location"), coerce=_coerce_id, validators=[DataRequired()])
    inputs = LineRows(FormField(PackagingInputForm), min_entries=3, max_entries=20, key="lot_id",
                      key_message=_l("Choose an input lot."))
    output_product_id = SelectField(_l("Packaged product"), coerce=_coerce_id,
                                    validators=[DataRequired()])
    output_units = IntegerField(_l("Units packed"), validators=[DataRequired(), NumberRange(1, 10_000_000)])
    waste_quantity = AmountField(_l("Waste (part of the quantities consumed)"), places=3,
                                 validators=[Optional()])
    best_before = DateField(_l("Best before"), validators=[Optional()],
                            description=_l("Empty: the earliest input's, or sooner by the product's shelf life."))
    note = StringField(_l("Note"), validators=[Optional(), Length(max=255)])


class LabelForm(FlaskForm):
    """Label printing options (a GET form: no CSRF needed)."""

    class Meta:
        csrf = False

    copies = LocalIntegerField(_l("Copies"), validators=[DataRequired(), NumberRange(1, 5000)])
    layout = SelectField(_l("Layout"), choices=list(LAYOUT_LABELS.items()))
    start = LocalIntegerField(_l("First free position on the sheet"), default=1,
                         validators=[Optional(), NumberRange(1, 24)])
    price = BooleanField(_l("Print the retail price"))
