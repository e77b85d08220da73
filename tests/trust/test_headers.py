"""Security headers and cookie flags (web/security.py)."""
import re
from pathlib import Path

import pytest
from flask import g

from config import ProductionConfig


def forget():
    g.pop("_login_user", None)
    g.pop("auth_via", None)


def test_pages_carry_the_security_headers(app, auth):
    client = auth.client_for("caissier")
    forget()
    response = client.get("/shop/")
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "style-src 'self' 'nonce-" in csp and "unsafe-inline" not in csp
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cache-Control"] == "no-store"
    assert "Strict-Transport-Security" not in headers  # not over plain HTTP in development


def test_nonce_changes_per_request_and_matches_inline_scripts(app, auth):
    client = auth.client_for("admin")
    forget()
    pages = [client.get("/admin/"), client.get("/admin/")]
    nonces = [re.search(r"'nonce-([^']+)'", p.headers["Content-Security-Policy"]).group(1) for p in pages]
    assert nonces[0] != nonces[1]


def test_static_files_may_be_cached_documents_may_not(app, auth):
    response = app.test_client().get("/static/css/tadamon.css")
    assert response.headers.get("Cache-Control") != "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    api = app.test_client().get("/api/v1/products", headers=auth.headers("admin"))
    assert api.headers["Cache-Control"] == "no-store"


def test_templates_have_no_inline_script_or_style():
    """Everything a page runs or styles comes from /static, or carries the nonce."""
    root = Path(__file__).resolve().parents[2] / "templates"
    for path in root.rglob("*.html"):
        text = path.read_text()
        assert not re.search(r"\son(click|submit|change|load|input|keydown)=", text), path
        assert "javascript:" not in text, path
        assert not re.search(r"\sstyle=", text), path
        for tag in re.findall(r"<script[^>]*>", text):
            assert "src=" in tag or "nonce=" in tag or 'type="application/json"' in tag, (path, tag)
        assert not re.search(r"<style(>|\s(?!nonce))", text), path  # a chart's own carries the nonce


def test_swagger_ui_page_runs_without_inline_script(app):
    response = app.test_client().get("/api/v1/docs")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "swagger-init.js" in html and '"validatorUrl": null' in html


class TestProduction:
    @pytest.fixture
    def app_config(self):
        return {"SESSION_COOKIE_SECURE": True, "REMEMBER_COOKIE_SECURE": True}

    def test_secure_cookie_and_hsts(self, app):
        response = app.test_client().get("/login")
        cookie = response.headers["Set-Cookie"]
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_production_config_is_secure_and_lax():
    assert ProductionConfig.SESSION_COOKIE_SECURE and ProductionConfig.SESSION_COOKIE_SAMESITE == "Lax"
