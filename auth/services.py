"""Authentication: passwords with a throttle held in the database, and bearer tokens."""
from datetime import timedelta

from flask import current_app
from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import lazyload

from extensions import db
from models import audit
from models.cooperatives import utcnow
from models.users import ApiToken, LoginAttempt, User, hash_token, user_shops


class LoginThrottled(Exception):
    """Too many failed attempts for this username: wait `minutes`."""

    def __init__(self, minutes):
        super().__init__(minutes)
        self.minutes = minutes


def _recent_failures(username):
    """Failed attempts for `username` in the lock window since its last success."""
    window = utcnow() - timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
    last_ok = db.session.execute(
        select(func.max(LoginAttempt.at)).where(
            LoginAttempt.username == username, LoginAttempt.succeeded.is_(True)
        )
    ).scalar()
    since = max(window, last_ok) if last_ok else window
    return db.session.execute(
        select(func.count(), func.min(LoginAttempt.at)).where(
            LoginAttempt.username == username,
            LoginAttempt.succeeded.is_(False),
            LoginAttempt.at > since,
        )
    ).one()


def authenticate(username, password, remote_addr=None):
    """The active user with these credentials, or None. Records the attempt.

    Raises LoginThrottled after LOGIN_MAX_FAILURES failures in the window, even with the
    right password, so guessing gains nothing.
    """
    username = (username or "").strip()[:64]
    failures, first = _recent_failures(username)
    if failures >= current_app.config["LOGIN_MAX_FAILURES"]:
        lock = timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
        remaining = max(1, int(((first + lock) - utcnow()).total_seconds() // 60) + 1)
        raise LoginThrottled(remaining)
    user = db.session.execute(select(User).where(User.username == username)).scalar()
    ok = bool(user and user.active and user.check_password(password or ""))
    db.session.add(LoginAttempt(username=username, remote_addr=remote_addr, succeeded=ok))
    audit.record("login" if ok else "login_failed", "user", user.id if user else None,
                 after={"username": username}, user_id=user.id if ok else None, address=remote_addr)
    return user if ok else None


_TOKEN_QUERY = []


def _token_query():
    """The statement of `user_for_token`, built once (building it cost more than running it)."""
    if not _TOKEN_QUERY:
        _TOKEN_QUERY.append(
            select(User, user_shops.c.location_id).join(ApiToken, ApiToken.user_id == User.id)
            .outerjoin(user_shops, user_shops.c.user_id == User.id)
            .where(ApiToken.token_hash == bindparam("token_hash"), ApiToken.revoked_at.is_(None),
                   or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > bindparam("now")))
            .options(lazyload(User.shops)))  # loaded only if asked for (not by User.shop_ids)
    return _TOKEN_QUERY[0]


def user_for_token(clear_token):
    """The user owning a live bearer token, or None."""
    if not clear_token:
        return None
    # One round trip on every API request: the token's user with the ids of their shops
    # (outer join on the link table: one row per shop), not token, then user, then shops.
    rows = db.session.execute(_token_query(), {"token_hash": hash_token(clear_token),
                                               "now": utcnow()}).all()
    user = rows[0][0] if rows else None
    if user is not None:
        # Kept for this request only (web/database.py drops it at teardown): User.shop_ids.
        user.__dict__["_token_shop_ids"] = frozenset(r[1] for r in rows if r[1] is not None)
    if user is None or not user.active:
        return None
    return user


def revoke_token(clear_token):
    """Revoke a token; True when one was live."""
    token = db.session.execute(
        select(ApiToken).where(ApiToken.token_hash == hash_token(clear_token),
                               ApiToken.revoked_at.is_(None))
    ).scalar()
    if token is None:
        return False
    token.revoked_at = utcnow()
    return True


def tokens_of(user_id):
    """A user's API tokens, newest first (live, expired and revoked)."""
    return db.session.execute(
        select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id.desc())
    ).scalars().all()


def token_state(token, now=None):
    """"live", "expired" or "revoked"."""
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= (now or utcnow()):
        return "expired"
    return "live"


def revoke_token_id(token_id, actor):
    """Revoke token `token_id` on behalf of `actor` (its owner, or an admin). Returns the token,
    or None when there is no such token for this actor (not found and not theirs look alike)."""
    token = db.session.get(ApiToken, token_id)
    if token is None or (token.user_id != actor.id and actor.role != "admin"):
        return None
    if token.revoked_at is None:
        token.revoked_at = utcnow()
    return token
