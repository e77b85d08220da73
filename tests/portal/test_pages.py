"""The portal's pages: what a cooperative and an admin see and do."""
from decimal import Decimal

import pytest
from sqlalchemy import select

from extensions import db
from models.consignment import CommissionRule, packaging_fee_per_unit
from models.cooperatives import Cooperative
from models.consignment_payouts import Payout


def test_cooperative_home_shows_balance_and_chart(auth, story):
    client = auth.client_for("coop.figuig")
    r = client.get("/portal/")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "<svg" in html and "Boutique aéroport Oujda-Angad" in html and "Stand solidaire" in html
    assert "276,64" in html.replace("\u202f", " ")
    assert "kozea.github.io" not in html and "<script" not in html.split("<svg", 1)[1].split("</svg>")[0]


def test_menu_and_home_for_admin(auth, story):
    client = auth.client_for("admin")
    assert client.get("/portal/").status_code == 302
    html = client.get("/portal/admin/overview").get_data(as_text=True)
    assert "/portal/admin/payouts" in html and "Zit Al Khayr" in html


def test_stock_by_outlet(auth, story):
    html = auth.client_for("coop.figuig").get(f"/portal/cooperatives/{story['figuig']}/stock").get_data(as_text=True)
    for name in ("Entrepôt – stockage", "Boutique aéroport Oujda-Angad", "Stand solidaire – Oujda centre", "En transit"):
        assert name in html
    assert "L-FIG-1" in html


def test_stock_csv(auth, story):
    r = auth.client_for("coop.figuig").get(f"/portal/cooperatives/{story['figuig']}/stock?format=csv")
    rows = r.get_data(as_text=True).lstrip("\ufeff").strip().splitlines()
    assert rows[0].startswith("Emplacement;") and len(rows) == 1 + 4
    assert any(row.startswith("SHOP-AIRPORT") and ";8,000;" in row for row in rows)  # 10 − 3 + 1 − ... airport


def test_receptions_list_lots_with_document_labels(auth, story):
    html = auth.client_for("coop.figuig").get(f"/portal/cooperatives/{story['figuig']}/receptions").get_data(as_text=True)
    assert "reception #101" in html and "L-FIG-1" in html and "40" in html


def test_sales_page_filters_and_csv(auth, story):
    client = auth.client_for("coop.figuig")
    base = f"/portal/cooperatives/{story['figuig']}/sales"
    html = client.get(f"{base}?from=2026-03-01&to=2026-03-31&location_id={story['stand']}").get_data(as_text=True)
    assert "33,35" in html and "Boutique aéroport" not in html.split("<tbody>")[1]
    r = client.get(f"{base}?from=2026-03-01&to=2026-03-31&format=csv")
    rows = r.get_data(as_text=True).lstrip("\ufeff").strip().splitlines()
    assert len(rows) == 5 and rows[0].startswith("Écriture;Heure;Type;Point de vente")
    assert all(";sale;" not in row and ";refund;" not in row for row in rows)  # codes translated
    assert client.get(f"{base}?from=2026-03-31&to=2026-03-01").status_code == 422
    assert client.get(f"{base}?from=garbage").status_code == 422


def test_statement_page_pdf(auth, story):
    r = auth.client_for("coop.figuig").get(
        f"/portal/cooperatives/{story['figuig']}/statement?from=2026-03-01&to=2026-03-31&format=pdf")
    assert r.status_code == 200 and r.data.startswith(b"%PDF")


def test_arabic_pages_are_rtl(auth, story):
    client = auth.client_for("coop.figuig")
    client.post("/lang/ar")
    html = client.get(f"/portal/cooperatives/{story['figuig']}/sales").get_data(as_text=True)
    assert 'dir="rtl"' in html and "تمور عزيزة" in html


