"""The platform's one clock: its time zone (from config, via zoneinfo) and Morocco's "today".

Times are stored as naive UTC (models.cooperatives.utcnow). Everything a person reads is in
the platform's zone: BABEL_DEFAULT_TIMEZONE (or TIMEZONE) of the app's config; outside an app
(CLI scripts, benchmarks) the same setting of config.Config. No module names a zone itself.
No Flask request here: services may use it.
"""
from datetime import datetime, time, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from models.settings import setting


def _zone_name():
    """The configured zone name."""
    return setting("TIMEZONE") or setting("BABEL_DEFAULT_TIMEZONE")


@lru_cache(maxsize=8)
def _zone(name):
    """A zoneinfo zone, cached per name."""
    return ZoneInfo(name)


def platform_tz():
    """The platform's time zone as a zoneinfo object (never pytz)."""
    return _zone(_zone_name())


def now_local():
    """Now, aware, in the platform's zone."""
    return datetime.now(platform_tz())


def today():
    """Today's date in the platform's zone (Morocco's date, not the server's)."""
    return now_local().date()


def to_local(moment):
    """A stored naive-UTC (or aware) datetime as an aware datetime in the platform's zone."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(platform_tz())


def local_midnight_utc(day, tz=None):
    """00:00 local time on `day`, as a naive UTC datetime (how rows are stored)."""
    aware = datetime.combine(day, time()).replace(tzinfo=tz or platform_tz())
    return aware.astimezone(timezone.utc).replace(tzinfo=None)


def local_day(moment):
    """The platform-local date of a stored naive-UTC datetime."""
    local = to_local(moment)
    return local.date() if local is not None else None


__all__ = ["platform_tz", "now_local", "today", "to_local", "local_midnight_utc", "local_day"]
