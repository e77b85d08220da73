"""Sign-in, sign-out, language choice, and the API's tokens."""
from flask import Blueprint

bp = Blueprint("auth", __name__)

from auth import tokens_views, views  # noqa: E402,F401  (routes register on the blueprint)
