"""Admin forms for master data and users."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, DecimalField, EmailField, IntegerField, PasswordField,
                     SelectField, SelectMultipleField, StringField, TextAreaField)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, StopValidation, ValidationError
from wtforms.widgets import TextInput

from models.catalogue import CATEGORIES, KINDS, UOMS
from models.cooperatives import PROVINCES
from models.users import ROLES
from web.digits import normalize_digits

class ParsedFirst:
    """A number field that stops at "not a number": no range message about what was unreadable."""

    def pre_validate(self, form):
        """Skip the validators when the text could not be read as a number."""
        if self.process_errors:
            raise StopValidation()


class LocalIntegerField(ParsedFirst, IntegerField):
    """IntegerField with a single, clear message for text that is not a whole number."""

    widget = TextInput()  # a number field would refuse Arabic-Indic digits before the server sees them

    def __init__(self, *args, render_kw=None, **kwargs):
        super().__init__(*args, render_kw={"inputmode": "numeric", "autocomplete": "off", **(render_kw or {})},
                         **kwargs)

    def process_formdata(self, valuelist):
        """Arabic-Indic digits read as Latin ones, then IntegerField's parsing; nothing typed
        is no value (Optional/InputRequired say the rest)."""
        valuelist = [normalize_digits(v) for v in valuelist]
        if valuelist and isinstance(valuelist[0], str) and not valuelist[0].strip():
            self.data = None
            return
        super().process_formdata(valuelist)


class LocalDecimalField(ParsedFirst, DecimalField):
    """A DecimalField reading what French and Moroccan users type: "12,5" (decimal comma) and
    "1 234,50" (spaces between thousands) are 12.5 and 1234.50. Ambiguous input ("1.234,5",
    "1,2,3") and non-numbers such as NaN or Infinity are refused with a message; the API, which
    machines call, takes only "12.5"."""

    # A text field with a decimal keypad: a browser's number field drops a typed comma and
    # refuses Arabic-Indic digits before the server sees them (FIELD-NOTES).
    widget = TextInput()

    def __init__(self, *args, render_kw=None, **kwargs):
        super().__init__(*args, render_kw={"inputmode": "decimal", "autocomplete": "off", **(render_kw or {})},
                         **kwargs)

    def process_formdata(self, valuelist):
        """Normalise the typed text, then let DecimalField parse it."""
        if valuelist and isinstance(valuelist[0], str):
            raw = normalize_digits(valuelist[0].strip())
            if raw == "":  # nothing typed: no value (Optional/InputRequired say the rest),
                self.data = None  # not "not a decimal" on every blank row of a form
                return
            for space in (" ", "\u00a0", "\u202f"):  # French thousands separators
                raw = raw.replace(space, "")
            if raw.count(",") == 1 and "." not in raw:
                raw = raw.replace(",", ".")
            valuelist = [raw]
        super().process_formdata(valuelist)
        if self.data is not None and not self.data.is_finite():
            self.data = None
            raise ValueError(self.gettext("Not a valid decimal value."))


class EmailAddress:
    """The API's e-mail rule (marshmallow's) for forms. WTForms' own Email() needs the
    `email_validator` package, which Tadamon does not install: without it, it raised a 500."""

    def __call__(self, form, field):
        """Refuse what the API would refuse."""
        import marshmallow

        if field.data:
            try:
                marshmallow.validate.Email()(field.data)
            except marshmallow.ValidationError:
                raise ValidationError(field.gettext("Invalid email address.")) from None


CATEGORY_LABELS = {
    "dates": _l("Dates"), "olive_oil": _l("Olive oil"), "honey": _l("Honey"),
    "almonds": _l("Almonds"), "truffles": _l("Desert truffles"),
    "aromatic_plants": _l("Medicinal and aromatic plants"),
    "cereal_derivatives": _l("Couscous and cereal derivatives"), "crafts": _l("Crafts"),
    "other": _l("Other"),
}
KIND_LABELS = {"bulk": _l("Bulk (kg or litre)"), "unit": _l("Packaged unit (pieces)")}
UOM_LABELS = {"kg": _l("kg"), "l": _l("litre"), "pc": _l("piece")}
LOCATION_KIND_LABELS = {"warehouse": _l("Warehouse zone"), "shop": _l("Shop or stand")}


class CooperativeForm(FlaskForm):
    """A cooperative's identity, members, commission and payout details."""

    name_fr = StringField(_l("Name (French)"), validators=[DataRequired(), Length(max=160)])
    name_ar = StringField(_l("Name (Arabic)"), validators=[DataRequired(), Length(max=160)])
    registration_number = StringField(_l("Registration number"), validators=[DataRequired(), Length(max=40)])
    province = SelectField(_l("Province"), choices=[(p, p) for p in PROVINCES])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    email = EmailField(_l("Email"), validators=[Optional(), EmailAddress(), Length(max=120)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=255)])
    members_total = LocalIntegerField(_l("Members"), default=0, validators=[Optional(), NumberRange(0, 1_000_000)])
    members_women = LocalIntegerField(_l("of whom women"), default=0, validators=[Optional(), NumberRange(0, 1_000_000)])
    members_youth = LocalIntegerField(_l("of whom young people"), default=0, validators=[Optional(), NumberRange(0, 1_000_000)])
    commission_rate = LocalDecimalField(_l("Commission rate"), places=4, validators=[Optional(), NumberRange(0, 0.9999)],
                                   description=_l("0.15 for 15%. Empty: the platform default."))
    payout_bank = StringField(_l("Bank"), validators=[Optional(), Length(max=120)])
    payout_account = StringField(_l("Account (RIB)"), validators=[Optional(), Length(max=64)])
    payout_holder = StringField(_l("Account holder"), validators=[Optional(), Length(max=160)])
    active = BooleanField(_l("Active"), default=True)


