"""Which language a request is answered in."""
from flask import current_app, has_request_context, request, session
from flask_login import current_user


def select_locale():
    """The user's language, else the session's choice, else French."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if session.get("lang") in languages:
        return session["lang"]
    # The browser's language picks French or Arabic; English only when chosen explicitly.
    return request.accept_languages.best_match(["fr", "ar"]) or current_app.config["BABEL_DEFAULT_LOCALE"]
