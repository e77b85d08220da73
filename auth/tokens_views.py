"""Security pages: one's password, sessions and API tokens; an admin's view of a user's."""
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from auth import bp
from auth.access import roles, signed_in
from auth.forms import PasswordForm
from auth.services import revoke_token_id, token_state, tokens_of
from auth.sessions import start_session
from extensions import db
from models.users import User


def _when(value):
    """A UTC time from the database, shown in Africa/Casablanca in the user's language."""
    from flask_babel import format_datetime

    return format_datetime(value, "short")


@bp.route("/account/security", methods=["GET", "POST"])
@signed_in
def security():
    """Change one's password (ends one's other sessions, revokes one's tokens); list and revoke
    one's API tokens; sign out everywhere."""
    form = PasswordForm()
    status = 200
    if form.validate_on_submit():
        user = current_user._get_current_object()
        if not user.check_password(form.current.data):
            form.current.errors.append(_("Wrong password."))
            status = 422
        else:
            user.set_password(form.new.data)
            db.session.commit()
            start_session(user)  # this session goes on under the new version; the others end
            flash(_("Password changed. Your other sessions are signed out and your API tokens "
                    "revoked."), "success")
            return redirect(url_for("auth.security"))
    elif form.is_submitted():
        status = 422
    return render_template("auth/security.html", form=form, user=current_user,
                           tokens=tokens_of(current_user.id), token_state=token_state, when=_when,
                           own=True), status


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@signed_in
def revoke_token(token_id):
    """Revoke one of one's API tokens (an admin: anyone's)."""
    token = revoke_token_id(token_id, current_user)
    if token is None:
        abort(404)
    db.session.commit()
    flash(_("Token revoked."), "success")
    if token.user_id == current_user.id:
        return redirect(url_for("auth.security"))
    return redirect(url_for("auth.user_security", user_id=token.user_id))


@bp.route("/account/sessions/end", methods=["POST"])
@signed_in
def end_my_sessions():
    """Sign out everywhere (this device too); API tokens stay."""
    from auth.sessions import end_session

    end_session(current_user._get_current_object())
    db.session.commit()
    flash(_("You are signed out on every device."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/security/users/<int:user_id>")
@roles("admin")
def user_security(user_id):
    """An admin's view of a user's API tokens, with revoke and end-sessions buttons."""
    user = db.session.get(User, user_id) or abort(404)
    return render_template("auth/security.html", form=None, user=user, tokens=tokens_of(user.id),
                           token_state=token_state, when=_when, own=user.id == current_user.id)


@bp.route("/security/users/<int:user_id>/end", methods=["POST"])
@roles("admin")
def end_user_sessions(user_id):
    """End every session of a user and revoke their API tokens (a lost phone, a leaver)."""
    user = db.session.get(User, user_id) or abort(404)
    user.end_sessions()
    db.session.commit()
    if user.id == current_user.id:
        return redirect(url_for("auth.login"))
    flash(_("Sessions ended and API tokens revoked."), "success")
    return redirect(url_for("auth.user_security", user_id=user.id))
