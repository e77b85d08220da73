"""The API's bearer tokens: issued, hashed, revoked, stateless."""
import base64

from sqlalchemy import select

from extensions import db
from models.users import ApiToken
from tests.conftest import PASSWORDS


def basic(username, password):
    """An HTTP Basic header."""
    return {"Authorization": "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()}


def test_no_token_is_401_in_the_error_format(client):
    response = client.get("/api/v1/products")
    assert response.status_code == 401
    body = response.get_json()
    assert set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == "unauthorized"


def test_bad_token_is_401(client):
    assert client.get("/api/v1/products", headers={"Authorization": "Bearer nope"}).status_code == 401


def test_token_is_stored_hashed_and_revocable(client, auth):
    token = auth.token("operateur")
    assert db.session.execute(select(ApiToken.token_hash)).scalars().all() != [token]
    assert token not in db.session.execute(select(ApiToken.token_hash)).scalars().all()
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/products", headers=headers).status_code == 200
    assert client.delete("/api/v1/tokens/current", headers=headers).status_code == 204
    assert client.get("/api/v1/products", headers=headers).status_code == 401


def test_token_refused_for_wrong_password_and_missing_basic(client):
    assert client.post("/api/v1/tokens", headers=basic("admin", "wrong")).status_code == 401
    assert client.post("/api/v1/tokens").status_code == 401


def test_token_calls_set_no_session_cookie(client, auth):
    response = client.get("/api/v1/products", headers=auth.headers("admin"))
    assert "session=" not in response.headers.get("Set-Cookie", "")


def test_passwords_fixture_is_complete():
    assert {"admin", "operateur", "caissier", "coop.figuig"} <= set(PASSWORDS)
