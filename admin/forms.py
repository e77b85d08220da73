"""Admin forms for master data and users."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, EmailField, PasswordField,
                     SelectField, SelectMultipleField, StringField, TextAreaField)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from models.catalogue import CATEGORIES, KINDS, UOMS
from models.cooperatives import PROVINCES
from models.users import ROLES
from web.forms import EmailAddress, LocalDecimalField, LocalIntegerField
from web.labels import CATEGORY_LABELS, LOCATION_KIND_LABELS, UOM_LABELS
from web.labels import PRODUCT_KIND_LABELS as KIND_LABELS


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
