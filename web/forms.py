"""Form fields shared by every area: amounts read in the user's language, line rows, whole
numbers, e-mail addresses checked like the API checks them.
- `AmountField`: a text input (`inputmode="decimal"`, never `type=number`, which drops a
  French comma in Chromium: "12,5" reached the server as 125) read by `web.locale.parse_amount`.
  Blank is None (so `Optional()` and `DataRequired()` decide), unreadable text is one translated
  message.
- `LineRows`: the rows of a document form (transfer, request, reception, packaging, return...).
  Blank rows are ignored (neither validated nor returned by `filled()`); a row that says
  something but lacks its key field (the product or lot) is an error; every error of a row is
  prefixed with its line number ("Ligne 3 : ..."), translated.
"""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DecimalField, FieldList, IntegerField
from wtforms.validators import StopValidation, ValidationError
from wtforms.widgets import TextInput

from web.digits import normalize_digits
from web.locale import AmountError, clean_text, parse_amount


class DecimalTextInput(TextInput):
    """<input type="text" inputmode="decimal">: a phone shows digits, Chromium keeps a comma."""

    def __call__(self, field, **kwargs):
        kwargs.setdefault("inputmode", "decimal")
        kwargs.setdefault("autocomplete", "off")
        return super().__call__(field, **kwargs)


class AmountField(DecimalField):
    """A money amount or a quantity as a person types it in their language ("1 234,50")."""

    widget = DecimalTextInput()

    def _value(self):
        """Show what was typed back unchanged; a stored value in the user's format."""
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        from web.locale import number, qty

        return number(self.data, self.places) if self.places is not None and self.places <= 2 \
            else qty(self.data)

    def process_formdata(self, valuelist):
        """Read the text with the user's locale; blank is None, nonsense one clear message."""
        self.data = None
        if not valuelist or valuelist[0] is None:
            return
        try:
            value = parse_amount(valuelist[0], places=self.places)
        except AmountError as exc:
            raise ValueError(str(exc)) from None
        if value is not None and not value.is_finite():
            raise ValueError(_("Not a number: write it like 1234,50 or 1 234,50."))
        self.data = value

    def pre_validate(self, form):
        """A number that could not be read gets no range message besides."""
        if self.process_errors:
            raise StopValidation()


ROW_PREFIX = _l("Line %(number)s: %(message)s")


def _is_blank(field):
    """True when a person left this input empty (selects on their blank choice too)."""
    if field.type in ("CSRFTokenField", "HiddenField", "SubmitField"):
        return True
    raw = field.raw_data
    if raw is None:  # not posted: judge by the data a view may have set
        data = field.data
        return data in (None, "", [], False)
    return all(not clean_text(str(v)).strip() for v in raw) or raw == []


class LineRows(FieldList):
    """A FieldList of line sub-forms whose blank rows are ignored and whose errors name the row.

    `key`: the field a filled row must have (e.g. "product_id", "lot_code"); `key_message`
    what to say when it is missing."""

    def __init__(self, unbound_field, label=None, validators=None, key=None, key_message=None,
                 **kwargs):
        super().__init__(unbound_field, label, validators, **kwargs)
        self.key = key
        self.key_message = key_message

    @staticmethod
    def row_is_blank(entry):
        """True when every input of the row is empty."""
        form = getattr(entry, "form", None)
        fields = list(form) if form is not None else [entry]
        return all(_is_blank(f) for f in fields)

    def filled(self):
        """(index, entry) of the rows a person filled in."""
        return [(i, e) for i, e in enumerate(self.entries) if not self.row_is_blank(e)]

    def validate(self, form, extra_validators=()):
        """Validate the filled rows only; prefix their errors with the line number."""
        self.errors = []
        for index, entry in enumerate(self.entries):
            if self.row_is_blank(entry):
                for f in getattr(entry, "form", [entry]):
                    f.errors = []
                continue
            entry.validate(form)
            sub = getattr(entry, "form", None)
            if sub is not None and self.key and _is_blank(sub[self.key]) and not sub[self.key].errors:
                sub[self.key].errors = list(sub[self.key].errors) + [
                    str(self.key_message or _("Choose what this line is about."))]
            for f in (sub if sub is not None else [entry]):
                f.errors = [self.row_message(index, m) for m in f.errors]
            if entry.errors:
                self.errors.append(entry.errors)
        chain = tuple(self.validators) + tuple(extra_validators)
        self._run_validation_chain(form, chain)
        return not self.errors

    @staticmethod
    def row_message(index, message):
        """"Line 3: message" (translated); a message already naming its line is kept."""
        text = str(message)
        prefix = str(ROW_PREFIX).split("%(message)s")[0].replace("%(number)s", str(index + 1))
        if text.startswith(prefix):
            return text
        return _("Line %(number)s: %(message)s", number=index + 1, message=text)


