"""POST /api/v1/tokens: trade HTTP Basic credentials for a bearer token; DELETE revokes it."""
import marshmallow as ma
from flask import abort, request
from flask_smorest import Blueprint

from auth.access import public, signed_in
from auth.services import LoginThrottled, authenticate, revoke_token
from extensions import db
from models.users import ApiToken

blp = Blueprint("tokens", __name__, url_prefix="/api/v1/tokens",
                description="Bearer tokens for the API")


class TokenSchema(ma.Schema):
    """A newly issued bearer token (shown once)."""

    token = ma.fields.String(required=True)


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
    _, clear = ApiToken.issue(user, name=request.headers.get("User-Agent", "")[:80])
    db.session.commit()
    return {"token": clear}


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
