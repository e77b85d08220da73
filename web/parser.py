"""The request parser every API Blueprint uses (installed in api/__init__.py).

webargs' FlaskParser, stricter where the fuzzer showed it was lax:
- a JSON body the operation documents as required must be there: no body, or a body sent with
  another content type, is refused (422 / 415) instead of being read as `{}`;
- NUL characters are refused in every location (422 naming the field): PostgreSQL cannot store
  them in text and would otherwise answer with a 500.
"""
from webargs import core
from webargs.flaskparser import FlaskParser, abort


def _nul_paths(value, path=""):
    """The paths of the strings containing a NUL character, in a decoded JSON document."""
    if isinstance(value, str):
        return [path or "_schema"] if "\x00" in value else []
    if isinstance(value, dict):
        found = []
        for key, item in value.items():
            if isinstance(key, str) and "\x00" in key:
                found.append(path or "_schema")
            found += _nul_paths(item, f"{path}.{key}" if path else str(key))
        return found
    if isinstance(value, list):
        return [p for i, item in enumerate(value) for p in _nul_paths(item, f"{path}.{i}" if path else str(i))]
    return []


def _refuse_nul(location, paths):
    """422 in the webargs message shape, so the error JSON names the fields."""
    messages = {location: {p: ["NUL characters are not allowed."] for p in paths}}
    abort(422, messages=messages, exc=None)


class TadamonParser(FlaskParser):
    """FlaskParser refusing missing JSON bodies and NUL characters."""

    def _raw_load_json(self, req):
        """The body decoded, refused when nested too deep or holding lone surrogates."""
        from web.inputs import checked_json

        return checked_json(lambda data: super(TadamonParser, self)._raw_load_json(req), None)

    def load_json(self, req, schema):
        """The JSON body; 422 when absent, 415 when sent as something other than JSON."""
        data = super().load_json(req, schema)
        if data is core.missing:
            if req.get_data(cache=True) and not core.is_json(req.mimetype):
                abort(415, messages={"json": {"_schema": [
                    "Send the body as JSON (Content-Type: application/json)."]}})
            abort(422, messages={"json": {"_schema": [
                "A JSON object is required as the request body."]}})
        paths = _nul_paths(data)
        if paths:
            _refuse_nul("json", paths)
        return data

    def load_querystring(self, req, schema):
        """Query parameters, refusing NUL characters."""
        paths = [key for key, value in req.args.items(multi=True) if "\x00" in key or "\x00" in value]
        if paths:
            _refuse_nul("query", paths)
        return super().load_querystring(req, schema)
