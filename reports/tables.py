"""Each report as tables of columns and rows: the page, the CSV and the chart read the same
table, so a figure is named and rounded the same way everywhere.

A table is {"title", "columns": [(key, header, kind)], "rows": [{key: value}], "total": {...}}
with raw values (Decimal, int, text); formatting happens where the table is shown.
"""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from web.labels import CATEGORY_LABELS, MOVEMENT_LABELS, UOM_LABELS
from web.locale import language as locale_name

DIMENSION_LABELS = {
    "family": _l("Product family"), "product": _l("Product"), "cooperative": _l("Cooperative"),
    "province": _l("Province or prefecture"), "outlet": _l("Outlet"), "month": _l("Month"),
}
OUTLET_TYPE_LABELS = {"airport": _l("Airport shop"), "stand": _l("Solidarity stands")}
LOSS_CAUSE_LABELS = {
    "waste": _l("Packaging waste"), "loss": _l("Shortfall in transit or damaged"),
    "count_adjustment": _l("Count shortfall"),
}
AGE_LABELS = (_l("0–30 days"), _l("31–90 days"), _l("91–180 days"), _l("Over 180 days"))


def label(row, dimension=None):
    """A row's name in the reader's language (families and units translated)."""
    if dimension == "family":
        return str(CATEGORY_LABELS.get(row["key"], row["key"]))
    if locale_name() == "ar" and row.get("label_ar"):
        return row["label_ar"]
    return row.get("label_fr") or str(row["key"])


def change(current, previous):
    """(current, previous) kept together: the table shows the change as a percent."""
    return {"current": current, "previous": previous}


def sales_table(report):
    """Sales by one dimension, with the retail value a year before and the change."""
    dim = report["dimension"]
    columns = [("name", DIMENSION_LABELS[dim], "text"), ("quantity", _l("Quantity sold"), "qty"),
               ("gross", _l("Sales (MAD)"), "money"),
               ("previous", _l("Same period a year before (MAD)"), "money"),
               ("change", _l("Change"), "change"), ("commission", _l("Platform commission (MAD)"), "money"),
               ("owed", _l("Owed to cooperatives (MAD)"), "money")]
    rows = [{"name": label(r, dim), "quantity": r["quantity"], "gross": r["gross"],
             "previous": r["previous"]["gross"], "change": change(r["gross"], r["previous"]["gross"]),
             "commission": r["commission"], "owed": r["owed"]} for r in report["rows"]]
    t, p = report["totals"], report["previous_totals"]
    total = {"name": _("Total"), "quantity": t["quantity"], "gross": t["gross"], "previous": p["gross"],
             "change": change(t["gross"], p["gross"]), "commission": t["commission"], "owed": t["owed"]}
    return [{"title": _("Sales by %(dimension)s", dimension=str(DIMENSION_LABELS[dim]).lower()),
             "columns": columns, "rows": rows, "total": total}]


def volumes_tables(report):
    """Volumes by family and unit, and losses by cause."""
    unit = lambda u: str(UOM_LABELS.get(u, u))  # noqa: E731
    columns = [("family", _l("Product family"), "text"), ("unit", _l("Unit"), "text"),
               ("delivered", _l("Delivered"), "qty"), ("accepted", _l("Accepted"), "qty"),
               ("rejected", _l("Rejected"), "qty"), ("consumed", _l("Bulk packaged"), "qty"),
               ("waste", _l("Packaging waste"), "qty"), ("packed", _l("Packed content"), "qty"),
               ("yield", _l("Yield (packed ÷ bulk)"), "rate"), ("sold", _l("Sold"), "qty")]
    rows = [{**r, "family": str(CATEGORY_LABELS.get(r["family"], r["family"])), "unit": unit(r["unit"])}
            for r in report["rows"]]
    loss_columns = [("cause", _l("Cause"), "text"), ("family", _l("Product family"), "text"),
                    ("unit", _l("Unit"), "text"), ("volume", _l("Volume"), "qty"),
                    ("value", _l("Retail value (MAD)"), "money")]
    loss_rows = [{"cause": str(LOSS_CAUSE_LABELS.get(r["cause"], MOVEMENT_LABELS.get(r["cause"], r["cause"]))),
                  "family": str(CATEGORY_LABELS.get(r["family"], r["family"])), "unit": unit(r["unit"]),
                  "volume": r["volume"], "value": r["value"]} for r in report["losses"]]
    total_value = sum((r["value"] for r in report["losses"]), 0)
    return [{"title": _("Volumes received, packaged and sold"), "columns": columns, "rows": rows, "total": None},
            {"title": _("Losses by cause"), "columns": loss_columns, "rows": loss_rows,
             "total": {"cause": _("Total"), "value": total_value}}]


def stock_tables(report):
    """Stock value by age and value at risk of expiry."""
    dim = "outlet" if report["by"] == "outlet" else "cooperative"
    columns = [("name", DIMENSION_LABELS[dim], "text"), ("value", _l("Stock value (MAD)"), "money")]
    columns += [(f"age{i}", AGE_LABELS[i], "money") for i in range(len(AGE_LABELS))]
    columns += [("expired", _l("Expired (MAD)"), "money"), ("expiring", _l("Expiring soon (MAD)"), "money"),
                ("at_risk", _l("Value at risk (MAD)"), "money")]
    rows = []
    for r in report["rows"]:
        row = {"name": label(r, dim), "value": r["value"], "expired": r["expired"],
               "expiring": r["expiring"], "at_risk": r["at_risk"]}
        row.update({f"age{i}": v for i, v in enumerate(r["ages"])})
        rows.append(row)
    t = report["totals"]
    total = {"name": _("Total"), "value": t["value"], "expired": t["expired"], "expiring": t["expiring"],
             "at_risk": t["at_risk"], **{f"age{i}": v for i, v in enumerate(t["ages"])}}
    return [{"title": _("Stock ageing and value at risk of expiry"), "columns": columns, "rows": rows,
             "total": total}]


