"""Every user-facing string is marked and translated in French and Arabic; Arabic is RTL."""
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent


def extracted_msgids(tmp_path):
    """The msgids pybabel finds in the code and templates today."""
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
         "-k", "_l", "-k", "lazy_gettext", "-k", "ngettext:1,2", "-k", "lazy_pgettext:1c,2",
         "--ignore-dirs=.* _* .venv tests bench migrations instance node_modules",
         "-o", str(pot), "."],
        cwd=ROOT, check=True, capture_output=True)
    with open(pot, "rb") as fh:
        return {(f"{m.context}\u0004" if m.context else "") + (m.id if isinstance(m.id, str) else m.id[0])
                for m in read_po(fh) if m.id}


def test_every_string_has_french_and_arabic(tmp_path):
    sys.path.insert(0, str(ROOT / "tools"))
    from apply_translations import load_sources

    sources = load_sources()
    missing = sorted(
        f"{lang}: {msgid}" for msgid in extracted_msgids(tmp_path) for lang in ("fr", "ar")
        if not sources.get(msgid, {}).get(lang))
    assert not missing, "untranslated (add them to translations/sources/<area>.json):\n" + "\n".join(missing[:50])


def test_arabic_page_is_right_to_left(client):
    client.post("/lang/ar")
    html = client.get("/login").get_data(as_text=True)
    assert 'dir="rtl"' in html and 'lang="ar"' in html
    assert "bootstrap.rtl.min.css" in html
    assert "تسجيل الدخول" in html  # "Sign in"


def test_french_is_the_default(client):
    html = client.get("/login", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert 'lang="fr"' in html and 'dir="ltr"' in html and "Se connecter" in html


def test_language_is_kept_per_user(app, auth):
    from extensions import db
    from models.users import User

    client = auth.client_for("admin")
    client.post("/lang/ar")
    assert db.session.execute(db.select(User.locale).where(User.username == "admin")).scalar() == "ar"
    fresh = auth.client_for("admin")
    assert 'dir="rtl"' in fresh.get("/account").get_data(as_text=True)
