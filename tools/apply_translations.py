"""Fill the French and Arabic catalogues from translations/sources/*.json.

Each area keeps its translations in `translations/sources/<area>.json`
(`{"msgid": {"fr": "...", "ar": "..."}}`), so parallel work never conflicts inside the
generated .po files. `make extract-messages` runs this after `pybabel update`.
Prints the msgids still untranslated; exits 1 when any remain and --check is given.

One msgid carries one meaning: when two source files give the same msgid different
translations, the merge FAILS (exit 2) and lists them; a word with two meanings gets a context
(`pgettext("till", "Pay")`), written in the sources as "till\u0004Pay" (gettext's separator).
"""
import glob
import json
import os
import sys

from babel.messages.pofile import read_po, write_po

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LANGS = ("fr", "ar")


CONTEXT_SEP = "\u0004"


class Disagreement(ValueError):
    """Two source files translate one msgid differently."""


def disagreements():
    """[(msgid, lang, {file: text})] where source files disagree."""
    seen, found = {}, []
    for path in sorted(glob.glob(os.path.join(ROOT, "translations", "sources", "*.json"))):
        name = os.path.basename(path)
        with open(path, encoding="utf-8") as fh:
            for msgid, langs in json.load(fh).items():
                for lang, text in langs.items():
                    seen.setdefault((msgid, lang), {})[name] = text
    for (msgid, lang), texts in sorted(seen.items()):
        if len(set(texts.values())) > 1:
            found.append((msgid, lang, texts))
    return found


def load_sources(strict=True):
    """All areas' translations merged: msgid (or "context\u0004msgid") → {lang: text}.
    Raises Disagreement when two files give one msgid different texts (unless not strict)."""
    if strict:
        problems = disagreements()
        if problems:
            raise Disagreement("\n".join(
                f"{msgid!r} [{lang}]: " + "; ".join(f"{f}: {t!r}" for f, t in texts.items())
                for msgid, lang, texts in problems))
    merged = {}
    for path in sorted(glob.glob(os.path.join(ROOT, "translations", "sources", "*.json"))):
        with open(path, encoding="utf-8") as fh:
            for msgid, langs in json.load(fh).items():
                merged.setdefault(msgid, {}).update(langs)
    return merged


def message_key(message):
    """The sources' key of a catalogue message: its msgid, prefixed by its context if any."""
    key = message.id if isinstance(message.id, str) else message.id[0]
    return f"{message.context}{CONTEXT_SEP}{key}" if message.context else key


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
            key = message_key(message)
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
    try:
        gaps = apply(check=check)
    except Disagreement as exc:
        print("translations/sources disagree (one msgid, one meaning; use pgettext for two):")
        print(exc)
        sys.exit(2)
    for lang, msgid in gaps:
        print(f"untranslated [{lang}]: {msgid}")
    sys.exit(1 if gaps and check else 0)
