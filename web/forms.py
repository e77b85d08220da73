"""Form fields every area's pages share: numbers read as people type them, e-mail addresses
checked like the API checks them."""
from wtforms import DecimalField, IntegerField
from wtforms.validators import StopValidation, ValidationError


class ParsedFirst:
    """A number field that stops at "not a number": no range message about what was unreadable."""

    def pre_validate(self, form):
        """Skip the validators when the text could not be read as a number."""
        if self.process_errors:
            raise StopValidation()


class LocalIntegerField(ParsedFirst, IntegerField):
    """IntegerField with a single, clear message for text that is not a whole number."""


class LocalDecimalField(ParsedFirst, DecimalField):
    """A DecimalField reading what French and Moroccan users type: "12,5" (decimal comma) and
    "1 234,50" (spaces between thousands) are 12.5 and 1234.50. Ambiguous input ("1.234,5",
    "1,2,3") and non-numbers such as NaN or Infinity are refused with a message; the API, which
    machines call, takes only "12.5"."""

    def process_formdata(self, valuelist):
        """Normalise the typed text, then let DecimalField parse it."""
        if valuelist and isinstance(valuelist[0], str):
            raw = valuelist[0].strip()
            for space in (" ", "\u00a0", "\u202f"):  # French thousands separators
                raw = raw.replace(space, "")
            if raw.count(",") == 1 and "." not in raw:
                raw = raw.replace(",", ".")
            if not raw:  # an empty row a browser posts: no number, no error (Optional decides)
                self.data = None
                return
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
