"""`make deploy-check`: two app instances behind nginx on one PostgreSQL, on this machine.

1. A fresh PostgreSQL database (local server, started when down), migrated, demo data, and two
   lots at the airport shop: one with plenty of units, one with its last LAST_UNITS units.
2. Two gunicorn instances (deploy/gunicorn.conf.py, production config) on two free ports of
   127.0.0.1, nginx in front (deploy/nginx/tadamon-proxy.conf, an upstream of the two) on a
   third; /readyz through nginx.
3. CLIENTS tills sell through nginx at once: each first tries one of the last units, then
   SALES_PER_CLIENT sales of the plentiful lot. A third of the way in, instance A is stopped
   (SIGTERM, as `systemctl stop`); nginx sends the rest to B. A till whose request failed sends
   the same sale again (same client_ref), as the real till does.
4. Checks: exactly LAST_UNITS of the last-unit sales succeed and the others are refused 409;
   every other sale succeeded exactly once; the database holds exactly the sales answered 201;
   the balances are what was sold; `flask integrity-check` is clean.
Prints the figures (throughput, latencies, retries, requests per instance). Traffic goes to
127.0.0.1 only; every loop is bounded.
"""
import base64
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PG = os.environ.get("DEPLOY_CHECK_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")
DATABASE = "tadamon_deploy_check"
CLIENTS = 16
SALES_PER_CLIENT = 25
LAST_UNITS = 5
PLENTY = 10_000
RETRIES = 5
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
PYTHON = os.path.join(ROOT, ".venv", "bin", "python")
GUNICORN = os.path.join(ROOT, ".venv", "bin", "gunicorn")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def log(message):
    print(f"[deploy-check] {message}", flush=True)


def app_env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in ("TEST_DATABASE_URL",)}
    env.update({"TADAMON_CONFIG": "production", "DATABASE_URL": f"{PG}/{DATABASE}",
                "SECRET_KEY": "deploy-check-secret-0123456789", "SESSION_COOKIE_SECURE": "0",
                "TADAMON_NO_APP": "", "PYTHONPATH": ROOT})
    env.update(extra)
    return env


