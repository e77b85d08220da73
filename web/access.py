"""How a route declares who may use it: `@roles(...)`, `@public`, `@any_user`. The
declaration is read by auth.access.enforce_access, which refuses every route that declares
nothing; these markers live on the shared floor so that the floor's own routes (health
checks) can declare themselves too."""
from models.users import ROLES

PUBLIC = frozenset({"public"})


def roles(*names):
    """Declare the roles that may use a view: `@roles("admin", "operator")`."""
    unknown = set(names) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {unknown}")

    def decorate(view):
        view.access = frozenset(names)
        return view

    return decorate


def public(view):
    """Declare a view open to anyone (the login page)."""
    view.access = PUBLIC
    return view


def any_user(view):
    """Declare a view open to every signed-in user who works with the goods or the accounts:
    every role but the observer, who reads aggregates only, and the buyer, who sees only the
    catalogue and its own orders; each is named where it may go."""
    view.access = frozenset(ROLES) - {"observer", "buyer"}
    return view


def signed_in(view):
    """Declare a view open to every signed-in user, observer included (their own account,
    signing out, revoking their token)."""
    view.access = frozenset(ROLES)
    return view
