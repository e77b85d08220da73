"""Users, their roles and shops, API tokens and the login throttle."""
import hashlib
import secrets

from sqlalchemy import update
from werkzeug.security import check_password_hash, generate_password_hash

from extensions import db
from models.cooperatives import utcnow

ROLE_ADMIN = "admin"
ROLE_OPERATOR = "operator"
ROLE_CASHIER = "cashier"
ROLE_COOPERATIVE = "cooperative"
ROLE_OBSERVER = "observer"  # Council or observatory staff: aggregates only, read-only
ROLE_BUYER = "buyer"  # a buyer's staff: the catalogue, its own orders, invoices and balance
ROLES = (ROLE_ADMIN, ROLE_OPERATOR, ROLE_CASHIER, ROLE_COOPERATIVE, ROLE_OBSERVER, ROLE_BUYER)

user_shops = db.Table(
    "user_shops",
    db.Column("user_id", db.Integer, db.ForeignKey("users.id"), primary_key=True),
    db.Column("location_id", db.Integer, db.ForeignKey("locations.id"), primary_key=True),
)


class User(db.Model):
    """A person using Tadamon. Cashiers are tied to shops, cooperative users to one cooperative.

    Flask-Login's user protocol is written out here (is_authenticated, is_anonymous, get_id,
    is_active below) so that models/ needs nothing of the web's request machinery."""

    is_authenticated = True
    is_anonymous = False


    __tablename__ = "users"

    id = db.Column(db.Integer, primary_key=True)
    username = db.Column(db.String(64), unique=True, nullable=False)
    full_name = db.Column(db.String(120))
    password_hash = db.Column(db.String(255), nullable=False)
    role = db.Column(db.String(16), nullable=False)
    locale = db.Column(db.String(5), nullable=False, default="fr")
    cooperative_id = db.Column(db.Integer, db.ForeignKey("cooperatives.id"))
    buyer_id = db.Column(db.Integer, db.ForeignKey("buyers.id"))
    active = db.Column(db.Boolean, nullable=False, default=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    # Raised by sign-out and password changes: sessions opened under an older one are over.
    session_version = db.Column(db.Integer, nullable=False, default=0, server_default="0")

    cooperative = db.relationship("Cooperative")
    buyer = db.relationship("Buyer")
    shops = db.relationship("Location", secondary=user_shops, lazy="selectin")

    __table_args__ = (
        db.CheckConstraint(
            "role IN ('admin', 'operator', 'cashier', 'cooperative', 'observer', 'buyer')",
            name="role"
        ),
        db.CheckConstraint("(role = 'buyer') = (buyer_id IS NOT NULL)", name="buyer_link"),
        db.CheckConstraint(
            "(role = 'cooperative') = (cooperative_id IS NOT NULL)", name="cooperative_link"
        ),
    )

    @property
    def is_active(self):
        """Flask-Login refuses deactivated users."""
        return self.active

    def get_id(self):
        """What the session keeps: the id and the session version ("12:3"), so raising the
        version ends every session opened before (auth.sessions reads it back)."""
        return f"{self.id}:{self.session_version or 0}"

    def end_sessions(self, revoke_tokens=True):
        """End every session of this user (this one included) and, unless told otherwise,
        revoke their API tokens."""
        self.session_version = (self.session_version or 0) + 1
        if revoke_tokens and self.id is not None:
            db.session.execute(update(ApiToken).where(ApiToken.user_id == self.id,
                                                         ApiToken.revoked_at.is_(None))
                               .values(revoked_at=utcnow()))

    def set_password(self, password):
        """Store a salted hash, never the password. Changing a password (not setting the
        first one) ends the user's sessions and revokes their API tokens."""
        from models.settings import setting

        method = setting("PASSWORD_HASH_METHOD", "scrypt")
        changing = bool(self.password_hash)
        self.password_hash = generate_password_hash(password, method=method)
        if changing:
            self.end_sessions()

    def check_password(self, password):
        """True when the password matches the stored hash."""
        return check_password_hash(self.password_hash, password)

    def has_role(self, *roles):
        """True when the user's role is one of `roles`."""
        return self.role in roles

    def shop_ids(self):
        """Ids of the shops a cashier works at (read with the bearer token when the API
        authenticated the request: auth.services.user_for_token)."""
        known = self.__dict__.get("_token_shop_ids")
        if known is not None:
            return set(known)
        return {shop.id for shop in self.shops}

    def __repr__(self):
        return f"<User {self.username} {self.role}>"


def hash_token(token: str) -> str:
    """Tokens are stored as SHA-256: a leaked table gives no usable token."""
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(db.Model):
    """A bearer token for the API, stored hashed, revocable."""

    __tablename__ = "api_tokens"

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False, index=True)
    token_hash = db.Column(db.String(64), unique=True, nullable=False)
    name = db.Column(db.String(80))
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    last_used_at = db.Column(db.DateTime)
    revoked_at = db.Column(db.DateTime)
    expires_at = db.Column(db.DateTime)

    user = db.relationship("User")

    @classmethod
    def issue(cls, user, name=None, lifetime=None):
        """Create a token for `user`; returns (row, clear token). The clear token is shown once.
        It expires after `lifetime` (a timedelta; default: the API_TOKEN_DAYS setting)."""
        from datetime import timedelta

        from models.settings import setting

        if lifetime is None:
            lifetime = timedelta(days=setting("API_TOKEN_DAYS", 90))
        clear = secrets.token_urlsafe(32)
        row = cls(user=user, token_hash=hash_token(clear), name=name, expires_at=utcnow() + lifetime)
        db.session.add(row)
        return row, clear


class LoginAttempt(db.Model):
    """Every login attempt, so throttling holds across workers and hosts."""

    __tablename__ = "login_attempts"

    id = db.Column(db.Integer, primary_key=True)
    username = db.Column(db.String(64), nullable=False)
    remote_addr = db.Column(db.String(64))
    succeeded = db.Column(db.Boolean, nullable=False)
    at = db.Column(db.DateTime, nullable=False, default=utcnow)

    __table_args__ = (db.Index("ix_login_attempts_username_at", "username", "at"),)
