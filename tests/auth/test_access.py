"""Every route declares who may use it, and every other role is refused, server side."""
import pytest

from auth.access import PUBLIC, view_access
from models.users import ROLES
from tests.conftest import user_by_role

SKIP_BLUEPRINTS = {"bootstrap", "api-docs"}


def routes(app):
    """(endpoint, url with dummy arguments, method) for every route of the app."""
    out = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint.split(".")[0] in SKIP_BLUEPRINTS:
            continue
        args = {}
        for name, converter in rule._converters.items():
            args[name] = 1 if "Integer" in converter.__class__.__name__ else "x"
        args.update(rule.defaults or {})
        url = rule.build(args, append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            out.append((rule.endpoint, url, method))
    return out


def test_every_route_declares_its_roles(app):
    undeclared = sorted({e for e, _u, _m in routes(app) if view_access(e) is None})
    assert not undeclared, f"routes without @roles/@any_user/@public: {undeclared}"


def test_undeclared_route_is_refused(app, auth):
    @app.route("/forgotten")
    def forgotten():
        return "should never be served"

    assert auth.client_for("admin").get("/forgotten").status_code == 403


@pytest.mark.parametrize("role", ROLES)
def test_each_role_is_refused_everywhere_else(app, auth, role):
    username = user_by_role(role)
    page_client = auth.client_for(username)
    headers = auth.headers(username)
    checked = 0
    for endpoint, url, method in routes(app):
        access = view_access(endpoint)
        if access is PUBLIC or role in access:
            continue
        is_api = url.startswith("/api/")
        client = app.test_client() if is_api else page_client
        response = client.open(url, method=method, headers=headers if is_api else {})
        assert response.status_code == 403, (role, method, url, response.status_code)
        checked += 1
    if role != "admin":
        assert checked > 0


def test_anonymous_gets_login_redirect_or_401(app):
    client = app.test_client()
    for endpoint, url, method in routes(app):
        if view_access(endpoint) is PUBLIC:
            continue
        response = client.open(url, method=method)
        if url.startswith("/api/"):
            assert response.status_code == 401, (method, url)
            assert response.get_json()["error"]["code"] == "unauthorized"
        else:
            assert response.status_code == 302 and "/login" in response.headers["Location"], (method, url)