def revenue_tables(report):
    """The cooperatives' revenue, per member, with women's and youth shares."""
    by = report["by"]
    columns = [("name", DIMENSION_LABELS[by], "text")]
    if by == "cooperative":
        columns.append(("province", _l("Province or prefecture"), "text"))
    columns += [("gross", _l("Sales (MAD)"), "money"), ("owed", _l("Owed for the period (MAD)"), "money"),
                ("previous", _l("Same period a year before (MAD)"), "money"), ("change", _l("Change"), "change"),
                ("fees", _l("Fees (MAD)"), "money"), ("paid", _l("Paid in the period (MAD)"), "money"),
                ("pending", _l("Pending at the end (MAD)"), "money"), ("members", _l("Members"), "int"),
                ("per_member", _l("Owed per member (MAD)"), "money"),
                ("women", _l("Women"), "rate"), ("youth", _l("Young people"), "rate")]
    rows = [{"name": label(r), "province": r.get("province"), "gross": r["gross"], "owed": r["owed"],
             "previous": r["previous"]["owed"], "change": change(r["owed"], r["previous"]["owed"]),
             "fees": r["fees"], "paid": r["paid"], "pending": r["pending"], "members": r["members"] or None,
             "per_member": r["owed_per_member"], "women": r["women_share"], "youth": r["youth_share"]}
            for r in report["rows"]]
    t, p = report["totals"], report["previous_totals"]
    total = {"name": _("Total"), "gross": t["gross"], "owed": t["owed"], "previous": p["owed"],
             "change": change(t["owed"], p["owed"]), "fees": t["fees"], "paid": t["paid"],
             "pending": t["pending"]}
    return [{"title": _("Cooperatives' revenue"), "columns": columns, "rows": rows, "total": total}]


def value_chain_tables(report):
    """Where each dirham of retail goes, per family, and days from reception to sale."""
    columns = [("family", _l("Product family"), "text"), ("gross", _l("Sales (MAD)"), "money"),
               ("cooperative", _l("To the cooperatives (MAD)"), "money"),
               ("cooperative_share", _l("Cooperatives' share"), "rate"),
               ("commission", _l("Platform commission (MAD)"), "money"),
               ("commission_share", _l("Commission share"), "rate"),
               ("fees", _l("Packaging fees (MAD)"), "money"), ("fee_share", _l("Fees share"), "rate"),
               ("days", _l("Days from reception to sale"), "days"),
               ("previous_share", _l("Cooperatives' share a year before"), "rate")]

    def row(name, r):
        return {"family": name, "gross": r["gross"], "cooperative": r["cooperative"],
                "cooperative_share": r["cooperative_share"], "commission": r["commission"],
                "commission_share": r["commission_share"], "fees": r["fees"], "fee_share": r["fee_share"],
                "days": r["days_to_sale"], "previous_share": r["previous"]["cooperative_share"]}

    rows = [row(str(CATEGORY_LABELS.get(r["key"], r["key"])), r) for r in report["rows"]]
    total = row(_("Total"), {**report["totals"], "previous": report["previous_totals"]})
    return [{"title": _("Value chain by product family"), "columns": columns, "rows": rows, "total": total}]


def sell_through_tables(report):
    """Sold ÷ received per outlet, and the airport shop against the stands."""
    columns = [("name", _l("Outlet"), "text"), ("type", _l("Type"), "text"),
               ("received", _l("Received"), "qty"), ("sold", _l("Sold"), "qty"),
               ("ratio", _l("Sell-through"), "rate"), ("previous", _l("Sell-through a year before"), "rate")]

    def row(name, kind, r):
        return {"name": name, "type": kind, "received": r["received"], "sold": r["sold"],
                "ratio": r["sell_through"], "previous": r["previous"]["sell_through"]}

    rows = [row(label(r), str(OUTLET_TYPE_LABELS[r["outlet_type"]]), r) for r in report["rows"]]
    groups = [row(str(OUTLET_TYPE_LABELS[t]), "", g) for t, g in report["groups"].items()]
    total = row(_("Total"), "", {**report["totals"], "previous": report["previous_totals"]})
    return [{"title": _("Sell-through per outlet"), "columns": columns, "rows": rows, "total": total},
            {"title": _("The airport shop against the stands"), "columns": columns, "rows": groups,
             "total": None}]


def province_table(figures, names_ar):
    """The map's figures as a table (the map's text alternative)."""
    columns = [("name", _l("Province or prefecture"), "text"), ("cooperatives", _l("Cooperatives"), "int"),
               ("members", _l("Members"), "int"), ("received", _l("Volume received (kg or l)"), "qty"),
               ("revenue", _l("Cooperatives' revenue (MAD)"), "money"),
               ("population", _l("Inhabitants (2024 census)"), "int"),
               ("per_inhabitant", _l("Revenue per inhabitant (MAD)"), "per")]
    ar = locale_name() == "ar"
    rows = [{"name": names_ar.get(f["province"], f["province"]) if ar else f["province"],
             "cooperatives": f["cooperatives"], "members": f["members"], "received": f["received"],
             "revenue": f["revenue"], "population": f["population"],
             "per_inhabitant": f["revenue_per_inhabitant"]} for f in figures]
    return [{"title": _("Figures by province"), "columns": columns, "rows": rows, "total": None}]
