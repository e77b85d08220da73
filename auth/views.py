"""Sign-in pages and the language switch."""
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from auth import bp
from auth.access import public, signed_in
from auth.forms import LoginForm
from auth.services import LoginThrottled, authenticate
from auth.sessions import end_session, start_session
from extensions import db

HOME_BY_ROLE = {
    "admin": "admin.dashboard",
    "operator": "warehouse.index",
    "cashier": "shop.index",
    "cooperative": "portal.index",
    "observer": "reports.index",
    "buyer": "orders.catalogue",
}


def home_url(user):
    """Where a user lands after signing in."""
    endpoint = HOME_BY_ROLE.get(user.role)
    if endpoint and endpoint in current_app.view_functions:
        return url_for(endpoint)
    return url_for("auth.account")


@bp.route("/")
@public
def root():
    """Send visitors to sign in, and users to their home page."""
    if current_user.is_authenticated:
        return redirect(home_url(current_user))
    return redirect(url_for("auth.login"))


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    """Sign in with a username and password; throttled after repeated failures."""
    if current_user.is_authenticated:
        return redirect(home_url(current_user))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = authenticate(form.username.data, form.password.data, request.remote_addr)
        except LoginThrottled as exc:
            form.username.errors.append(
                _("Too many failed attempts. Try again in %(minutes)s minutes.",
                  minutes=exc.minutes))
            status = 429
        else:
            db.session.commit()
            if user is None:
                form.password.errors.append(_("Wrong username or password."))
                status = 401
            else:
                start_session(user)
                session["lang"] = user.locale
                target = request.args.get("next", "")
                if not target or urlsplit(target).netloc or not target.startswith("/"):
                    target = home_url(user)
                return redirect(target)
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@signed_in
def logout():
    """Sign out (POST with CSRF, so no link can sign a user out)."""
    end_session(current_user._get_current_object())
    db.session.commit()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account")
@signed_in
def account():
    """The signed-in user's own page: name, role, shops, language."""
    return render_template("auth/account.html")


@bp.route("/lang/<code>", methods=["POST"])
@public
def set_language(code):
    """Choose the interface language; remembered on the user when signed in."""
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
        if current_user.is_authenticated:
            current_user.locale = code
            db.session.commit()
    target = request.form.get("next") or request.referrer or url_for("auth.root")
    if urlsplit(target).netloc and urlsplit(target).netloc != request.host:
        target = url_for("auth.root")
    return redirect(target)