class ProductForm(FlaskForm):
    """A catalogue product."""

    sku = StringField(_l("Code (SKU)"), validators=[DataRequired(), Length(max=40)])
    name_fr = StringField(_l("Name (French)"), validators=[DataRequired(), Length(max=160)])
    name_ar = StringField(_l("Name (Arabic)"), validators=[DataRequired(), Length(max=160)])
    category = SelectField(_l("Category"), choices=[(c, CATEGORY_LABELS[c]) for c in CATEGORIES])
    kind = SelectField(_l("Kind"), choices=[(k, KIND_LABELS[k]) for k in KINDS])
    uom = SelectField(_l("Stock unit"), choices=[(u, UOM_LABELS[u]) for u in UOMS])
    net_content = LocalDecimalField(_l("Net content per unit"), places=3,
                               validators=[Optional(), NumberRange(min=0.001, max=100000)])
    content_uom = SelectField(_l("Net content unit"), choices=[("", "—"), ("kg", _l("kg")), ("l", _l("litre"))])
    gtin = StringField(_l("GTIN (EAN-13)"), validators=[Optional(), Length(min=13, max=13)])
    retail_price = LocalDecimalField(_l("Retail price (MAD)"), places=2,
                                validators=[Optional(), NumberRange(min=0, max=1_000_000)])
    shelf_life_days = LocalIntegerField(_l("Shelf life (days)"), validators=[Optional(), NumberRange(0, 3650)])
    allergens = StringField(_l("Allergens"), validators=[Optional(), Length(max=255)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])
    active = BooleanField(_l("Active"), default=True)


class LocationForm(FlaskForm):
    """A warehouse zone, shop or stand."""

    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=32)])
    name_fr = StringField(_l("Name (French)"), validators=[DataRequired(), Length(max=160)])
    name_ar = StringField(_l("Name (Arabic)"), validators=[DataRequired(), Length(max=160)])
    kind = SelectField(_l("Kind"), choices=list(LOCATION_KIND_LABELS.items()))
    address = StringField(_l("Address"), validators=[Optional(), Length(max=255)])
    province = SelectField(_l("Province"), choices=[("", "—")] + [(p, p) for p in PROVINCES])
    active = BooleanField(_l("Active"), default=True)


class UserForm(FlaskForm):
    """A user, their role, shops or cooperative."""

    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    full_name = StringField(_l("Full name"), validators=[Optional(), Length(max=120)])
    role = SelectField(_l("Role"), choices=[(r, r) for r in ROLES])
    locale = SelectField(_l("Language"), choices=[("fr", "Français"), ("ar", "العربية"), ("en", "English")])
    shops = SelectMultipleField(_l("Shops (cashiers)"), coerce=int)
    cooperative_id = SelectField(_l("Cooperative (cooperative users)"), coerce=int)
    password = PasswordField(_l("Password"), validators=[Optional(), Length(min=8, max=256)],
                             description=_l("At least 8 characters. Empty keeps the current one."))
    active = BooleanField(_l("Active"), default=True)
