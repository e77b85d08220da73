"""Issue 11, one clock: the same sale shows the same local time (Africa/Casablanca, zoneinfo)
on its receipt (page and 80 mm PDF), the Z report (page and PDF), the cashier's home, the lot's
history, the cooperative's portal, and its statement PDF and CSV; never the UTC time.

The till opens, sells and closes at one fixed instant (the services' clock patched), so each
document's minutes must agree to the minute."""
import subprocess
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from extensions import db
from models.sales import CashSession
from tests.shop.shop_helpers import FIGUIG, coop, sale_body

ZONE = ZoneInfo("Africa/Casablanca")


def _pdf_text(data, tmp_path, name):
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


@pytest.fixture
def moment(monkeypatch):
    """One instant, 20 minutes ago to the second, for every service that stamps a time."""
    import models.sales_cash_sessions
    import models.sales_posting

    at = (datetime.now(timezone.utc) - timedelta(minutes=20)).replace(second=30, microsecond=0, tzinfo=None)
    for module in (models.sales_posting, models.sales_cash_sessions):
        monkeypatch.setattr(module, "utcnow", lambda: at)
    return at


def test_one_sale_one_local_time_everywhere(client, auth, cashier_headers, airport, shop_stock, moment, tmp_path):
    local = moment.replace(tzinfo=timezone.utc).astimezone(ZONE)
    hhmm, utc_hhmm = local.strftime("%H:%M"), moment.strftime("%H:%M")
    day = local.date()

    r = client.post("/api/v1/cash-sessions", json={"location_id": airport.id, "opening_float": "200"},
                    headers=cashier_headers)
    assert r.status_code == 201, r.get_json()
    session_id = r.get_json()["id"]
    sale = client.post("/api/v1/sales", headers=cashier_headers, json=sale_body(
        airport.id, [{"lot_id": shop_stock["dates"].id, "quantity": "1"}],
        [{"method": "cash", "amount": "100"}])).get_json()
    expected = client.get(f"/api/v1/cash-sessions/{session_id}", headers=cashier_headers).get_json()["expected_cash"]
    r = client.post(f"/api/v1/cash-sessions/{session_id}/close", headers=cashier_headers,
                    json={"counted_cash": expected})
    assert r.status_code == 200, r.get_json()
    session = db.session.get(CashSession, session_id)
    assert session.opened_at == session.closed_at == moment

    cashier, operator = auth.client_for("caissier"), auth.client_for("operateur")
    figuig = coop(FIGUIG).id
    period = f"from={day.isoformat()}&to={day.isoformat()}"
    shown = {
        "receipt page": cashier.get(f"/shop/sales/{sale['id']}/receipt").get_data(as_text=True),
        "receipt PDF": _pdf_text(client.get(f"/api/v1/sales/{sale['id']}/receipt.pdf",
                                            headers=cashier_headers).data, tmp_path, "receipt"),
        "Z report page": cashier.get(f"/shop/sessions/{session_id}/z").get_data(as_text=True),
        "Z report PDF": _pdf_text(client.get(f"/api/v1/cash-sessions/{session_id}/z.pdf",
                                             headers=cashier_headers).data, tmp_path, "z"),
        "cashier's home": cashier.get("/shop/").get_data(as_text=True),
        "lot history": operator.get(f"/warehouse/lots/{shop_stock['dates'].id}").get_data(as_text=True),
        "portal sales": auth.client_for("coop.figuig").get(
            f"/portal/cooperatives/{figuig}/sales?{period}").get_data(as_text=True),
        "statement PDF": _pdf_text(auth.client_for("coop.figuig").get(
            f"/portal/cooperatives/{figuig}/statement?{period}&format=pdf").data, tmp_path, "statement"),
        "statement CSV": auth.client_for("coop.figuig").get(
            f"/portal/cooperatives/{figuig}/statement?{period}&format=csv").get_data(as_text=True),
    }
    for where, text in shown.items():
        assert hhmm in text, f"{where} does not show the sale's local time {hhmm}"
        if utc_hhmm != hhmm:
            assert utc_hhmm not in text, f"{where} shows the UTC time {utc_hhmm}"
