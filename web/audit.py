"""Who is acting, for the audit log: the signed-in user (session or bearer token) and the
request's address, handed to models.audit (which never reads the request itself)."""
from flask import has_request_context, request
from flask_login import current_user

from models import audit


def request_actor():
    """(user id or None, client address or None) of the request being served."""
    if not has_request_context():
        return None, None
    user = current_user if current_user and current_user.is_authenticated else None
    return (user.id if user is not None else None), request.remote_addr


def register(app):
    """Let models.audit ask who is acting."""
    audit.set_actor_source(request_actor)
