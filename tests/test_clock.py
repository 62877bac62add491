from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from app import clock
from app.config import get_settings


def test_today_is_the_configured_zones_calendar_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "time_zone", "Pacific/Kiritimati")  # UTC+14
    kiritimati = clock.today()
    monkeypatch.setattr(get_settings(), "time_zone", "Pacific/Pago_Pago")  # UTC-11
    pago_pago = clock.today()
    assert (kiritimati - pago_pago).days in (1, 2)
    assert kiritimati == datetime.now(UTC).astimezone(ZoneInfo("Pacific/Kiritimati")).date()