def flask(*args, check=True):
    return subprocess.run([PYTHON, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=app_env(),
                          capture_output=True, text=True, check=check)


def ensure_postgres():
    if subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"]).returncode != 0:
        log("starting PostgreSQL")
        version = sorted(os.listdir("/etc/postgresql"))[0]
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"], check=True)
        for _ in range(30):
            if subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"]).returncode == 0:
                break
            time.sleep(1)


def prepare_database():
    psql = ["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-c"]
    subprocess.run(psql + [f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)"], check=True)
    subprocess.run(psql + [f"CREATE DATABASE {DATABASE}"], check=True)
    flask("db", "upgrade")
    flask("seed-demo")
    script = f"""
import os
from datetime import date, timedelta
from decimal import Decimal
from sqlalchemy import select
from wsgi import create_app
from extensions import db
from models.catalogue import Product
from models.cooperatives import Cooperative
from models.ledger import move
from models.masterdata import virtual_location
from models.stock import Location, Lot
app = create_app()
with app.app_context():
    product = db.session.execute(select(Product).where(Product.sku == "DAT-AZ-500")).scalar_one()
    coop = db.session.execute(select(Cooperative).where(Cooperative.registration_number == "ODCO-2008-0412")).scalar_one()
    shop = db.session.execute(select(Location).where(Location.code == "SHOP-AIRPORT")).scalar_one()
    for code, units in (("DC-PLENTY", {PLENTY}), ("DC-LAST", {LAST_UNITS})):
        lot = Lot(code=code, product=product, cooperative=coop, best_before=date.today() + timedelta(days=300))
        db.session.add(lot)
        db.session.flush()
        move(lot.id, Decimal(units), virtual_location("SUPPLIERS").id, shop.id, kind="reception")
    db.session.commit()
    print(shop.id)
"""
    out = subprocess.run([PYTHON, "-c", script], cwd=ROOT, env=app_env(), capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(out.stderr)
    return int(out.stdout.strip().splitlines()[-1])


def start_instance(port, workdir):
    logfile = open(os.path.join(workdir, f"gunicorn-{port}.log"), "w")
    process = subprocess.Popen([GUNICORN, "-c", "deploy/gunicorn.conf.py", "wsgi:app"], cwd=ROOT,
                               env=app_env(TADAMON_BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="2",
                                           GUNICORN_THREADS="4"),
                               stdout=logfile, stderr=subprocess.STDOUT, start_new_session=True)
    return process, logfile


def start_nginx(workdir, port, upstreams):
    conf = os.path.join(workdir, "nginx.conf")
    servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=10s;" for p in upstreams)
    with open(conf, "w") as fh:
        fh.write(f"""
worker_processes 2;
pid {workdir}/nginx.pid;
error_log {workdir}/nginx-error.log warn;
events {{ worker_connections 512; }}
http {{
    access_log {workdir}/nginx-access.log;
    client_body_temp_path {workdir}/body;
    proxy_temp_path {workdir}/proxy;
    fastcgi_temp_path {workdir}/fastcgi;
    uwsgi_temp_path {workdir}/uwsgi;
    scgi_temp_path {workdir}/scgi;
    upstream tadamon {{
{servers}
        keepalive 16;
    }}
    server {{
        listen 127.0.0.1:{port};
        include {ROOT}/deploy/nginx/tadamon-proxy.conf;
    }}
}}
""")
    subprocess.run([NGINX, "-t", "-q", "-c", conf, "-p", workdir], check=True)
    return subprocess.Popen([NGINX, "-c", conf, "-p", workdir, "-g", "daemon off;"],
                            start_new_session=True)


def wait_ready(url, timeout=40):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        time.sleep(0.3)
    raise SystemExit(f"{url} not ready after {timeout} s")


def call(base, method, path, body=None, headers=None, timeout=40):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        payload = exc.read()
        try:
            return exc.code, json.loads(payload)
        except ValueError:
            return exc.code, payload[:200]
    except (urllib.error.URLError, ConnectionError, OSError) as exc:
        return None, str(exc)


class Till(threading.Thread):
    """One client: a last-unit sale, then its sales, each retried with the same client_ref."""

    def __init__(self, index, base, headers, shop_id, progress):
        super().__init__()
        self.index, self.base, self.headers, self.shop_id = index, base, headers, shop_id
        self.progress = progress
        self.results, self.latencies, self.retries = [], [], 0
        self.retried = []  # what made a till send a sale again (status or connection error)

    def sell(self, ref, lot_code):
        body = {"location_id": self.shop_id, "client_ref": ref,
                "lines": [{"barcode": lot_code, "quantity": "1"}],
                "payments": [{"method": "cash", "amount": "100.00"}]}
        for attempt in range(RETRIES):
            start = time.perf_counter()
            status, payload = call(self.base, "POST", "/api/v1/sales", body, self.headers)
            self.latencies.append(time.perf_counter() - start)
            if status in (201, 200, 409, 422):
                return status
            self.retries += 1
            self.retried.append(status if status is not None else "connection error")
            time.sleep(0.2 * (attempt + 1))
        return status

    def run(self):
        self.results.append(("last", self.sell(f"dc-{self.index}-last", "DC-LAST")))
        for n in range(SALES_PER_CLIENT):
            self.results.append(("plenty", self.sell(f"dc-{self.index}-{n}", "DC-PLENTY")))
            self.progress.append(1)


def count_requests(logpath):
    try:
        with open(logpath) as fh:
            return sum(1 for line in fh if '"POST /api/v1/sales' in line)
    except OSError:
        return 0


def main():
    if not os.path.exists(NGINX):
        raise SystemExit("nginx is not installed (make deploy-check installs Debian's package)")
    ensure_postgres()
    workdir = tempfile.mkdtemp(prefix="tadamon-deploy-")
    processes = []
    try:
        log("database: migrate, demo data, lots")
        shop_id = prepare_database()
        ports = [free_port(), free_port()]
        nginx_port = free_port()
        instances = [start_instance(p, workdir) for p in ports]
        processes += [p for p, _f in instances]
        for port in ports:
            wait_ready(f"http://127.0.0.1:{port}/readyz")
        nginx = start_nginx(workdir, nginx_port, ports)
        processes.append(nginx)
        base = f"http://127.0.0.1:{nginx_port}"
        wait_ready(base + "/readyz")
        log(f"instances on {ports[0]} and {ports[1]}, nginx on {nginx_port}: ready")

        basic = base64.b64encode(b"caissier:demo-caissier").decode()
        status, payload = call(base, "POST", "/api/v1/tokens", headers={"Authorization": f"Basic {basic}"})
        assert status == 201, (status, payload)
        headers = {"Authorization": f"Bearer {payload['token']}"}
        status, payload = call(base, "POST", "/api/v1/cash-sessions",
                               {"location_id": shop_id, "opening_float": "500.00"}, headers)
        assert status == 201 or (status == 409 and payload["error"]["code"] == "session_already_open"), payload

        progress = []
        tills = [Till(i, base, headers, shop_id, progress) for i in range(CLIENTS)]
        started = time.perf_counter()
        for till in tills:
            till.start()
        stop_at = CLIENTS * SALES_PER_CLIENT // 3
        deadline = time.time() + 120
        while len(progress) < stop_at and time.time() < deadline:
            time.sleep(0.05)
        stopped_after = len(progress)
        instances[0][0].send_signal(signal.SIGTERM)
        log(f"instance A ({ports[0]}) stopped (SIGTERM) after {stopped_after} sales")
        for till in tills:
            till.join(timeout=300)
        elapsed = time.perf_counter() - started
        instances[0][0].wait(timeout=30)

        results = [r for till in tills for r in till.results]
        last = [status for kind, status in results if kind == "last"]
        plenty = [status for kind, status in results if kind == "plenty"]
        latencies = sorted(l for till in tills for l in till.latencies)
        retries = sum(till.retries for till in tills)
        failures = []
        if last.count(201) != LAST_UNITS or last.count(409) != CLIENTS - LAST_UNITS:
            failures.append(f"last units: {last.count(201)} sold, {last.count(409)} refused; "
                            f"expected {LAST_UNITS} and {CLIENTS - LAST_UNITS}: {last}")
        if plenty.count(201) != CLIENTS * SALES_PER_CLIENT:
            failures.append(f"sales lost: {plenty.count(201)} of {CLIENTS * SALES_PER_CLIENT}: "
                            f"{sorted(set(plenty), key=str)}")

        check = f"""
from sqlalchemy import func, select, text
from wsgi import create_app
from extensions import db
app = create_app()
with app.app_context():
    sales = db.session.execute(text("SELECT count(*) FROM sales WHERE client_ref LIKE 'dc-%'")).scalar()
    refs = db.session.execute(text("SELECT count(DISTINCT client_ref) FROM sales WHERE client_ref LIKE 'dc-%'")).scalar()
    q = {{code: db.session.execute(text("SELECT b.quantity FROM stock_balances b JOIN lots l ON l.id = b.lot_id "
                                       "WHERE l.code = :c AND b.location_id = :s"), {{"c": code, "s": {shop_id}}}).scalar()
         for code in ("DC-PLENTY", "DC-LAST")}}
    print(sales, refs, q["DC-PLENTY"], q["DC-LAST"])
"""
        out = subprocess.run([PYTHON, "-c", check], cwd=ROOT, env=app_env(), capture_output=True, text=True)
        sales, refs, plenty_left, last_left = out.stdout.split()[-4:]
        expected_sales = LAST_UNITS + CLIENTS * SALES_PER_CLIENT
        if int(sales) != expected_sales or int(refs) != expected_sales:
            failures.append(f"database holds {sales} sales ({refs} client refs), expected {expected_sales}")
        if float(plenty_left) != PLENTY - CLIENTS * SALES_PER_CLIENT or float(last_left) != 0:
            failures.append(f"balances: {plenty_left} and {last_left} left")
        integrity = flask("integrity-check", check=False)
        if integrity.returncode != 0:
            failures.append("integrity-check: " + integrity.stdout + integrity.stderr)

        served = [count_requests(os.path.join(workdir, f"gunicorn-{p}.log")) for p in ports]
        figures = {
            "clients": CLIENTS, "sales answered": len(results),
            "sales recorded": int(sales), "last units sold / refused": f"{last.count(201)} / {last.count(409)}",
            "elapsed s": round(elapsed, 2), "sales per s": round(len(results) / elapsed, 1),
            "latency p50 ms": round(statistics.median(latencies) * 1000, 1),
            "latency p95 ms": round(latencies[int(len(latencies) * 0.95)] * 1000, 1),
            "latency max ms": round(latencies[-1] * 1000, 1),
            "till retries": retries,
            "retried on": sorted({str(r) for till in tills for r in till.retried}),
            "stopped A after sales": stopped_after,
            "sale requests served by A / B": f"{served[0]} / {served[1]}",
            "integrity-check": integrity.stdout.strip().splitlines()[-1] if integrity.stdout.strip() else "failed",
        }
        for key, value in figures.items():
            log(f"{key:32} {value}")
        if failures:
            for failure in failures:
                log("FAILED: " + failure)
            log(f"logs kept in {workdir}")
            return 1
        log("passed")
        return 0
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


if __name__ == "__main__":
    sys.exit(main())
