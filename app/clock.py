"""What "today" is, for every rule that defaults to it (current office holders, stats,
the day a membership ends). The associations Klynge serves are in Norway and Sweden,
which share a time zone, so today is their calendar day, not UTC's: at 00:30 in Oslo
a chair whose term starts that day already holds the office."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from app.config import get_settings


def today() -> date:
    return datetime.now(ZoneInfo(get_settings().time_zone)).date()
