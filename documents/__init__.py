"""Printable documents (reportlab): fonts that ship with the install, Arabic shaping, and
the page furniture every PDF shares. No Flask imports here."""
