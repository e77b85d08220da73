"""The shared floor of the web areas: what every area uses (API helpers, form and schema
fields, label tables, the request parser, template helpers, the one scope module).

Areas import only `auth`, `web`, `models` and `documents`, never each other."""
