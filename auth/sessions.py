"""Sessions that end: signed cookies checked against the database on every request.

A session keeps the user's id, the user's session version when it was opened (User.get_id:
"12:3"), when it was opened (`_born`) and when it was last used (`_seen`). It is over when:
- the user's session version moved on: sign-out, a password change or reset, an admin's
  "end sessions" (User.end_sessions), so a cookie replayed afterwards opens nothing;
- it was not used for SESSION_IDLE_MINUTES, or was opened more than SESSION_MAX_HOURS ago.
Signing out ends every session of that user, on every device (one counter per user, no
session table): the price of keeping no server-side session store.
"""
import time

from flask import current_app, request, session
from flask_login import login_user, logout_user

from extensions import db
from models.users import User

# `_seen` is rewritten at most this often, so not every answer sets a new cookie.
SEEN_RESOLUTION_SECONDS = 60


def bearer_request():
    """An API call presenting a bearer token: the token alone authenticates it, never the
    session cookie beside it (so a cookie plus a junk header is not a token call)."""
    return (request.path.startswith("/api/")
            and request.headers.get("Authorization", "").startswith("Bearer "))


def session_expired(now=None):
    """True when this session passed its idle time or its absolute lifetime."""
    now = now if now is not None else time.time()
    born, seen = session.get("_born"), session.get("_seen")
    if not isinstance(born, (int, float)) or not isinstance(seen, (int, float)):
        return True
    config = current_app.config
    return (now - seen > config["SESSION_IDLE_MINUTES"] * 60
            or now - born > config["SESSION_MAX_HOURS"] * 3600)


def load_session_user(user_id):
    """Flask-Login's user_loader: the session's user while the session is live, else None."""
    if bearer_request():
        return None
    try:
        uid, version = (int(part) for part in str(user_id).split(":"))
    except ValueError:
        return _forget()
    now = time.time()
    if session_expired(now):
        return _forget()
    user = db.session.get(User, uid)
    if user is None or user.session_version != version:
        return _forget()
    if now - session["_seen"] >= SEEN_RESOLUTION_SECONDS:
        session["_seen"] = int(now)
    return user


def _forget():
    """Drop the dead session's identity (the language choice stays)."""
    for key in ("_user_id", "_fresh", "_id", "_born", "_seen"):
        session.pop(key, None)
    return None


def start_session(user):
    """Sign `user` in on this client: a new session, with its clock started."""
    session.pop("_user_id", None)
    login_user(user)
    now = int(time.time())
    session["_born"] = now
    session["_seen"] = now


def end_session(user):
    """Sign out: this session and every other session of the user end (server side)."""
    user.end_sessions(revoke_tokens=False)
    logout_user()
    _forget()
