"""Digits as Arabic keyboards type them.

An Arabic phone keyboard types Arabic-Indic digits (٠١٢٣٤٥٦٧٨٩, U+0660–U+0669) and a Persian
or Urdu one Eastern Arabic digits (۰۱۲۳۴۵۶۷۸۹, U+06F0–U+06F9); both may use the Arabic decimal
separator (٫, U+066B). Moroccan shops write Latin digits
(see FIELD-NOTES), so wherever a number is typed it is read through `normalize_digits` first:
forms (web.forms: AmountField through web.locale.parse_amount, LocalIntegerField, the refund and count rows) and the
JSON API's decimal strings (web.fields.DecimalString) follow the same rule, "١٠٠٠" is 1000.
"""

_TABLE = {**{0x0660 + d: str(d) for d in range(10)},
          **{0x06F0 + d: str(d) for d in range(10)},
          0x066B: "."}   # Arabic decimal separator


def normalize_digits(text):
    """`text` with Arabic-Indic and Eastern Arabic digits made Latin and the Arabic decimal
    separator (٫) made a dot. Anything else (the Arabic thousands separator ٬ included, which
    stays refused), and non-strings, are returned unchanged: "١٢٫٥" → "12.5",
    "۱۲,۵" → "12,5", None → None."""
    if not isinstance(text, str):
        return text
    return text.translate(_TABLE)


# The same digits in a regular expression (documented patterns: OpenAPI).
DIGIT_CLASS = "0-9\u0660-\u0669\u06f0-\u06f9"
