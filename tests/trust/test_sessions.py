"""Sessions and tokens that end: sign-out, password changes, idle and absolute lifetimes,
token expiry, listing and revoking tokens; 401 before CSRF on the API."""
import re
import time
from datetime import timedelta

import pytest
from flask import g
from sqlalchemy import select

from extensions import db
from models.cooperatives import utcnow
from models.users import ApiToken, User
from tests.conftest import PASSWORDS


def forget():
    """The suite keeps one app context: drop Flask-Login's cached user between requests."""
    g.pop("_login_user", None)
    g.pop("auth_via", None)


def cookie_of(client):
    """The session cookie's value."""
    return client.get_cookie("session").value


def replay(app, cookie, path="/shop/"):
    """A fresh client presenting a copied session cookie."""
    forget()
    other = app.test_client()
    other.set_cookie("session", cookie)
    response = other.get(path)
    forget()
    return response


def user(username):
    return db.session.execute(select(User).where(User.username == username)).scalar_one()


def test_cookie_replayed_after_logout_is_refused(app, auth):
    client = auth.client_for("caissier")
    forget()
    assert client.get("/shop/").status_code == 200
    cookie = cookie_of(client)
    forget()
    assert replay(app, cookie).status_code == 200
    forget()
    assert client.post("/logout").status_code == 302
    response = replay(app, cookie)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    # The API answers 401 to the same cookie.
    forget()
    other = app.test_client()
    other.set_cookie("session", cookie)
    assert other.get("/api/v1/products").status_code == 401


