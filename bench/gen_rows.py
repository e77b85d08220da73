"""Rows of a year of a region's activity, month by month, as plain tuples ready to bulk-load.

Money is kept in integer centimes and quantities in integer thousandths while generating
(exact, and much faster than Decimal), then written as decimal text. Every stock change is
a movement whose sum per (lot, location) is accumulated into `balances`, so the balances
loaded at the end equal the ledger by construction; a shop only sells what it holds.
"""
import calendar
import math
import random
from datetime import date, datetime, timedelta

COLUMNS = {
    "lots": "id code product_id cooperative_id harvest_date production_date best_before origin_type "
            "origin_id created_at",
    "receptions": "id cooperative_id location_id received_on note user_id created_at",
    "reception_lines": "id reception_id product_id quantity_delivered quantity_accepted "
                       "quantity_rejected rejection_reason harvest_date best_before lot_id",
    "packaging_runs": "id location_id cooperative_id output_product_id output_lot_id output_units "
                      "consumed_quantity waste_quantity best_before note user_id created_at",
    "packaging_inputs": "id run_id lot_id quantity waste_quantity",
    "lot_parents": "child_lot_id parent_lot_id quantity",
    "transfers": "id number kind state from_location_id to_location_id note created_at created_by_id "
                 "dispatched_at dispatched_by_id received_at received_by_id cancelled_at",
    "transfer_lines": "id transfer_id lot_id quantity quantity_received loss_reason",
    "cash_sessions": "id location_id cashier_id opened_at opening_float closed_at expected_cash "
                     "counted_cash difference note",
    "sales": "id location_id cashier_id cash_session_id client_ref seq number created_at subtotal "
             "discount_total total paid change print_count",
    "sale_lines": "id sale_id lot_id product_id cooperative_id quantity unit_price discount total "
                  "commission_rate refunded_quantity refunded_amount",
    "sale_payments": "id sale_id method amount",
    "payouts": "id cooperative_id amount paid_on method reference override_reason balance_before "
               "created_at user_id",
    "stock_movements": "id created_at lot_id quantity from_location_id to_location_id kind "
                       "document_type document_id user_id note",
    "consignment_entries": "id cooperative_id created_at kind amount gross commission_rate commission "
                           "lot_id quantity location_id document_type document_id reference note user_id",
}
# Parents before children (foreign keys).
ORDER = list(COLUMNS)
START = date(2025, 12, 1)
MONTHS = 12
SHOPS_PER_LOT = 4


def cents(c):
    """Integer centimes as decimal text ("-12.05")."""
    sign = "-" if c < 0 else ""
    c = abs(c)
    return f"{sign}{c // 100}.{c % 100:02d}"


def milli(q):
    """Integer thousandths as decimal text ("2.500", "-0.250")."""
    sign = "-" if q < 0 else ""
    q = abs(q)
    return f"{sign}{q // 1000}.{q % 1000:03d}"


def rate_text(r):
    """A rate in ten-thousandths as decimal text ("0.1500")."""
    return f"0.{r:04d}"


def ts(dt):
    """A datetime as SQLAlchemy stores it in SQLite (and PostgreSQL reads)."""
    return dt.isoformat(" ", "microseconds")


def commission_of(total_cents, rate_e4):
    """Commission to the centime, half up (as models.types.money does for positive amounts)."""
    return (total_cents * rate_e4 + 5000) // 10000


class Ids:
    """Next id per table, starting after what the database already holds."""

    def __init__(self, start):
        self.next = dict(start)

    def __call__(self, table):
        value = self.next.get(table, 1)
        self.next[table] = value + 1
        return value


def month_start(m):
    """First day of the m-th month of the year generated."""
    y, mo = divmod(START.month - 1 + m, 12)
    return date(START.year + y, mo + 1, 1)


