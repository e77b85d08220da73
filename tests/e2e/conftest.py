"""Browser tests: the app served by gunicorn on a free port, driven by Debian's Chromium.

`make e2e` runs them; the default `pytest` run deselects them (marker `e2e`, see pytest.ini).

- `live_server` (session): the demo data is migrated and seeded once per run through the CLI
  (`flask db upgrade`, `flask seed-demo`) into one SQLite database; each xdist worker serves its
  own copy of it with gunicorn on 127.0.0.1. A worker's tests share that copy: a test that
  changes data should create its own (unique names) rather than rely on another test's
  leftovers, and `helpers.login` puts the page in French unless told otherwise.
- `browser` (session): Chromium from Debian (`/usr/bin/chromium`); Playwright downloads nothing.
- `page`: a fresh browser context (own cookies) per test, at desktop size; `phone_page` at
  375x667. A failing test leaves a screenshot in tests/e2e/screenshots/.

Helpers to sign in, switch language and inspect the layout live in tests/e2e/helpers.py.
"""
import contextlib
import fcntl
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 667}

try:  # `make test` need not have Playwright: then these modules are not even collected.
    import playwright  # noqa: F401
except ImportError:
    collect_ignore_glob = ["test_*.py"]


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Every test under tests/e2e is a browser test, whatever its module says (marked before
    `-m "not e2e"` deselects)."""
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.e2e)
            # Under pytest-xdist (`make e2e`, --dist loadgroup) a module's tests stay together in
            # one worker, in order, on that worker's own server; the accessibility crawls (one
            # per role and language) spread over the workers.
            if not Path(str(item.fspath)).name.startswith("test_a11y"):
                item.add_marker(pytest.mark.xdist_group(Path(str(item.fspath)).name))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item, so fixtures know whether the test failed."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@dataclass
class LiveServer:
    """The running app: its base URL, database and log file."""

    url: str
    database_url: str
    log: Path
    process: subprocess.Popen

    def log_tail(self, lines=40):
        """The end of gunicorn's log (for failure messages)."""
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def free_port():
    """A TCP port nobody listens on at this moment."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(database_url):
    """The environment of the CLI and gunicorn: development config on the temporary database."""
    env = {k: v for k, v in os.environ.items() if k not in ("TADAMON_NO_APP", "TEST_DATABASE_URL")}
    env.update({"TADAMON_CONFIG": "development", "DATABASE_URL": database_url,
                "SECRET_KEY": "e2e-tests-secret-key-not-for-production", "PYTHONUNBUFFERED": "1"})
    return env


def run_cli(env, *args):
    """`flask --app wsgi <args>` with the venv running these tests."""
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def wait_until_up(server, timeout=30):
    """Poll the login page until gunicorn answers; fail with its log if it dies or hangs."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited ({server.process.returncode}):\n{server.log_tail()}")
        try:
            with urllib.request.urlopen(server.url + "/login", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within {timeout} s:\n{server.log_tail()}")


def _run_root(tmp):
    """The temporary folder of this whole run, shared by every xdist worker
    (/tmp/pytest-of-<user>/pytest-<n>), found above a test's temporary folder."""
    for folder in (tmp, *tmp.parents):
        if re.fullmatch(r"pytest-\d+", folder.name):
            return folder
    return tmp


def seeded_database(tmp, name):
    """A copy of the run's one seeded database, at `tmp/name.sqlite`: the demo data is migrated
    and seeded once per run (`flask db upgrade`, `flask seed-demo`, under a file lock, by the
    first worker that needs it), then every server of the run starts from a copy of it."""
    root = _run_root(tmp)
    template = root / "seeded.sqlite"
    with open(root / "seeded.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not template.exists():
            building = root / "seeded.building.sqlite"
            building.unlink(missing_ok=True)
            env = server_env(f"sqlite:///{building}")
            run_cli(env, "db", "upgrade")
            run_cli(env, "seed-demo")
            building.rename(template)
        fcntl.flock(lock, fcntl.LOCK_UN)
    target = tmp / (name + ".sqlite")
    source, copy = sqlite3.connect(template), sqlite3.connect(target)
    with source, copy:  # the backup API: a consistent copy whatever the journal mode
        source.backup(copy)
    source.close()
    copy.close()
    return f"sqlite:///{target}"  # an absolute path: sqlite:////tmp/...


@contextlib.contextmanager
def seeded_server(tmp, name):
    """gunicorn serving the app on its own copy of the run's seeded SQLite database
    (`tmp/name.sqlite`), stopped when the block ends."""
    database_url = seeded_database(tmp, name)
    env = server_env(database_url)
    port = free_port()
    log = tmp / "gunicorn.log"
    with open(log, "wb") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1",
             "--threads", "4", "--access-logfile", "-", "wsgi:app"],
            cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT)
    server = LiveServer(f"http://127.0.0.1:{port}", database_url, log, process)
    try:
        wait_until_up(server)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """gunicorn serving the app on a migrated, seeded temporary SQLite database."""
    with seeded_server(tmp_path_factory.mktemp("e2e"), "e2e") as server:
        yield server


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, launched once for the session."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make e2e` installs Debian's chromium")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _screenshot_name(nodeid):
    """A file name from a test id: tests/e2e/test_x.py::test_y[a-b] → test_x.py__test_y_a-b_.png"""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid.split("/")[-1]).strip("_") + ".png"


def _new_page(request, browser, live_server, viewport):
    """A page in a fresh context (own cookies); screenshot on failure, closed afterwards."""
    context = browser.new_context(base_url=live_server.url, viewport=viewport, locale="fr-FR")
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors  # a test may assert there were no JavaScript errors
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        SCREENSHOTS.mkdir(exist_ok=True)
        try:
            page.screenshot(path=str(SCREENSHOTS / _screenshot_name(request.node.nodeid)),
                            full_page=True)
        except Exception as exc:  # a crashed page must not hide the test's own failure
            print(f"screenshot failed: {exc}")
    context.close()


@pytest.fixture
def page(request, browser, live_server):
    """A desktop-sized page (1280x800) on the live server; relative URLs work."""
    yield from _new_page(request, browser, live_server, DESKTOP)


@pytest.fixture
def phone_page(request, browser, live_server):
    """A phone-sized page (375x667)."""
    yield from _new_page(request, browser, live_server, PHONE)
