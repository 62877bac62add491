"""An unexpected error over real HTTP (uvicorn, as `klynge serve` runs it): answered as a
problem, logged once as one JSON line naming its request id, and the kept-open
connection stays usable for the next request."""

import http.client
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI

from app.config import Settings
from app.logging import uvicorn_log_config
from app.main import create_app
from tests.server_process import free_port

MARKER = "a-bug-nobody-expected-7f3a"


@pytest.fixture
def served_with_a_bug(tmp_path: Path) -> Iterator[int]:
    """The real app in uvicorn on a thread, with one extra route that raises."""

    def factory() -> FastAPI:
        settings = Settings(
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'unused.db'}",
            environment="test",
            log_json=True,
            run_worker_in_api=False,
        )
        app = create_app(settings)

        async def explode() -> None:
            raise RuntimeError(MARKER)

        app.add_api_route("/test-only/explode", explode)
        return app

    port = free_port()
    config = uvicorn.Config(
        factory, factory=True, host="127.0.0.1", port=port, log_config=uvicorn_log_config()
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield port
    server.should_exit = True
    thread.join(timeout=10)


def test_a_500_is_answered_once_logged_once_and_keeps_the_connection(
    served_with_a_bug: int, capfd: pytest.CaptureFixture[str]
) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", served_with_a_bug, timeout=10)
    connection.request("GET", "/test-only/explode")
    failed = connection.getresponse()
    body = json.loads(failed.read())
    socket_used = connection.sock

    # The same connection serves the next request: no reset, no silent close.
    connection.request("GET", "/health/live")
    after = connection.getresponse()
    after.read()
    assert connection.sock is socket_used
    connection.close()

    assert failed.status == 500
    assert failed.getheader("Connection") != "close"
    assert failed.getheader("Content-Type") == "application/problem+json"
    request_id = failed.getheader("X-Request-ID")
    assert request_id
    assert (body["code"], body["request_id"]) == ("internal_error", request_id)
    assert MARKER not in json.dumps(body)
    assert after.status == 200

    time.sleep(0.2)  # the access log line is written after the response
    captured = capfd.readouterr()
    lines = (captured.out + captured.err).splitlines()
    mentioning = [line for line in lines if MARKER in line]
    assert len(mentioning) == 1, lines
    [logged] = [json.loads(line) for line in mentioning]
    assert (logged["event"], logged["level"], logged["request_id"]) == (
        "unhandled_error",
        "error",
        request_id,
    )
    assert "RuntimeError" in logged["exception"]
    # Every line the server wrote is JSON: no plain-text traceback beside the log.
    for line in lines:
        json.loads(line)


def test_the_callers_request_id_is_kept_and_a_bad_one_replaced(
    served_with_a_bug: int,
) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", served_with_a_bug, timeout=10)
    connection.request("GET", "/health/live", headers={"X-Request-ID": "website-4711"})
    kept = connection.getresponse()
    kept.read()
    connection.request("GET", "/health/live", headers={"X-Request-ID": "bad id\twith spaces"})
    replaced = connection.getresponse()
    replaced.read()
    connection.close()
    assert kept.getheader("X-Request-ID") == "website-4711"
    fresh = replaced.getheader("X-Request-ID") or ""
    assert len(fresh) == 32
    assert fresh != "bad id\twith spaces"
