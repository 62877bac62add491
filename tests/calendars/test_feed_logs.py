"""A feed's URL is its secret: no log line ever carries the token, neither the problem
handlers' nor uvicorn's access log."""

import logging
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine
from uvicorn.logging import AccessFormatter

from app.calendars import service
from app.logging import RedactFeedTokens, redact_path, uvicorn_log_config
from tests.calendars.helpers import add_meeting, feed_path, make_token, open_network, parse
from tests.helpers import assert_problem

pytestmark = pytest.mark.usefixtures("backend")

UNKNOWN_TOKEN = "Zm9yZ290dGVuLXRva2VuLXRoYXQtbmV2ZXItd2FzLW1hZGUx"


def _logged(capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture) -> str:
    """Everything the server logged: structlog's lines and stdlib records. The test's own
    HTTP client (httpx) logs the URLs it asks for; that is the caller, not the server."""
    captured = capsys.readouterr()
    server = [record for record in caplog.records if not record.name.startswith("httpx")]
    return (
        captured.out
        + captured.err
        + "\n".join(record.getMessage() for record in server)
        + repr([record.__dict__ for record in server])
    )


def _log_everything(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="sqlalchemy.engine")


async def test_feed_tokens_stay_out_of_the_logs_when_reading_fails(
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    network_id = await open_network(client)
    await add_meeting(engine, network_id)
    token = await make_token(client, kind="network", network_id=network_id)
    secret = token["token"]
    _log_everything(caplog)

    parse(await client.get(feed_path(token)))
    unknown = await client.get(f"/v1/calendar-feeds/{UNKNOWN_TOKEN}.ics")
    assert_problem(unknown, 404, "calendar_feed_not_found")

    # The handlers that log the request's path: the database down, and a bug.
    async def unavailable(*_args: Any, **_kwargs: Any) -> bytes:
        raise OperationalError("SELECT 1", {}, ConnectionRefusedError(111, "Connect call failed"))

    async def broken(*_args: Any, **_kwargs: Any) -> bytes:
        raise RuntimeError("a bug")

    monkeypatch.setattr(service, "read_feed", unavailable)
    assert_problem(await client.get(feed_path(token)), 503, "database_unavailable")
    monkeypatch.setattr(service, "read_feed", broken)
    assert_problem(await client.get(feed_path(token)), 500, "internal_error")

    logged = _logged(capsys, caplog)
    # The capture works: the feed's SQL and both problems were logged, with the path.
    assert "calendar_tokens" in logged
    assert "database_unavailable" in logged
    assert "unhandled_error" in logged
    assert "/v1/calendar-feeds/***.ics" in logged
    assert secret not in logged
    assert UNKNOWN_TOKEN not in logged


def test_the_access_log_shows_feed_paths_redacted(
    application: FastAPI, caplog: pytest.LogCaptureFixture
) -> None:
    """As uvicorn logs a request, through the filter `configure_logging` installs (making
    the `application` called it), however the app is served."""
    caplog.set_level(logging.INFO, logger="uvicorn.access")
    logging.getLogger("uvicorn.access").info(
        '%s - "%s %s HTTP/%s" %d',
        "192.0.2.7:51234",
        "GET",
        f"/v1/calendar-feeds/{UNKNOWN_TOKEN}.ics",
        "1.1",
        404,
    )
    (record,) = [r for r in caplog.records if r.name == "uvicorn.access"]
    assert record.getMessage() == (
        '192.0.2.7:51234 - "GET /v1/calendar-feeds/***.ics HTTP/1.1" 404'
    )


def test_serves_access_log_config_redacts_a_sample_record() -> None:
    """`klynge serve` hands uvicorn this config: its access logger filters, and uvicorn's
    own access formatter still reads the record's arguments."""
    config = uvicorn_log_config()
    assert config["loggers"]["uvicorn.access"]["filters"] == ["redact_feed_tokens"]
    make_filter = config["filters"]["redact_feed_tokens"]["()"]
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("192.0.2.7:51234", "GET", f"/v1/calendar-feeds/{UNKNOWN_TOKEN}.ics?x=1", "1.1", 200),
        None,
    )
    assert make_filter().filter(record) is True
    formatter = AccessFormatter(fmt=config["formatters"]["access"]["fmt"], use_colors=False)
    line = formatter.format(record)
    assert UNKNOWN_TOKEN not in line
    assert '"GET /v1/calendar-feeds/***.ics?x=1 HTTP/1.1" 200' in line


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/v1/calendar-feeds/abc-_9.ics", "/v1/calendar-feeds/***.ics"),
        ("/v1/calendar-feeds/abc", "/v1/calendar-feeds/***"),
        ("/v1/calendar-feeds/abc/more", "/v1/calendar-feeds/***/more"),
        (
            '"GET /v1/calendar-feeds/a%2Fb.ics HTTP/1.1"',
            '"GET /v1/calendar-feeds/***.ics HTTP/1.1"',
        ),
        ("/v1/meetings/0b6f7c1e.ics", "/v1/meetings/0b6f7c1e.ics"),
        ("/v1/calendar-tokens/0b6f7c1e", "/v1/calendar-tokens/0b6f7c1e"),
    ],
)
def test_redact_path(text: str, expected: str) -> None:
    assert redact_path(text) == expected


def test_the_filter_redacts_messages_and_keeps_other_arguments() -> None:
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "read /v1/calendar-feeds/s3cret.ics %s", (7,), None
    )
    RedactFeedTokens().filter(record)
    assert record.getMessage() == "read /v1/calendar-feeds/***.ics 7"
