"""Tadamon's application factory. `gunicorn wsgi:app` or `flask --app wsgi ...`."""
import importlib
import logging
import os

from flask import Flask

import config as config_module
from extensions import babel, bootstrap, csrf, db, login_manager, migrate
from web import failures, inputs, security


def create_app(config_class=None):
    """Build the app: config, extensions, the shared floor, each area, error pages, CLI."""
    app = Flask(__name__, instance_relative_config=True)
    if config_class is None:
        config_class = config_module.CONFIGS[os.environ.get("TADAMON_CONFIG", "development")]
    if hasattr(config_class, "check"):
        config_class.check()
    app.config.from_object(config_class)
    os.makedirs(app.instance_path, exist_ok=True)
    register_extensions(app)
    register_areas(app)
    register_errorhandlers(app)
    register_commands(app)
    security.register(app)
    inputs.register(app)
    failures.register(app)
    return app


def register_extensions(app):
    """Initialise each extension on this app, then the shared floor (database gate, API,
    template helpers)."""
    import models  # noqa: F401  (tables known to Alembic)
    from web import api, audit, database, language, templating

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(__file__), "migrations"),
                     render_as_batch=True, compare_type=True)
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False  # auth.access checks CSRF after authentication
    csrf.init_app(app)
    babel.init_app(app, locale_selector=language.select_locale)
    bootstrap.init_app(app)
    login_manager.init_app(app)
    database.register(app)
    api.init_api(app)
    templating.register(app)
    audit.register(app)


def register_areas(app):
    """Each area package in config's AREAS registers its pages and API resources through its
    `register(app, api)`. A missing package or hook is an error, not a silent skip."""
    api = app.extensions["tadamon_api"]
    for name in app.config["AREAS"]:
        package = importlib.import_module(name)
        if not hasattr(package, "register"):
            raise RuntimeError(f"area package {name!r} has no register(app, api)")
        package.register(app, api)


def register_errorhandlers(app):
    """JSON errors on API paths, friendly pages elsewhere; domain errors become 4xx."""
    from web import errors

    errors.register(app)


def register_commands(app):
    """CLI: create-user, seed-demo, integrity-check, backup."""
    from commands import register

    register(app)


if os.environ.get("TADAMON_NO_APP") != "1":
    app = create_app()
    logging.getLogger("sqlalchemy").setLevel(logging.WARNING)
    # The ~180,000 objects the app is made of (modules, classes, SQLAlchemy's metadata, the
    # OpenAPI spec, translations) live as long as the process: moved out of the collector's
    # reach, so its occasional full collection no longer walks them. That collection paused
    # every thread of a worker for ~45-95 ms once every few hundred sales (the p99 of the
    # sale at 4 clients); after the freeze it walks only what requests made since.
    # bench/profile_sale.py --gc-freeze; bench/README.md, "perf18".
    import atexit
    import gc

    gc.collect()
    gc.freeze()

    # Frozen objects are never finalised: the pool's connections are closed here at exit, as
    # their finalisers did (SQLite checkpoints its write-ahead log and removes it when the last
    # connection closes; a CLI command such as `flask seed-demo` left its writes in the -wal file).
    @atexit.register
    def _close_connections():
        from extensions import db

        with app.app_context():
            db.engine.dispose()
