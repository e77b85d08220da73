"""Issue 11: closing a till with a cash difference over CASH_DIFFERENCE_CONFIRM_THRESHOLD asks for
a confirmation beside the amount; a French amount "1 234,50" is read as 1234.50, not 123450."""


def test_a_large_difference_needs_a_confirmation(auth, open_till):
    web = auth.client_for("caissier")
    close = f"/shop/sessions/{open_till['id']}/close"
    r = web.post(close, data={"counted_cash": "1 043,50"})  # 200 expected: 843,50 over
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "843,50" in html.replace("\u202f", " ") and "Recomptez" in html
    r = web.post(close, data={"counted_cash": "1 043,50", "confirm_difference": "y"})
    assert r.status_code == 302
    z = web.get(f"/shop/sessions/{open_till['id']}/z").get_data(as_text=True).replace("\u202f", " ")
    assert 'data-z="difference">843,50' in z
