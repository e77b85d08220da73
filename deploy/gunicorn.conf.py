"""gunicorn settings for one Tadamon instance (`gunicorn -c deploy/gunicorn.conf.py wsgi:app`).

Every instance is stateless (sessions in signed cookies checked against the database, login
throttling and every stock invariant in the database), so any number of them may serve one
PostgreSQL database behind nginx. Environment: TADAMON_BIND (127.0.0.1:8001),
WEB_CONCURRENCY (workers), GUNICORN_THREADS.
"""
import os

bind = os.environ.get("TADAMON_BIND", "127.0.0.1:8001")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
# A request longer than this is a bug or a stuck database: the worker is replaced.
timeout = 30
# On SIGTERM (systemctl stop, a deploy) requests under way finish; nginx sends new ones to
# the other instances meanwhile.
graceful_timeout = 20
keepalive = 5
# Only nginx on this host may say which scheme and client a request came from.
forwarded_allow_ips = "127.0.0.1"
proxy_allow_ips = "127.0.0.1"
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'
errorlog = "-"
# Recycle workers now and then (memory held by a large report goes back to the system).
max_requests = 5000
max_requests_jitter = 500
