"""Sign-in, throttling held in the database, sign-out, CSRF, and the menus of each role."""
import pytest

from extensions import db
from models.users import LoginAttempt
from tests.conftest import PASSWORDS, make_config
from wsgi import create_app


@pytest.mark.parametrize("username, landing, menu_item", [
    ("admin", "/admin/", "/admin/users"),
    ("operateur", None, None),
    ("caissier", None, None),
    ("coop.figuig", None, None),
])
def test_each_demo_user_signs_in(client, username, landing, menu_item):
    response = client.post("/login", data={"username": username, "password": PASSWORDS[username]})
    assert response.status_code == 302
    if landing:
        assert response.headers["Location"] == landing
    page = client.get(response.headers["Location"], follow_redirects=True)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Se déconnecter" in html
    if menu_item:
        assert menu_item in html
    if username != "admin":
        assert "/admin/users" not in html


def test_wrong_password_is_refused(client):
    response = client.post("/login", data={"username": "admin", "password": "nope"})
    assert response.status_code == 401
    assert "Nom d&#39;utilisateur ou mot de passe incorrect" in response.get_data(as_text=True) or \
        "incorrect" in response.get_data(as_text=True)


def test_throttle_after_repeated_failures_even_with_right_password(client, app):
    limit = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(limit):
        assert client.post("/login", data={"username": "admin", "password": "bad"}).status_code == 401
    response = client.post("/login", data={"username": "admin", "password": PASSWORDS["admin"]})
    assert response.status_code == 429
    # Held in the database: another worker (another app instance) sees the same lock.
    other = create_app(make_config(app.config["SQLALCHEMY_DATABASE_URI"])).test_client()
    assert other.post("/login", data={"username": "admin", "password": PASSWORDS["admin"]}).status_code == 429
    assert db.session.query(LoginAttempt).filter_by(username="admin", succeeded=False).count() == limit


def test_success_resets_the_failure_count(client, app):
    for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        client.post("/login", data={"username": "admin", "password": "bad"})
    assert client.post("/login", data={"username": "admin", "password": PASSWORDS["admin"]}).status_code == 302
    client.post("/logout")
    client.post("/login", data={"username": "admin", "password": "bad"})
    assert client.post("/login", data={"username": "admin", "password": PASSWORDS["admin"]}).status_code == 302


def test_logout_is_post_only_and_ends_the_session(auth):
    client = auth.client_for("admin")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 302
    assert client.get("/admin/").status_code == 302


def test_open_redirect_is_refused(client):
    response = client.post("/login?next=https://evil.example/", data={
        "username": "admin", "password": PASSWORDS["admin"]})
    assert response.headers["Location"] == "/admin/"


def test_inactive_user_cannot_sign_in(client):
    from models.users import User

    user = db.session.query(User).filter_by(username="operateur").one()
    user.active = False
    db.session.commit()
    assert client.post("/login", data={"username": "operateur",
                                       "password": PASSWORDS["operateur"]}).status_code == 401


class TestCSRF:
    """With CSRF on (as in production), forms and session API calls need the token."""

    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_login_without_token_is_refused(self, client):
        response = client.post("/login", data={"username": "admin", "password": PASSWORDS["admin"]})
        assert response.status_code == 400

    def test_login_with_token_works_and_session_api_post_needs_token(self, client):
        import re

        html = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
        response = client.post("/login", data={"username": "admin", "password": PASSWORDS["admin"],
                                                "csrf_token": token})
        assert response.status_code == 302
        body = {"code": "WH-X", "name_fr": "Zone X", "name_ar": "منطقة", "kind": "warehouse"}
        assert client.post("/api/v1/locations", json=body).status_code == 400
        page = client.get("/admin/").get_data(as_text=True)
        meta = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
        assert client.post("/api/v1/locations", json=body, headers={"X-CSRFToken": meta}).status_code == 201