class Generator:
    """Builds the year month by month; `month(m)` returns {table: [rows]}."""

    def __init__(self, region, *, scale, seed, rates, fee_cents, id_start):
        self.r = region
        self.rng = random.Random(seed)
        self.ids = Ids(id_start)
        self.rates = rates              # (coop, category) -> rate in ten-thousandths
        self.fee_cents = fee_cents      # packaging fee per unit
        self.balances = {}              # (lot, location) -> thousandths
        self.owed = {c: 0 for c in region.coops}  # running consignment balance, centimes
        self.shop_stock = {shop: {} for shop, _code in region.shops}  # shop -> {lot: units}
        self.receipt_seq = {shop: 0 for shop, _code in region.shops}
        self.transfer_seq = {}
        self.counts = {}
        self.lot_info = {}
        total_lines = round(2_000_000 * scale)
        n_units = max(12, min(len(region.units), round(len(region.units) * min(1.0, scale * 20))))
        self.units = region.units[:n_units]
        self.bulk_used = sorted({u[2] for u in self.units})
        n_shops = len(region.shops)
        self.k = min(SHOPS_PER_LOT, n_shops)
        self.lines_shop_month = total_lines / (MONTHS * n_shops)
        lots_per_shop = n_units * self.k / n_shops
        # Units each shop gets of each lot: what its sales draw (1.25 a line) and a margin.
        self.per_shop = max(2, math.ceil(self.lines_shop_month * 1.25 * 1.15 / lots_per_shop))
        self.v = region.virtual

    # -- helpers ---------------------------------------------------------------------------
    def _move(self, out, at, lot, qty, src, dst, kind, doc_type, doc_id, user, note=None):
        """One movement row, and its effect on both balances."""
        out["stock_movements"].append((self.ids("stock_movements"), at, lot, milli(qty), src, dst, kind,
                                       doc_type, doc_id, user, note))
        b = self.balances
        b[(lot, src)] = b.get((lot, src), 0) - qty
        b[(lot, dst)] = b.get((lot, dst), 0) + qty

    def _rate(self, coop, category, m):
        """The rate frozen on a sale: some cooperatives' rate was 2 points higher until June."""
        rate = self.rates[(coop, category)]
        return rate + 200 if coop % 7 == 0 and m < 6 else rate

    # -- one month -------------------------------------------------------------------------
    def month(self, m):
        """Receptions, packaging, transfers, then sales day by day, then payouts."""
        out = {t: [] for t in ORDER}
        d0 = month_start(m)
        unit_lots = self._receive_and_package(out, m, d0)
        self.remember_lots(out["lots"])
        self._transfer(out, m, d0, unit_lots)
        self._sell(out, m, d0)
        if m < MONTHS - 1:
            self._pay(out, month_start(m + 1))
        for t, rows in out.items():
            self.counts[t] = self.counts.get(t, 0) + len(rows)
        return out

    def _receive_and_package(self, out, m, d0):
        """One reception per cooperative (one bulk lot per bulk product), one packaging run per
        unit product. Returns [(unit index, lot id, zone, units)]."""
        r, rng = self.r, self.rng
        op = r.operator_id
        units_of = {}
        for ui, u in enumerate(self.units):
            units_of.setdefault(u[2], []).append(ui)
        plan = {}  # unit index -> (units, consumed, waste) in thousandths for the bulk
        for ui, u in enumerate(self.units):
            units = self.per_shop * self.k + self.per_shop // 4 + 1
            net = int(u[3] * 1000)
            consumed = math.ceil(units * net / 0.99)
            plan[ui] = (units, consumed, consumed - units * net)
        by_coop = {}
        for bi in self.bulk_used:
            by_coop.setdefault(r.bulk[bi][4], []).append(bi)
        bulk_lot, zone_of = {}, {}
        at = datetime.combine(d0, datetime.min.time()) + timedelta(hours=7)
        for ci, (coop, bulks) in enumerate(sorted(by_coop.items())):
            zone = r.zones[coop % len(r.zones)]
            rec_id = self.ids("receptions")
            at += timedelta(minutes=3)
            out["receptions"].append((rec_id, coop, zone, d0.isoformat(), None, op, ts(at)))
            for bi in bulks:
                pid, sku, _uom, _cat, _coop = r.bulk[bi]
                accepted = sum(plan[ui][1] for ui in units_of[bi])
                accepted += accepted // 50 + 1000
                rejected = 1000 if rng.random() < 0.1 else 0
                lot = self.ids("lots")
                harvest, bb = d0 - timedelta(days=20), d0 + timedelta(days=540)
                out["lots"].append((lot, f"{sku.split('-')[0][:4]}-{d0:%y%m}-{lot:04d}", pid, coop,
                                    harvest.isoformat(), None, bb.isoformat(), "reception", rec_id, ts(at)))
                out["reception_lines"].append((self.ids("reception_lines"), rec_id, pid,
                                               milli(accepted + rejected), milli(accepted), milli(rejected),
                                               "Humidité" if rejected else None, harvest.isoformat(),
                                               bb.isoformat(), lot))
                self._move(out, ts(at), lot, accepted, self.v["SUPPLIERS"], zone, "reception",
                           "reception", rec_id, op)
                bulk_lot[bi] = (lot, harvest, bb)
                zone_of[bi] = zone
        made = []
        at = datetime.combine(d0, datetime.min.time()) + timedelta(hours=10)
        prod, loss = self.v["PRODUCTION"], self.v["LOSS"]
        for ui, u in enumerate(self.units):
            pid, sku, bi, _net, _price, _cat, shelf = u
            units, consumed, waste = plan[ui]
            parent, harvest, parent_bb = bulk_lot[bi]
            zone, coop = zone_of[bi], r.bulk[bi][4]
            at += timedelta(seconds=20)
            bb = min(parent_bb, d0 + timedelta(days=shelf or 365))
            lot, run = self.ids("lots"), self.ids("packaging_runs")
            t = ts(at)
            out["lots"].append((lot, f"{sku.split('-')[0][:4]}-{d0:%y%m}-{lot:04d}", pid, coop,
                                harvest.isoformat(), d0.isoformat(), bb.isoformat(), "packaging_run", run, t))
            out["packaging_runs"].append((run, zone, coop, pid, lot, units, milli(consumed), milli(waste),
                                          bb.isoformat(), None, op, t))
            out["packaging_inputs"].append((self.ids("packaging_inputs"), run, parent, milli(consumed),
                                            milli(waste)))
            out["lot_parents"].append((lot, parent, milli(consumed)))
            self._move(out, t, parent, consumed, zone, prod, "packaging_input", "packaging_run", run, op)
            if waste > 0:
                self._move(out, t, parent, waste, prod, loss, "waste", "packaging_run", run, op)
            self._move(out, t, lot, units * 1000, prod, zone, "packaging_output", "packaging_run", run, op)
            if self.fee_cents:
                fee = self.fee_cents * units
                out["consignment_entries"].append((
                    self.ids("consignment_entries"), coop, t, "fee", cents(-fee), None, None, None,
                    None, milli(units * 1000), None, "packaging_run", run, None, "packaging fee", op))
                self.owed[coop] -= fee
            made.append((ui, lot, zone, units))
        return made

    def _transfer(self, out, m, d0, unit_lots):
        """Each new unit lot goes to SHOPS_PER_LOT shops (rotating), one transfer per
        (zone, shop), dispatched and received the same afternoon."""
        r, op = self.r, self.r.operator_id
        n_shops = len(r.shops)
        groups = {}
        for ui, lot, zone, _units in unit_lots:
            for j in range(self.k):
                shop = r.shops[(ui * self.k + j + m) % n_shops][0]
                groups.setdefault((zone, shop), []).append(lot)
        base = datetime.combine(d0, datetime.min.time()) + timedelta(hours=13)
        transit = self.v["TRANSIT"]
        for n, ((zone, shop), lots) in enumerate(sorted(groups.items())):
            year = d0.year
            self.transfer_seq[year] = self.transfer_seq.get(year, 0) + 1
            number = f"TR-{year}-{self.transfer_seq[year]:05d}"
            tid = self.ids("transfers")
            created, sent, got = (ts(base + timedelta(seconds=n * 10 + s)) for s in (0, 3600, 4 * 3600))
            out["transfers"].append((tid, number, "transfer", "received", zone, shop, None, created, op,
                                     sent, op, got, op, None))
            stock = self.shop_stock[shop]
            for lot in lots:
                q = self.per_shop
                out["transfer_lines"].append((self.ids("transfer_lines"), tid, lot, milli(q * 1000),
                                              milli(q * 1000), None))
                self._move(out, sent, lot, q * 1000, zone, transit, "dispatch", "transfer", tid, op, number)
                self._move(out, got, lot, q * 1000, transit, shop, "receipt", "transfer", tid, op, number)
                stock[lot] = stock.get(lot, 0) + q

    def _sell(self, out, m, d0):
        """Sales from day 2 to the month's end at every shop, one till session a day."""
        r, rng = self.r, self.rng
        days = calendar.monthrange(d0.year, d0.month)[1]
        lot_info = self.lot_info
        customers = self.v["CUSTOMERS"]
        for shop, code in r.shops:
            stock = self.shop_stock[shop]
            avail = [lot for lot, q in stock.items() if q > 0]
            cashier = r.cashier_of[shop]
            prefix = "".join(ch for ch in code.split("-")[-1].upper() if ch.isalnum())[:3] or "SHP"
            budget = self.lines_shop_month
            per_day = budget / (days - 1)
            carry = 0.0
            for day in range(2, days + 1):
                d = datetime(d0.year, d0.month, day)
                carry += per_day
                lines_today = int(carry)
                carry -= lines_today
                if lines_today <= 0 or not avail:
                    continue
                session = self.ids("cash_sessions")
                n_sales = max(1, lines_today // 3)
                step = 11 * 3600 / n_sales
                cash_in = 0
                made = 0
                k = 0
                while made < lines_today and avail:
                    at = d + timedelta(hours=9, seconds=int(k * step) + rng.randrange(0, max(1, int(step))))
                    k += 1
                    n = min(rng.choice((1, 2, 2, 3, 3, 3, 4, 4, 5)), lines_today - made, len(avail))
                    picked = {}
                    tries = 0
                    while len(picked) < n and avail and tries < 4 * n:
                        tries += 1
                        i = rng.randrange(len(avail))
                        lot = avail[i]
                        if lot in picked:
                            continue
                        qty = rng.choice((1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 3))
                        if stock[lot] < qty:
                            qty = stock[lot]
                        picked[lot] = qty
                        stock[lot] -= qty
                        if stock[lot] == 0:
                            avail[i] = avail[-1]
                            avail.pop()
                    if not picked:
                        break
                    made += len(picked)
                    cash_in += self._sale(out, m, shop, cashier, session, prefix, ts(at), picked,
                                          lot_info, customers)
                self.counts["sale_days"] = self.counts.get("sale_days", 0) + 1
                expected = 20000 + cash_in
                out["cash_sessions"].append((session, shop, cashier, ts(d + timedelta(hours=8, minutes=30)),
                                             "200.00", ts(d + timedelta(hours=20, minutes=30)),
                                             cents(expected), cents(expected), "0.00", None))

    def _sale(self, out, m, shop, cashier, session, prefix, at, picked, lot_info, customers):
        """One sale: header, lines, payment, movements and consignment entries. Returns the
        cash it leaves in the till (tendered less change), in centimes."""
        rng = self.rng
        sale = self.ids("sales")
        self.receipt_seq[shop] += 1
        seq = self.receipt_seq[shop]
        total = 0
        lines = out["sale_lines"]
        entries = out["consignment_entries"]
        ids = self.ids
        for lot, qty in picked.items():
            product, coop, price, category = lot_info[lot]
            line_total = price * qty
            total += line_total
            rate = self._rate(coop, category, m)
            commission = commission_of(line_total, rate)
            q = milli(qty * 1000)
            lines.append((ids("sale_lines"), sale, lot, product, coop, q, cents(price), "0.00",
                          cents(line_total), rate_text(rate), "0.000", "0.00"))
            self._move(out, at, lot, qty * 1000, shop, customers, "sale", "sale", sale, cashier)
            entries.append((ids("consignment_entries"), coop, at, "sale", cents(line_total - commission),
                            cents(line_total), rate_text(rate), cents(commission), lot, q, shop, "sale",
                            sale, None, None, cashier))
            self.owed[coop] += line_total - commission
        roll = rng.random()
        if roll < 0.65:
            method = "cash"
            note = rng.choice((1000, 1000, 5000, 10000, 20000))
            tendered = -(-total // note) * note
        else:
            method, tendered = ("card" if roll < 0.9 else "mobile"), total
        change = tendered - total
        out["sales"].append((sale, shop, cashier, session, f"gen-{sale}", seq, f"{prefix}-{seq:06d}", at,
                             cents(total), "0.00", cents(total), cents(tendered), cents(change), 1))
        out["sale_payments"].append((ids("sale_payments"), sale, method, cents(tendered)))
        return total if method == "cash" else 0

    def _pay(self, out, d):
        """First day of the next month: each cooperative is paid its balance in whole dirhams."""
        at = ts(datetime.combine(d, datetime.min.time()) + timedelta(hours=7, minutes=30))
        for coop in self.r.coops:
            bal = self.owed[coop]
            amount = bal - bal % 100
            if amount <= 0:
                continue
            pid = self.ids("payouts")
            ref = f"VIR-{d:%Y%m}-{coop:03d}"
            out["payouts"].append((pid, coop, cents(amount), d.isoformat(), "bank_transfer", ref, None,
                                   cents(bal), at, self.r.admin_id))
            out["consignment_entries"].append((self.ids("consignment_entries"), coop, at, "payout",
                                               cents(-amount), None, None, None, None, None, None, "payout",
                                               pid, ref, None, self.r.admin_id))
            self.owed[coop] -= amount

    def remember_lots(self, rows):
        """Record the unit lots of a month's `lots` rows for the sales to price them:
        lot -> (product, cooperative, price in centimes, category)."""
        prices = {u[0]: (int(u[4] * 100), u[5]) for u in self.units}
        for row in rows:
            lot, _code, product, coop = row[:4]
            if product in prices:
                price, category = prices[product]
                self.lot_info[lot] = (product, coop, price, category)

    def balance_rows(self, updated_at):
        """stock_balances rows equal to the sums of every movement generated."""
        return [(self.ids("stock_balances"), lot, loc, milli(q), updated_at)
                for (lot, loc), q in sorted(self.balances.items())]
