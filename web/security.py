"""Security headers and cookie flags, in one place: `register(app)` from the app factory.

- Content-Security-Policy: only the app's own files (Bootstrap, Swagger UI, fonts and scripts
  are served from /static); a page's own inline script carries the request's nonce
  (`<script nonce="{{ csp_nonce() }}">`, and the <style> of a server-drawn SVG chart); no
  inline style attribute, no framing (frame-ancestors 'none',
  X-Frame-Options DENY), forms post only to the app.
- X-Content-Type-Options nosniff, Referrer-Policy same-origin, Cross-Origin-Opener-Policy.
- Strict-Transport-Security when the session cookie is Secure (production behind TLS).
- Cache-Control: no-store on every answer but static files: signed-in pages, API answers and
  documents (PDF, CSV) stay out of shared and browser caches.
- Cookies: SameSite=Lax and HttpOnly always, Secure in production (config.py).
"""
import secrets

from flask import g, request

HSTS_SECONDS = 365 * 24 * 3600


def csp_nonce():
    """This request's nonce for inline scripts (made on first use)."""
    nonce = g.get("csp_nonce")
    if nonce is None:
        nonce = g.csp_nonce = secrets.token_urlsafe(18)
    return nonce


def _new_nonce():
    """before_request: a new nonce for every request (even where `g` outlives one)."""
    g.pop("csp_nonce", None)


def content_security_policy(nonce):
    """The policy: the app's own origin, and inline scripts only with this request's nonce."""
    return "; ".join([
        "default-src 'self'",
        f"script-src 'self' 'nonce-{nonce}'",
        f"style-src 'self' 'nonce-{nonce}'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "worker-src 'self'",  # the till's service worker (static/js/till_sw.js)
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


def add_security_headers(response):
    """after_request: the headers above, on every answer (errors included)."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", content_security_policy(csp_nonce()))
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    from flask import current_app

    if current_app.config.get("SESSION_COOKIE_SECURE"):
        headers.setdefault("Strict-Transport-Security", f"max-age={HSTS_SECONDS}; includeSubDomains")
    if request.endpoint != "static" and not (request.endpoint or "").endswith(".static"):
        headers["Cache-Control"] = "no-store"
        headers.pop("Expires", None)
    return response


def csp_svg(svg):
    """A server-drawn SVG (pygal charts, the map) put inline in a page: its <style> elements
    carry this request's nonce, so the policy lets them style the drawing and nothing else."""
    from markupsafe import Markup

    return Markup(str(svg or "").replace("<style", f'<style nonce="{csp_nonce()}"'))


def register(app):
    """Install the headers, the template's nonce helper and the cookie flags."""
    for name in ("SESSION_COOKIE_SAMESITE", "REMEMBER_COOKIE_SAMESITE"):
        app.config[name] = app.config.get(name) or "Lax"
    app.config["SESSION_COOKIE_HTTPONLY"] = app.config["REMEMBER_COOKIE_HTTPONLY"] = True
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.jinja_env.filters["csp_svg"] = csp_svg
    app.before_request(_new_nonce)
    app.after_request(add_security_headers)
