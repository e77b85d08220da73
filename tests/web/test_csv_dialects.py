"""Issue 11, CSV: a page's download is a spreadsheet in the reader's language (French and Arabic:
";" between fields, decimal comma, translated headers and codes, UTF-8 BOM); the API's CSV stays
",", dot decimals, snake_case (web.csvfile.page_dialect)."""
import csv
import io
from decimal import Decimal

from web.csvfile import csv_text, page_dialect


def _rows(text, delimiter):
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter))


def test_pages_default_to_the_sheet_the_api_keeps_data(app):
    for path, expected in (("/warehouse/stock?format=csv", "sheet"), ("/portal/x?format=csv", "sheet"),
                           ("/warehouse/stock?format=csv&sheet=0", "data"),
                           ("/api/v1/cooperatives/1/statement?format=csv", "data"),
                           ("/api/v1/stock?format=csv&sheet=1", "data")):
        with app.test_request_context(path):
            assert page_dialect() == expected, path
    assert page_dialect() == "data"  # outside a request (CLI, services)


def test_arabic_sheet_uses_the_comma_and_arabic_headers(app):
    with app.test_request_context("/", headers={"Accept-Language": "ar"}):
        text = csv_text(["lot", "quantity", "amount"], [["L-1", Decimal("2.500"), "-12.50"]], dialect="sheet")
    rows = _rows(text, ";")
    assert rows[0] == ["الحصة", "الكمية", "المبلغ"] and rows[1] == ["L-1", "2,500", "-12,50"]


def test_admin_overview_csv_in_french(auth):
    client = auth.client_for("admin")
    rows = _rows(client.get("/portal/admin/overview?format=csv").get_data(as_text=True), ";")
    assert rows[0][:3] == ["Coopérative", "Nom (français)", "Nom (arabe)"]
    assert rows[-1][1] == "TOTAL" and "," in rows[-1][-1] and "." not in rows[-1][-1]


def test_admin_overview_csv_in_arabic(auth):
    client = auth.client_for("admin")
    client.post("/lang/ar")  # first: the suite's app context keeps a request's locale in `g`
    rows = _rows(client.get("/portal/admin/overview?format=csv").get_data(as_text=True), ";")
    assert rows[0][0] == "التعاونية" and rows[-1][1] == "المجموع"
    assert all("_" not in header for header in rows[0])


def test_api_statement_csv_stays_data(auth, app):
    from sqlalchemy import select

    from extensions import db
    from models.cooperatives import Cooperative

    coop_id = db.session.execute(select(Cooperative.id)).scalars().first()
    answer = auth.app.test_client().get(f"/api/v1/cooperatives/{coop_id}/statement?format=csv",
                                        headers=auth.headers("admin"))
    assert answer.status_code == 200
    rows = _rows(answer.get_data(as_text=True), ",")
    assert rows[0][:3] == ["entry_id", "kind", "time"]
    assert rows[1][1] == "opening_balance" and "," not in rows[1][-1]
    # The same statement from the portal page: the French sheet.
    page = auth.client_for("admin").get(f"/portal/cooperatives/{coop_id}/statement?format=csv")
    rows = _rows(page.get_data(as_text=True), ";")
    assert rows[0][:2] == ["Écriture", "Type"] and rows[1][1] == "Solde d'ouverture"


def test_audit_csv_is_a_french_sheet_with_formulas_neutralised(auth):
    client = auth.client_for("admin")
    text = client.get("/admin/audit?format=csv").get_data(as_text=True)
    rows = _rows(text, ";")
    assert rows[0][:3] == ["Écriture", "Heure", "Utilisateur"]
    # Times in the platform's time (Africa/Casablanca), as on the page, not UTC.
    from extensions import db
    from models.audit import AuditEntry
    from models.clock import to_local

    first = db.session.get(AuditEntry, int(rows[1][0]))
    assert rows[1][1] == to_local(first.created_at).strftime("%Y-%m-%d %H:%M")
