"""Column types for money, quantities and rates: always Decimal, never float."""
from decimal import Decimal, ROUND_HALF_UP

from sqlalchemy import Numeric

Money = Numeric(14, 2)
Quantity = Numeric(14, 3)
Rate = Numeric(6, 4)

CENT = Decimal("0.01")
MILLI = Decimal("0.001")


def money(value) -> Decimal:
    """Round a Decimal to the centime, half up as a cashier would."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def quantity(value) -> Decimal:
    """Round a Decimal to the gram / millilitre / thousandth of a piece."""
    return Decimal(value).quantize(MILLI, rounding=ROUND_HALF_UP)
