"""The sales chart for everyone: a named picture, drawn again for phones with labels of 12 px
or more, and its figures as a table (months in the user's language, amounts formatted)."""
import re


def test_chart_is_named_and_has_a_table_alternative(auth, story):
    client = auth.client_for("coop.figuig")
    html = client.get("/portal/").get_data(as_text=True)
    svgs = re.findall(r"<svg [^>]*>", html)
    assert len(svgs) == 2 and all('role="img"' in s and "aria-label=" in s for s in svgs)
    assert 'viewBox="0 0 360 440"' in html  # the phone's drawing
    table = html.split('class="table table-sm chart-table', 1)[1].split("</table>", 1)[0]
    assert "<caption>" in table and 'scope="row"' in table
    assert "mars 2026" in table  # the story's sales month, in French
    assert "<svg" not in table


def test_phone_chart_labels_stay_legible():
    """At 340 px on screen (a 390 px phone less the card), the 360-unit drawing scales by 0.94:
    13-unit labels stay above 12 px; none is cut short."""
    from decimal import Decimal

    from portal.charts import PHONE_STYLE, sales_chart_svg

    assert PHONE_STYLE.label_font_size * 340 / 360 >= 12
    months = [f"2026-{m:02d}" for m in range(1, 13)]
    svg = sales_chart_svg("Ventes", months, {"Boutique aéroport Oujda-Angad": [Decimal("1234.5")] * 12},
                          "—", phone=True)
    assert "…" not in svg and "Boutique aéroport Oujda-Angad" in svg
