"""The reports' filter form: a period and a breakdown (GET, no CSRF: it changes nothing)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField
from wtforms.validators import Optional, ValidationError


class ReportForm(FlaskForm):
    """?from=…&to=…&by=… (and `measure` on the map)."""

    class Meta:
        csrf = False

    date_from = DateField(_l("Period start"), validators=[Optional()], name="from")
    date_to = DateField(_l("Period end"), validators=[Optional()], name="to")
    by = SelectField(_l("Break down by"), validators=[Optional()], validate_choice=True)
    measure = SelectField(_l("Measure"), validators=[Optional()], validate_choice=True)

    def validate_date_to(self, field):
        """The end of a period cannot come before its start."""
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The period ends before it starts."))