def test_admin_password_reset_ends_sessions_and_revokes_tokens(app, auth):
    token = auth.token("caissier")
    cashier = auth.client_for("caissier")
    cookie = cookie_of(cashier)
    forget()
    assert app.test_client().get("/api/v1/products", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    forget()
    u = user("caissier")
    u.set_password("a-brand-new-password")
    db.session.commit()
    assert replay(app, cookie).status_code == 302
    assert app.test_client().get("/api/v1/products",
                                 headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_admin_form_password_reset_ends_sessions(app, auth):
    cashier = auth.client_for("caissier")
    cookie = cookie_of(cashier)
    forget()
    admin = auth.client_for("admin")
    forget()
    u = user("caissier")
    page = admin.get(f"/admin/users/{u.id}")
    assert page.status_code == 200
    form = {"username": "caissier", "full_name": u.full_name or "", "role": "cashier", "locale": "fr",
            "cooperative_id": "0", "active": "y", "password": "another-password-1",
            "shops": [str(s.id) for s in u.shops]}
    forget()
    assert admin.post(f"/admin/users/{u.id}", data=form).status_code == 302
    assert replay(app, cookie).status_code == 302
    forget()
    assert admin.get("/admin/").status_code == 200  # the admin's own session goes on


def test_own_password_change_keeps_this_session_and_ends_the_others(app, auth):
    first = auth.client_for("caissier")
    forget()
    second = auth.client_for("caissier")
    other_cookie = cookie_of(second)
    forget()
    token = auth.token("caissier")
    forget()
    response = first.post("/account/security", data={"current": "wrong", "new": "x" * 10, "confirm": "x" * 10})
    assert response.status_code == 422 and "Mot de passe incorrect" in response.get_data(as_text=True)
    forget()
    response = first.post("/account/security", data={"current": PASSWORDS["caissier"],
                                                      "new": "new-password-9", "confirm": "new-password-9"})
    assert response.status_code == 302
    forget()
    assert first.get("/shop/").status_code == 200
    assert replay(app, other_cookie).status_code == 302
    assert app.test_client().get("/api/v1/products",
                                 headers={"Authorization": f"Bearer {token}"}).status_code == 401


@pytest.mark.parametrize("field, age", [("_seen", 121 * 60), ("_born", 13 * 3600)])
def test_idle_and_absolute_lifetimes(app, auth, field, age):
    client = auth.client_for("caissier")
    forget()
    with client.session_transaction() as session:
        session[field] = int(time.time()) - age
    response = client.get("/shop/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_recent_activity_keeps_the_session(app, auth):
    client = auth.client_for("caissier")
    forget()
    with client.session_transaction() as session:
        session["_seen"] = int(time.time()) - 119 * 60
    assert client.get("/shop/").status_code == 200
    with client.session_transaction() as session:
        assert session["_seen"] >= int(time.time()) - 5


def test_session_cookie_is_lax_and_http_only(app):
    response = app.test_client().get("/login")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_tokens_expire(app, auth):
    token = auth.token("caissier")
    headers = {"Authorization": f"Bearer {token}"}
    assert app.test_client().get("/api/v1/products", headers=headers).status_code == 200
    row = db.session.execute(select(ApiToken).order_by(ApiToken.id.desc())).scalars().first()
    assert timedelta(days=89) < row.expires_at - utcnow() <= timedelta(days=90)
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    forget()
    assert app.test_client().get("/api/v1/products", headers=headers).status_code == 401


def test_list_and_revoke_tokens_through_the_api(app, auth):
    mine = auth.headers("caissier")
    other = auth.token("caissier")
    listed = app.test_client().get("/api/v1/tokens", headers=mine)
    assert listed.status_code == 200
    rows = listed.get_json()
    assert len(rows) == 2 and {r["state"] for r in rows} == {"live"} and "token" not in rows[0]
    admin_id = user("admin").id
    forget()
    assert app.test_client().get(f"/api/v1/tokens?user_id={admin_id}", headers=mine).status_code == 403
    forget()
    admin = auth.headers("admin")
    cashier_id = user("caissier").id
    assert len(app.test_client().get(f"/api/v1/tokens?user_id={cashier_id}", headers=admin).get_json()) == 2
    # A cashier cannot revoke the admin's token (404: not theirs), an admin can revoke any.
    admin_token_id = db.session.execute(select(ApiToken.id).where(ApiToken.user_id == admin_id)).scalar()
    forget()
    assert app.test_client().delete(f"/api/v1/tokens/{admin_token_id}", headers=mine).status_code == 404
    other_id = max(r["id"] for r in rows)
    forget()
    assert app.test_client().delete(f"/api/v1/tokens/{other_id}", headers=admin).status_code == 204
    forget()
    assert app.test_client().get("/api/v1/products",
                                 headers={"Authorization": f"Bearer {other}"}).status_code == 401


def test_security_pages(app, auth):
    token = auth.token("caissier")
    client = auth.client_for("caissier")
    forget()
    page = client.get("/account/security")
    assert page.status_code == 200
    token_id = db.session.execute(select(ApiToken.id).order_by(ApiToken.id.desc())).scalar()
    forget()
    assert client.post(f"/account/tokens/{token_id}/revoke").status_code == 302
    forget()
    assert app.test_client().get("/api/v1/products",
                                 headers={"Authorization": f"Bearer {token}"}).status_code == 401
    # An admin sees a user's tokens and ends their sessions.
    admin = auth.client_for("admin")
    forget()
    cashier_id = user("caissier").id
    assert admin.get(f"/security/users/{cashier_id}").status_code == 200
    forget()
    assert admin.post(f"/security/users/{cashier_id}/end").status_code == 302
    forget()
    assert client.get("/shop/").status_code == 302
    # Other roles may not open an admin's security pages.
    forget()
    assert auth.client_for("operateur").get(f"/security/users/{cashier_id}").status_code == 403


def test_sign_out_everywhere(app, auth):
    first = auth.client_for("operateur")
    forget()
    second = auth.client_for("operateur")
    forget()
    assert first.post("/account/sessions/end").status_code == 302
    forget()
    assert second.get("/warehouse/").status_code == 302


class TestApiAuthBeforeCSRF:
    """With CSRF on, as in production."""

    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    BODY = {"code": "WH-X", "name_fr": "Zone X", "name_ar": "منطقة", "kind": "warehouse"}

    def test_unauthenticated_api_write_is_401(self, app):
        response = app.test_client().post("/api/v1/locations", json=self.BODY)
        assert response.status_code == 401
        assert response.get_json()["error"]["code"] == "unauthorized"

    def test_junk_bearer_is_401_even_with_a_session(self, app, auth):
        client = self._signed_in(app)
        forget()
        response = client.post("/api/v1/locations", json=self.BODY,
                               headers={"Authorization": "Bearer junk"})
        assert response.status_code == 401

    def test_session_plus_junk_header_still_needs_csrf(self, app):
        client = self._signed_in(app)
        for header in ("Basic Zm9vOmJhcg==", "Token junk", "junk"):
            forget()
            response = client.post("/api/v1/locations", json=self.BODY,
                                   headers={"Authorization": header})
            assert response.status_code == 400, header
            assert "CSRF" in response.get_json()["error"]["message"]

    def test_valid_bearer_token_needs_no_csrf(self, app, auth):
        forget()
        headers = auth.headers("admin")
        forget()
        assert app.test_client().post("/api/v1/locations", json=self.BODY, headers=headers).status_code == 201

    @staticmethod
    def _signed_in(app):
        client = app.test_client()
        html = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
        forget()
        response = client.post("/login", data={"username": "admin", "password": PASSWORDS["admin"],
                                                "csrf_token": token})
        assert response.status_code == 302
        return client
