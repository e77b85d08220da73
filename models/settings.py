"""The one door from models/ to the running app: its configuration and page addresses.

Services read settings here (never `flask.request`, `g` or the signed-in user, which the
import-linter contract forbids in models/); outside an app context nothing here is called.
"""
from flask import current_app, has_app_context, has_request_context, url_for


def setting(name, default=None):
    """A configuration value of the running app; outside one (CLI scripts, benchmarks), the
    value config.Config gives it."""
    if has_app_context():
        return current_app.config.get(name, default)
    from config import Config

    return getattr(Config, name, default)


def page_url(endpoint, **values):
    """The address of a page while answering a request; None outside one (CLI, tests)."""
    return url_for(endpoint, **values) if has_request_context() else None
