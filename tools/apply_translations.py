"""Fill the French and Arabic catalogues from translations/sources/*.json.

Each area keeps its translations in `translations/sources/<area>.json`
(`{"msgid": {"fr": "...", "ar": "..."}}`), so parallel work never conflicts inside the
generated .po files. `make extract-messages` runs this after `pybabel update`.
Prints the msgids still untranslated; exits 1 when any remain and --check is given.
"""
import glob
import json
import os
import sys

from babel.messages.pofile import read_po, write_po

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LANGS = ("fr", "ar")


def load_sources():
    """All areas' translations merged: msgid → {lang: text}."""
    merged = {}
    for path in sorted(glob.glob(os.path.join(ROOT, "translations", "sources", "*.json"))):
        with open(path, encoding="utf-8") as fh:
            for msgid, langs in json.load(fh).items():
                merged.setdefault(msgid, {}).update(langs)
    return merged


def apply(check=False):
    """Write the translations into each catalogue; return the list of missing (lang, msgid)."""
    sources = load_sources()
    missing = []
    for lang in LANGS:
        path = os.path.join(ROOT, "translations", lang, "LC_MESSAGES", "messages.po")
        with open(path, "rb") as fh:
            catalog = read_po(fh, locale=lang)
        for message in catalog:
            if not message.id:
                continue
            key = message.id if isinstance(message.id, str) else message.id[0]
            text = sources.get(key, {}).get(lang)
            if isinstance(message.id, tuple):
                plural = sources.get(message.id[1], {}).get(lang)
                if text:
                    message.string = tuple([text] + [plural or text] * (catalog.num_plurals - 1))
                elif not any(message.string):
                    missing.append((lang, key))
            elif text:
                message.string = text
            elif not message.string:
                missing.append((lang, key))
            message.flags.discard("fuzzy")
        if not check:
            # A stable header: the extraction time would otherwise change on every build.
            catalog.creation_date = catalog.revision_date
            with open(path, "wb") as fh:
                write_po(fh, catalog, width=100, sort_by_file=False)
    return missing


if __name__ == "__main__":
    check = "--check" in sys.argv
    gaps = apply(check=check)
    for lang, msgid in gaps:
        print(f"untranslated [{lang}]: {msgid}")
    sys.exit(1 if gaps and check else 0)
