"""Structured logs: JSON lines in production, readable lines at a terminal; and the one
rule that keeps secrets in URLs out of every log line.

A calendar feed's URL carries its secret (`/v1/calendar-feeds/<token>.ics`: calendar
apps send no headers), so any log line that names a request's path names the token.
`redact_path` blanks that segment; the problem handlers log paths through it and
`RedactFeedTokens` applies it to uvicorn's access log.
"""

import copy
import logging
import re
from typing import Any

import structlog

# The path segment after `calendar-feeds/`, up to the next `/`, `?`, `#`, quote or space,
# with its `.ics` kept so the line still says what was read.
_FEED_TOKEN = re.compile(r"(calendar-feeds/)[^/?#\s\"']+?(\.ics)?(?=[/?#\s\"']|$)")
ACCESS_LOGGER = "uvicorn.access"


def redact_path(text: str) -> str:
    """`text` with every calendar feed token replaced by `***`."""
    return _FEED_TOKEN.sub(lambda match: f"{match[1]}***{match[2] or ''}", text)


class RedactFeedTokens(logging.Filter):
    """Redacts feed tokens in a record's arguments and message; drops nothing.

    uvicorn's access record carries the path as one of its `args` (its formatter reads
    them by position), so each string argument is redacted in place of the whole line.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact_path(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_redacted(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: _redacted(value) for key, value in record.args.items()}
        return True


def _redacted(value: Any) -> Any:
    return redact_path(value) if isinstance(value, str) else value


def uvicorn_log_config() -> dict[str, Any]:
    """uvicorn's own logging setup, with the access log's tokens redacted (`klynge serve`)."""
    from uvicorn.config import LOGGING_CONFIG  # only `serve` needs uvicorn's defaults

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact_feed_tokens"] = {"()": RedactFeedTokens}
    config["loggers"][ACCESS_LOGGER]["filters"] = ["redact_feed_tokens"]
    return config


def _redact_access_log() -> None:
    """The same filter however the app is served (plain `uvicorn --factory`, tests):
    added once, whether or not `uvicorn_log_config` already put one there."""
    access = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(existing, RedactFeedTokens) for existing in access.filters):
        access.addFilter(RedactFeedTokens())


# Standard-library records that no logger of their own handles end here (stderr).
_STDLIB_HANDLER = logging.StreamHandler()


def configure_logging(level: str, json_lines: bool) -> None:
    """structlog for our own lines, and the same renderer for every standard-library
    logger (uvicorn's error and access logs, SQLAlchemy's echo): with JSON on, every line
    the process writes is one JSON object, request id included while a request runs."""
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer() if json_lines else structlog.dev.ConsoleRenderer()
    )
    shared: list[structlog.typing.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
    ]
    structlog.configure(
        processors=[*shared, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        # Not cached: a logger first used before the last configure_logging (an app
        # built earlier in the same process, as tests do) would keep the old renderer,
        # and the sys.stdout of that moment (whoever captures the output later).
        cache_logger_on_first_use=False,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[structlog.stdlib.add_logger_name, *shared],
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
    )
    _STDLIB_HANDLER.setFormatter(formatter)
    root = logging.getLogger()
    if _STDLIB_HANDLER not in root.handlers:
        root.addHandler(_STDLIB_HANDLER)
    root.setLevel(level.upper())
    # uvicorn's loggers bring their own handlers (its log config, applied before the app
    # is built) and do not propagate: they keep their streams and take our formatter.
    for name in ("uvicorn", "uvicorn.error", ACCESS_LOGGER):
        for handler in logging.getLogger(name).handlers:
            handler.setFormatter(formatter)
    # aiosqlite logs every call with its arguments at DEBUG: the bound values this
    # service never logs. It stays at WARNING whatever KLYNGE_LOG_LEVEL says.
    logging.getLogger("aiosqlite").setLevel(logging.WARNING)
    _redact_access_log()
