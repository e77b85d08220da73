"""Issue 18: the statement CSV writes its entries from one `%` template per line
(portal.statement_csv.entry_lines, web.csvfile.Writer.text / .number, models.clock.LocalIso)
instead of each cell through the csv writer. The text must be the one the csv writer wrote:
same cells, quoting, formula guard, decimal signs and local times, in the data dialect and in
French, Arabic and English sheets; times around Morocco's Ramadan clock changes and midnight."""
import csv
import io
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from flask_babel import force_locale

from models.clock import LocalIso
from models.consignment_statements import cents_text, scaled_text, stored_cents
from portal.statement_csv import entry_lines
from tests.portal.conftest import story  # noqa: F401 - the portal's consignment story
from web.csvfile import Writer

ZONE = ZoneInfo("Africa/Casablanca")

TRICKY = ["", "Plain text", "=HYPERLINK(\"http://x\")", "+212 600", "-12.50", "-minus", "@home", "\tTab",
          "12.5", "1234", "١٢٣", "a;b", "a,b", 'say "hi"', "two\nlines", "cr\rreturn", " leading space",
          "عسل الزعتر · متجر المطار", "Dattes « Aziza », 500 g", "VEN-0001-000123", "Reçu 12", None]


def _times():
    """Stored UTC times (text as SQLite keeps them, and datetimes as PostgreSQL gives them)
    around midnight and around every clock change of 2025-2027 in Morocco."""
    moments = []
    start = datetime(2025, 1, 1)
    previous = start.replace(tzinfo=timezone.utc).astimezone(ZONE).utcoffset()
    t = start
    while t < datetime(2027, 12, 31):  # hour by hour: find the changes
        offset = t.replace(tzinfo=timezone.utc).astimezone(ZONE).utcoffset()
        if offset != previous:
            for d in (-3601, -61, -1, 0, 1, 59, 3599, 3600):
                moments.append(t + timedelta(seconds=d))
            previous = offset
        t += timedelta(hours=1)
    assert len(moments) >= 8 * 4  # Ramadan: two changes a year
    for day in (datetime(2026, 2, 17), datetime(2026, 3, 20), datetime(2026, 11, 30)):
        for d in (-3600, -1, 0, 1, 82800, 86399):
            moments.append(day + timedelta(seconds=d, microseconds=123456 if d % 2 else 0))
    return moments


def test_local_iso_is_to_local_isoformat():
    iso = LocalIso(ZONE)
    for moment in _times():
        expected = moment.replace(tzinfo=timezone.utc).astimezone(ZONE).isoformat(timespec="seconds")
        text = moment.isoformat(sep=" ", timespec="microseconds")
        assert iso(text) == expected, text
        assert iso(moment) == expected, moment
        assert iso(text[:19]) == expected  # without microseconds
    assert iso(None) == ""
    half = LocalIso(ZoneInfo("Asia/Kolkata"))  # a zone off by half an hour: row by row
    moment = datetime(2026, 3, 2, 9, 45, 27)
    assert half(moment) == "2026-03-02T15:15:27+05:30"


def _rows(values, times):
    """(driver rows of statement_query(plain=dialect), the same as Decimals and datetimes)
    with tricky values, one per time: the amount as integer centimes on both; SQLite: floats
    and its text times; PostgreSQL: the numerics' texts and to_char's times."""
    rows, truth = [], []
    for n, moment in enumerate(times):
        pg = n % 2
        amount = [Decimal("-12.50"), Decimal("1234.56"), Decimal("0.00"), Decimal("-0.01"),
                  Decimal("-123456789.99"), Decimal("0.05")][n % 6]
        gross = None if n % 5 == 0 else amount * 2
        rate = None if n % 5 == 0 else Decimal("0.1500")
        qty = None if n % 5 == 0 else [Decimal("2.500"), Decimal("0.000"), Decimal("-1.125")][n % 3]
        commission = None if n % 5 == 0 else Decimal("-1.25")
        conv = (lambda v: None if v is None else str(v)) if pg else (lambda v: None if v is None else float(v))
        created = moment.isoformat(sep=" ", timespec="microseconds")  # both: to_char / SQLite's text
        kind = ["sale", "refund", "payout", "fee", "adjustment", "odd"][n % 6]
        rest = (None if n % 7 == 0 else n % 3, None if n % 4 == 0 else n % 4, "sale", n, None, None, None)
        rows.append((1000 + n, created, kind, int(amount.scaleb(2)), conv(gross), conv(rate), conv(commission),
                     conv(qty), *rest))
        truth.append((1000 + n, moment, kind, amount, gross, rate, commission, qty, *rest))
    return rows, truth