# WTForms' own messages that Tadamon's forms can show: in our catalogues too, so every one is
# in French and Arabic (WTForms' Arabic catalogue lacks several).
WTFORMS_MESSAGES = (
    _l("This field is required."), _l("Not a valid decimal value."),
    _l("Not a valid integer value."), _l("Not a valid choice."), _l("Not a valid date value."),
    _l("Invalid Choice: could not coerce."), _l("Invalid email address."), _l("Invalid input."),
    _l("Field must be exactly %(max)d characters long."),
    _l("Field must be at most %(max)d characters long."),
    _l("Field must be at least %(min)d characters long."),
    _l("Field must be between %(min)d and %(max)d characters long."),
    _l("Number must be at least %(min)s."), _l("Number must be at most %(max)s."),
    _l("Number must be between %(min)s and %(max)s."),
    _l("Field must be equal to %(other_name)s."),
    _l("The CSRF token is missing."), _l("The CSRF token is invalid."),
    _l("The CSRF token has expired."),
)


class FormTranslations:
    """WTForms messages from Tadamon's catalogue first, then from WTForms' own."""

    def __init__(self, fallback):
        self.fallback = fallback

    def gettext(self, string):
        from flask_babel import get_translations

        text = get_translations().gettext(string)
        if text == string and self.fallback is not None:
            return self.fallback.gettext(string)
        return text

    def ngettext(self, singular, plural, n):
        from flask_babel import get_translations

        text = get_translations().ngettext(singular, plural, n)
        if text in (singular, plural) and self.fallback is not None:
            # our catalogue holds the plural wording as a plain msgid
            mine = get_translations().gettext(plural)
            return mine if mine != plural else self.fallback.ngettext(singular, plural, n)
        return text


def install_form_translations():
    """Every FlaskForm's messages through FormTranslations (once per process)."""
    import flask_wtf.form as flask_wtf_form

    current = getattr(flask_wtf_form, "translations", None)
    if not isinstance(current, FormTranslations):
        flask_wtf_form.translations = FormTranslations(current)


class ParsedFirst:
    """A number field that stops at "not a number": no range message about what was unreadable."""

    def pre_validate(self, form):
        """Skip the validators when the text could not be read as a number."""
        if self.process_errors:
            raise StopValidation()


class LocalIntegerField(ParsedFirst, IntegerField):
    """A whole number as typed, Arabic-Indic digits included, with one clear message for text
    that is not one; nothing typed is no value (Optional/InputRequired say the rest)."""

    widget = TextInput()  # a number field would refuse Arabic-Indic digits before the server sees them

    def __init__(self, *args, render_kw=None, **kwargs):
        super().__init__(*args, render_kw={"inputmode": "numeric", "autocomplete": "off", **(render_kw or {})},
                         **kwargs)

    def process_formdata(self, valuelist):
        """Arabic-Indic digits read as Latin ones, then IntegerField's parsing."""
        valuelist = [normalize_digits(v) for v in valuelist]
        if valuelist and isinstance(valuelist[0], str) and not valuelist[0].strip():
            self.data = None
            return
        super().process_formdata(valuelist)


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


class LocalDecimalField(AmountField):
    """An amount or quantity as typed in the user's language (see AmountField)."""
