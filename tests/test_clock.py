from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from app import clock
from app.config import Settings, get_settings


def test_today_is_the_configured_zones_calendar_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "time_zone", "Pacific/Kiritimati")  # UTC+14
    kiritimati = clock.today()
    monkeypatch.setattr(get_settings(), "time_zone", "Pacific/Pago_Pago")  # UTC-11
    pago_pago = clock.today()
    assert (kiritimati - pago_pago).days in (1, 2)
    assert kiritimati == datetime.now(UTC).astimezone(ZoneInfo("Pacific/Kiritimati")).date()


def test_unknown_time_zone_is_refused_at_start_up() -> None:
    with pytest.raises(ValueError, match="unknown IANA time zone"):
        Settings(time_zone="Europe/Olso")