def test_admin_records_a_payout_through_the_form(auth, story):
    client = auth.client_for("admin")
    form = client.get(f"/portal/admin/payouts/new?cooperative_id={story['figuig']}").get_data(as_text=True)
    assert "276,64" in form.replace("\u202f", " ") and "Crédit Agricole" in form
    data = {"cooperative_id": story["figuig"], "amount": "300.00", "paid_on": "2026-04-01",
            "method": "cash", "reference": ""}
    r = client.post("/portal/admin/payouts/new", data=data)
    assert r.status_code == 409 and db.session.execute(select(Payout)).first() is None
    r = client.post("/portal/admin/payouts/new", data={**data, "override_reason": "Advance"})
    assert r.status_code == 302
    payout = db.session.execute(select(Payout)).scalar_one()
    assert payout.amount == Decimal("300.00") and payout.override_reason == "Advance"
    assert payout.number in client.get(r.headers["Location"]).get_data(as_text=True)
    slip = client.get(f"/portal/payouts/{payout.id}/slip.pdf")
    assert slip.status_code == 200 and slip.data.startswith(b"%PDF")


@pytest.mark.parametrize("data", [{"amount": "-3"}, {"amount": ""}, {"cooperative_id": "0"},
                                  {"method": "gold"}, {"paid_on": "2999-01-01"}])
def test_payout_form_refuses_bad_input(auth, story, data):
    client = auth.client_for("admin")
    payload = {"cooperative_id": story["figuig"], "amount": "10", "paid_on": "2026-04-01", "method": "cash"}
    payload.update(data)
    r = client.post("/portal/admin/payouts/new", data=payload)
    assert r.status_code in (409, 422)
    assert db.session.execute(select(Payout)).first() is None


def test_commission_page_sets_and_removes_rates(auth, story):
    client = auth.client_for("admin")
    assert client.get("/portal/admin/commission").status_code == 200
    r = client.post("/portal/admin/commission", data={"which": "rule", "cooperative_id": "0",
                                                       "category": "honey", "rate_percent": "17.5"})
    assert r.status_code == 302
    rule = db.session.execute(select(CommissionRule)).scalar_one()
    assert rule.rate == Decimal("0.1750") and rule.cooperative_id is None
    r = client.post("/portal/admin/commission", data={"which": "rule", "cooperative_id": story["taourirt"],
                                                      "category": "", "rate_percent": "9"})
    assert db.session.get(Cooperative, story["taourirt"]).commission_rate == Decimal("0.0900")
    assert client.post("/portal/admin/commission", data={"which": "rule", "cooperative_id": "0",
                                                         "category": "", "rate_percent": "120"}).status_code == 422
    client.post(f"/portal/admin/commission/rules/{rule.id}/delete")
    assert db.session.execute(select(CommissionRule)).first() is None
    client.post(f"/portal/admin/commission/cooperatives/{story['taourirt']}/clear")
    db.session.expire_all()
    assert db.session.get(Cooperative, story["taourirt"]).commission_rate is None
    r = client.post("/portal/admin/commission", data={"which": "fee", "per_unit": "0.80"})
    assert r.status_code == 302 and packaging_fee_per_unit() == Decimal("0.80")
    assert client.post("/portal/admin/commission", data={"which": "fee", "per_unit": "-1"}).status_code == 422


def test_overview_sorts_and_exports(auth, story):
    client = auth.client_for("admin")
    html = client.get("/portal/admin/overview?sort=balance&dir=desc").get_data(as_text=True)
    assert html.index("Zit Al Khayr") < html.index("Zenaga")
    assert "672,64" in html.replace("\u202f", " ")
    rows = client.get("/portal/admin/overview?format=csv&sort=balance&dir=desc").get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert rows[0].startswith("Coopérative;Nom (français)") and rows[1].endswith(";396,00")
    assert rows[-1].startswith(";TOTAL") and rows[-1].endswith(";672,64")


def test_admin_sees_any_cooperative_portal(auth, story):
    client = auth.client_for("admin")
    assert client.get(f"/portal/cooperatives/{story['taourirt']}/").status_code == 200
    assert client.get("/portal/cooperatives/999999/").status_code == 404
    assert client.get(f"/portal/cooperatives/{story['figuig']}/lots/999999").status_code == 404
    assert client.get("/portal/payouts/999999/slip.pdf").status_code == 404