def _old_lines(out, rows, running, kinds, labels, lots, places, tz):
    """The writer entry_lines replaced: every cell through Writer.row."""
    for (eid, created, kind, amount, gross, rate, commission, qty, lot_id, location_id,
         doc_type, doc_id, _ref, _note, _number) in rows:
        cents = stored_cents(amount)
        running += cents
        lot_code, product = lots.get(lot_id, ("", ""))
        moment = created
        out.row([eid, kinds.get(kind, kind),
                 moment.replace(tzinfo=timezone.utc).astimezone(tz).isoformat(timespec="seconds"),
                 labels.get((doc_type, doc_id), ""), lot_code or "", product or "",
                 places.get(location_id, "") if location_id is not None else "",
                 scaled_text(qty, 3) or "", scaled_text(gross, 2) or "", scaled_text(rate, 4) or "",
                 scaled_text(commission, 2) or "", cents_text(cents), cents_text(running)])
    return out.drain(), running


@pytest.mark.parametrize("lang, dialect", [("fr", "sheet"), ("ar", "sheet"), ("en", "sheet"), ("fr", "data")])
def test_entry_lines_write_what_the_csv_writer_wrote(app, lang, dialect):
    times = _times()
    rows, truth = _rows(TRICKY, times)
    kinds = {"sale": "Vente", "refund": "=Remboursement", "payout": "Paiement; versé", "fee": 'Frais "x"',
             "adjustment": "تسوية"}
    labels = {("sale", n): TRICKY[n % len(TRICKY)] for n in range(len(rows))}
    lots = {0: ("LOT-1", "=cmd"), 1: ("", None), 2: ("-12.5", "تمر مجهول, 1 kg")}
    places = {1: "Boutique; aéroport", 2: "متجر المطار", 3: None}
    with app.test_request_context("/portal/x"), force_locale(lang):
        old, new = Writer(dialect), Writer(dialect)
        expected, closing = _old_lines(old, truth, 12345, kinds, labels, lots, places, ZONE)
        text, running = entry_lines(new, rows, 12345, kinds, labels, lots, places, LocalIso(ZONE))
        new.lines(text)
        got = new.drain()
    assert running == closing
    assert got == expected
    assert len(list(csv.reader(io.StringIO(got.lstrip("\ufeff")), delimiter=new.delimiter))) == len(rows)
    if dialect == "sheet" and lang in ("fr", "ar"):
        assert new.delimiter == ";" and "-12,50" in got


def test_plain_columns_are_the_driver_values_converted(app, story):  # noqa: F811
    """statement_query(plain=dialect) reads what the exports made of the driver's values:
    the amount's centimes (stored_cents), the time as SQLite's text of the naive UTC time
    (to_char on PostgreSQL, microseconds always written), the figures as scaled_text writes
    them (PostgreSQL's numeric texts; SQLite's REALs unchanged). Also microseconds and
    sub-centime-looking amounts written here through the ORM."""
    from models.consignment import ConsignmentEntry
    from models.consignment_statements import period_bounds, statement_query
    from extensions import db
    from datetime import date

    db.session.add_all([
        ConsignmentEntry(cooperative_id=story["figuig"], created_at=datetime(2026, 3, 7, 23, 59, 59, 999999),
                         kind="adjustment", amount=Decimal("-123456789.99"), note="x"),
        ConsignmentEntry(cooperative_id=story["figuig"], created_at=datetime(2026, 3, 8, 0, 0, 0, 1),
                         kind="sale", amount=Decimal("0.01"), gross=Decimal("0.01"),
                         commission_rate=Decimal("0.0001"), commission=Decimal("0.00"),
                         quantity=Decimal("0.001"), lot_id=story["dates_lot"])])
    db.session.commit()
    start, end = period_bounds(date(2026, 3, 1), date(2026, 3, 31))
    conn = db.session.connection()

    def rows(plain):
        sql = str(statement_query(story["figuig"], start, end, plain).compile(
            dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
        cursor = conn.connection.cursor()
        cursor.execute(sql)
        return cursor.fetchall()

    old, new = rows(None), rows(conn.dialect.name)
    assert len(old) == len(new) == 7
    for o, n in zip(old, new):
        created = o[1] if isinstance(o[1], str) else o[1].isoformat(sep=" ", timespec="microseconds")
        assert n[1] == created
        assert n[3] == stored_cents(o[3]) and isinstance(n[3], int)
        for i, places in ((4, 2), (5, 4), (6, 2), (7, 3)):
            assert (n[i] if isinstance(n[i], str) or n[i] is None else scaled_text(n[i], places)) \
                == scaled_text(o[i], places)
        assert n[:1] + n[2:3] + n[8:] == o[:1] + o[2:3] + o[8:]
