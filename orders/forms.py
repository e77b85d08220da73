"""Forms of the orders pages: buyers, an order's lines, cancellation, scanning a lot into the
parcel, payments. Quantities and amounts take French decimal commas (web/forms.py fields)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, Form, FormField, PasswordField, SelectField, \
    StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from web.forms import AmountField, EmailAddress, LineRows, LocalDecimalField, LocalIntegerField


class OrderLineForm(Form):
    """A product and the quantity wanted."""

    product_id = SelectField(_l("Product"), coerce=int, validate_choice=False)
    quantity = LocalDecimalField(_l("Quantity"), places=3,
                                 validators=[Optional(), NumberRange(min=0.001, max=10**6)])


class OrderForm(FlaskForm):
    """An order drafted by staff for a buyer."""

    buyer_id = SelectField(_l("Buyer"), coerce=int)
    location_id = SelectField(_l("Served from"), coerce=int)
    fulfilment = SelectField(_l("Delivery or pick-up"), choices=[
        ("delivery", _l("Delivery")), ("pickup", _l("Pick-up at a shop"))])
    delivery_address = StringField(_l("Delivery address"), validators=[Optional(), Length(max=255)])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=255)])
    lines = LineRows(FormField(OrderLineForm), max_entries=100, key="product_id",
                     key_message=_l("Choose a product."))


class CancelForm(FlaskForm):
    """Why an order is cancelled."""

    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=255)])


class PackForm(FlaskForm):
    """A scanned lot (label barcode, lot code) and how much of it went into the parcel."""

    code = StringField(_l("Scan a lot"), validators=[DataRequired(), Length(max=120)])
    quantity = LocalDecimalField(_l("Quantity"), places=3,
                                 validators=[DataRequired(), NumberRange(min=0.001, max=10**6)])


class BuyerForm(FlaskForm):
    """A business buyer, or a private customer picking up at a shop."""

    kind = SelectField(_l("Kind"), choices=[("business", _l("Business")),
                                            ("private", _l("Private customer (pick-up)"))])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=160)])
    ice = StringField(_l("ICE"), validators=[Optional(), Regexp(r"^\d{15}$", message=_l(
        "The ICE has 15 digits."))], description=_l("Identifiant commun de l'entreprise, 15 digits."))
    if_number = StringField(_l("IF (tax number)"), validators=[Optional(), Length(max=20)])
    rc = StringField(_l("RC (trade register)"), validators=[Optional(), Length(max=40)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=255)])
    contact_name = StringField(_l("Contact"), validators=[Optional(), Length(max=120)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    email = StringField(_l("Email"), validators=[Optional(), Length(max=120), EmailAddress()])
    payment_terms_days = LocalIntegerField(_l("Payment terms (days)"), default=0,
                                           validators=[Optional(), NumberRange(min=0, max=365)])
    price_list_id = SelectField(_l("Price list"), coerce=int, validate_choice=False)
    flight_date = DateField(_l("Flight date"), validators=[Optional()])
    active = BooleanField(_l("Active"), default=True)


class BuyerUserForm(FlaskForm):
    """A user of a buyer: signs in to order and to read its invoices."""

    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    full_name = StringField(_l("Full name"), validators=[Optional(), Length(max=120)])
    locale = SelectField(_l("Language"), choices=[("fr", "Français"), ("ar", "العربية")])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(min=8, max=256)])


class PaymentForm(FlaskForm):
    """Money received from a buyer against an invoice."""

    amount = AmountField(_l("Amount (MAD)"), places=2,
                         validators=[DataRequired(), NumberRange(min=0.01, max=10**9)])
    method = SelectField(_l("Method"), choices=[
        ("bank_transfer", _l("Bank transfer")), ("cheque", _l("Cheque")), ("cash", _l("Cash")),
        ("card", _l("Card")), ("mobile", _l("Mobile money"))])
    reference = StringField(_l("Reference"), validators=[Optional(), Length(max=80)])


class CreditNoteForm(FlaskForm):
    """Goods returned after invoicing: a credit note, restocked or written off."""

    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=255)])
    restock = BooleanField(_l("Back on the shelf (otherwise written off as damaged)"), default=True)


class PriceListForm(FlaskForm):
    """A price list's name (its prices are the page's `price-<product id>` inputs, read by
    orders.price_list_views.read_prices in the reader's language)."""

    name = StringField(_l("Name of the price list"), validators=[DataRequired(), Length(max=120)])
