"""POST /api/v1/tokens: trade HTTP Basic credentials for a bearer token; DELETE revokes it;
GET lists a user's tokens (an admin: anyone's)."""
import marshmallow as ma
from flask import abort, request
from flask_login import current_user
from flask_smorest import Blueprint

from auth.access import public, signed_in
from auth.services import (LoginThrottled, authenticate, revoke_token, revoke_token_id,
                           token_state, tokens_of)
from extensions import db
from models.users import ApiToken

blp = Blueprint("tokens", __name__, url_prefix="/api/v1/tokens",
                description="Bearer tokens for the API")


class TokenSchema(ma.Schema):
    """A newly issued bearer token (shown once)."""

    token = ma.fields.String(required=True)
    expires_at = ma.fields.DateTime(allow_none=True)


class TokenInfoSchema(ma.Schema):
    """A token as listed: never its secret."""

    id = ma.fields.Integer(required=True)
    user_id = ma.fields.Integer(required=True)
    name = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime(required=True)
    expires_at = ma.fields.DateTime(allow_none=True)
    revoked_at = ma.fields.DateTime(allow_none=True)
    state = ma.fields.String(required=True, metadata={"enum": ["live", "expired", "revoked"]})


class TokenListArgs(ma.Schema):
    """?user_id= (admins only; default: one's own tokens)."""

    class Meta:
        unknown = ma.EXCLUDE

    user_id = ma.fields.Integer(validate=ma.validate.Range(min=1, max=2**31 - 1))


@blp.route("", methods=["POST"])
@blp.response(201, TokenSchema)
@blp.alt_response(401, description="Wrong credentials")
@blp.alt_response(429, description="Too many failed attempts")
@blp.doc(security=[{"basicAuth": []}])
@public
def issue_token():
    """Issue a bearer token for the user named in the HTTP Basic header."""
    auth = request.authorization
    if auth is None or auth.type != "basic":
        abort(401, description="HTTP Basic credentials required")
    try:
        user = authenticate(auth.username, auth.password, request.remote_addr)
    except LoginThrottled as exc:
        db.session.rollback()
        abort(429, description=f"Too many failed attempts; try again in {exc.minutes} minutes")
    if user is None:
        db.session.commit()  # keep the failed attempt for the throttle
        abort(401, description="Wrong username or password")
    row, clear = ApiToken.issue(user, name=request.headers.get("User-Agent", "")[:80])
    db.session.commit()
    return {"token": clear, "expires_at": row.expires_at}


@blp.route("", methods=["GET"])
@blp.arguments(TokenListArgs, location="query")
@blp.response(200, TokenInfoSchema(many=True))
@blp.alt_response(403, description="Another user's tokens (admins only)")
@signed_in
def list_tokens(args):
    """The API tokens of the calling user, or of `user_id` for an admin (secrets never shown)."""
    user_id = args.get("user_id") or current_user.id
    if user_id != current_user.id and current_user.role != "admin":
        abort(403)
    return [{"id": t.id, "user_id": t.user_id, "name": t.name, "created_at": t.created_at,
             "expires_at": t.expires_at, "revoked_at": t.revoked_at, "state": token_state(t)}
            for t in tokens_of(user_id)]


@blp.route("/<int:token_id>", methods=["DELETE"])
@blp.response(204)
@blp.alt_response(404, description="No such token of this user")
@signed_in
def revoke_by_id(token_id):
    """Revoke one of one's tokens (an admin: anyone's)."""
    if revoke_token_id(token_id, current_user) is None:
        abort(404)
    db.session.commit()
    return ""


@blp.route("/current", methods=["DELETE"])
@blp.response(204)
@signed_in
def revoke_current():
    """Revoke the bearer token this request carries."""
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer ") or not revoke_token(header[7:].strip()):
        abort(400, description="No bearer token to revoke")
    db.session.commit()
    return ""
