"""The platform's one clock: its time zone (from config, via zoneinfo) and Morocco's "today".

Times are stored as naive UTC (models.cooperatives.utcnow). Everything a person reads is in
the platform's zone: BABEL_DEFAULT_TIMEZONE (or TIMEZONE) of the app's config; outside an app
(CLI scripts, benchmarks) the same setting of config.Config. No module names a zone itself.
No Flask request here: services may use it.
"""
from datetime import datetime, time, timedelta, timezone
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


class LocalIso:
    """Stored naive-UTC times (SQLite's ISO text or a datetime) as local ISO 8601 text with
    seconds and offset, exactly `to_local(t).isoformat(timespec="seconds")`
    ("2026-03-02T10:00:27+01:00"), for exports of tens of thousands of rows.

    The zone is asked once per UTC hour of the period, not once per row: within an hour whose
    start and end have the same whole-hour offset (every hour of Morocco's year, Ramadan's
    changes included: they happen on the hour), the local text is the UTC text with its hour
    shifted. Any other hour (a change inside it, a zone off by minutes) is converted row by row."""

    _HOUR = timedelta(hours=1)
    _LAST = timedelta(minutes=59, seconds=59, microseconds=999999)

    def __init__(self, tz=None):
        self.tz = tz or platform_tz()
        self.hours = {}

    def _hour(self, key):
        """(local "YYYY-MM-DDTHH", "+HH:MM") of a UTC hour "YYYY-MM-DD HH", or None."""
        try:
            start = datetime.fromisoformat(key[:10] + " " + key[11:13] + ":00:00")
        except ValueError:
            return None
        first = start.replace(tzinfo=timezone.utc).astimezone(self.tz)
        last = (start + self._LAST).replace(tzinfo=timezone.utc).astimezone(self.tz)
        offset = first.utcoffset()
        if offset != last.utcoffset() or offset % self._HOUR:
            return None
        text = first.isoformat(timespec="seconds")
        return text[:13], text[19:]

    def __call__(self, stored):
        """The local ISO text of a stored time ("" for None)."""
        if stored is None:
            return ""
        if isinstance(stored, str):
            text = stored
        elif stored.tzinfo is None:
            text = str(stored)
        else:
            return stored.astimezone(self.tz).isoformat(timespec="seconds")
        key = text[:13]
        hour = self.hours.get(key, False)
        if hour is False:
            hour = self.hours[key] = self._hour(key)
        if hour is None or len(text) < 19 or text[16] != ":" or text[19:20] not in ("", "."):
            moment = datetime.fromisoformat(text) if isinstance(stored, str) else stored
            return moment.replace(tzinfo=timezone.utc).astimezone(self.tz).isoformat(timespec="seconds")
        return hour[0] + text[13:19] + hour[1]


__all__ = ["platform_tz", "now_local", "today", "to_local", "local_midnight_utc", "local_day", "LocalIso"]
