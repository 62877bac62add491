"""Settings, read from the environment with the ``KLYNGE_`` prefix (or a ``.env`` file)."""

import ipaddress
from functools import lru_cache
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from app.db import DatabaseTimeouts

# Time allowed for recording one outbox message's outcome, on top of its SMTP deadline.
MAIL_RECORD_SECONDS = 5.0

# The shortest signing secret accepted (HS256 wants 256 bits; a random 32-character
# text is about that).
JWT_SECRET_MIN_LENGTH = 32


class Settings(BaseSettings):
    # hide_input_in_errors: a refused setting must not print the secrets beside it (the
    # SMTP password, the JWT secret) into the start-up error and the logs.
    model_config = SettingsConfigDict(
        env_prefix="KLYNGE_", env_file=".env", extra="ignore", hide_input_in_errors=True
    )

    environment: Literal["development", "test", "production"] = "development"
    # A file in the working directory, so `klynge serve` works with no server at all.
    database_url: str = "sqlite+aiosqlite:///./klynge.db"
    database_pool_size: int = Field(default=10, ge=1)
    database_echo: bool = False
    # Give up on PostgreSQL after this long and answer 503 (see DatabaseTimeouts).
    database_connect_timeout_seconds: float = Field(default=DatabaseTimeouts.connect, gt=0)
    database_statement_timeout_seconds: float = Field(default=DatabaseTimeouts.statement, gt=0)
    database_command_timeout_seconds: float = Field(default=DatabaseTimeouts.command, gt=0)
    database_pool_timeout_seconds: float = Field(default=DatabaseTimeouts.pool, gt=0)
    # Pooled connections are replaced after this long (below any idle limit between
    # Klynge and PostgreSQL: a firewall's, PgBouncer's server_lifetime).
    database_pool_recycle_seconds: float = Field(default=DatabaseTimeouts.recycle, gt=0)
    # /health/ready answers 503 when the database has not answered within this.
    health_timeout_seconds: float = Field(default=2, gt=0)

    # Request bodies larger than this are refused (413) before they are read whole; bank
    # files (POST /v1/payments/batches, up to 5,000 payments) have their own limit.
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    max_bank_file_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)

    # Idempotency keys are kept at least this long; the issue asks for 24 hours minimum.
    idempotency_key_ttl_hours: int = Field(default=24, ge=24)

    # The calendar day rules default to ("today") is this zone's.
    time_zone: str = "Europe/Oslo"

    # Signs access tokens (and keys the HMACs of idempotency fingerprints and odd logins).
    # No default: a value in the code would sign tokens for every copy of it. The API
    # refuses to start without one (app/auth/signing_secret.py); `make run` writes a
    # random one into .env (`klynge ensure-secret`).
    jwt_secret: SecretStr = SecretStr("")
    access_token_minutes: int = Field(default=15, ge=1, le=1440)
    refresh_token_days: int = Field(default=30, ge=1, le=365)
    # Wrong passwords allowed within the window, per account and per client address.
    sign_in_failures_per_account: int = Field(default=5, ge=1)
    sign_in_failures_per_address: int = Field(default=20, ge=1)
    sign_in_failure_window_minutes: int = Field(default=15, ge=1)
    # Origins (e.g. the cluster's website) allowed to call the API from a browser:
    # KLYNGE_CORS_ORIGINS=https://www.example.no,https://admin.example.no
    cors_origins: Annotated[list[str], NoDecode] = []

    # The address the API is reached at from outside (https://klynge.example.no): calendar
    # feed links use it. Unset, a request's own base URL is used.
    public_url: str | None = None

    # E-mail. With no SMTP host, mail stays queued in the outbox (`klynge outbox` lists it)
    # and nothing is lost; set the host and the sender delivers the queue.
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    # "starttls" upgrades a plain connection (port 587), "tls" is TLS from the first byte
    # (port 465), "none" sends in clear (a relay on the same host, the tests' server).
    smtp_security: Literal["starttls", "tls", "none"] = "starttls"
    # Sign in with both or neither (refused at start-up otherwise).
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    # A CA bundle (PEM file) for a mail server with a private certificate, trusted in
    # addition to the system's CAs; unset, the system's trust alone. The certificate is
    # always verified, host name included.
    smtp_ca_file: str | None = None
    smtp_timeout_seconds: float = Field(default=30, gt=0)
    mail_from: str = "Klynge <klynge@localhost>"
    # The outbox sender runs inside `klynge serve` unless this is false; deployments with
    # several API workers run one `klynge worker` instead (any number may run).
    run_worker_in_api: bool = True
    outbox_poll_seconds: float = Field(default=5, gt=0)
    outbox_max_attempts: int = Field(default=8, ge=1)
    # How long a sender's claim on one message lasts; a sender that died mid-send leaves
    # the message to be tried again after this. It must outlast one message's worst case
    # (connect and send, each within the SMTP timeout), or a live send could be repeated.
    outbox_claim_seconds: int = Field(default=300, ge=10)

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_json: bool = True

    host: str = "127.0.0.1"
    port: int = 8000
    # Peers whose X-Forwarded-For / X-Forwarded-Proto `klynge serve` believes (uvicorn's
    # forwarded_allow_ips): the load balancer's addresses or networks, comma-separated,
    # or "*" for any peer. Only then is the client's address (the sign-in limit per
    # address, the logs) the real client's rather than the balancer's.
    # KLYNGE_FORWARDED_ALLOW_IPS=10.0.0.5,10.0.1.0/24
    forwarded_allow_ips: str = "127.0.0.1"

    @model_validator(mode="after")
    def _no_development_secret_in_production(self) -> "Settings":
        secret = self.jwt_secret.get_secret_value()
        if self.environment == "production" and len(secret) < JWT_SECRET_MIN_LENGTH:
            raise ValueError(
                "KLYNGE_JWT_SECRET must be set to a random value of 32+ characters in production"
            )
        return self

    @property
    def database_timeouts(self) -> DatabaseTimeouts:
        return DatabaseTimeouts(
            connect=self.database_connect_timeout_seconds,
            statement=self.database_statement_timeout_seconds,
            command=self.database_command_timeout_seconds,
            pool=self.database_pool_timeout_seconds,
            recycle=self.database_pool_recycle_seconds,
        )

    @model_validator(mode="after")
    def _client_outwaits_the_server(self) -> "Settings":
        # The server's statement_timeout cancels a slow statement with a clear error; a
        # client limit below it would cut the connection first and lose that error.
        if self.database_command_timeout_seconds <= self.database_statement_timeout_seconds:
            raise ValueError(
                "KLYNGE_DATABASE_COMMAND_TIMEOUT_SECONDS must exceed "
                "KLYNGE_DATABASE_STATEMENT_TIMEOUT_SECONDS"
            )
        return self

    @property
    def mail_deadline_seconds(self) -> float:
        """Seconds one message may take, from connecting to the server's last reply."""
        return 2 * self.smtp_timeout_seconds

    @property
    def longest_mail_seconds(self) -> float:
        """One outbox message's worst case: its deadline and the recording of its outcome."""
        return self.mail_deadline_seconds + MAIL_RECORD_SECONDS

    @model_validator(mode="after")
    def _claim_outlasts_one_message(self) -> "Settings":
        worst_case = self.longest_mail_seconds
        if self.outbox_claim_seconds <= worst_case:
            raise ValueError(
                f"KLYNGE_OUTBOX_CLAIM_SECONDS must exceed {worst_case:g} s (twice "
                "KLYNGE_SMTP_TIMEOUT_SECONDS plus 5), the longest one message may take"
            )
        return self

    @model_validator(mode="after")
    def _smtp_login_complete(self) -> "Settings":
        # One without the other would send unauthenticated, or fail on every connection,
        # without saying why; an empty value counts as unset (KLYNGE_SMTP_PASSWORD=).
        has_username = bool(self.smtp_username)
        has_password = bool(self.smtp_password and self.smtp_password.get_secret_value())
        if has_username != has_password:
            given, missing = (
                ("KLYNGE_SMTP_USERNAME", "KLYNGE_SMTP_PASSWORD")
                if has_username
                else ("KLYNGE_SMTP_PASSWORD", "KLYNGE_SMTP_USERNAME")
            )
            raise ValueError(
                f"{given} is set but {missing} is not: set both to sign in to the SMTP "
                "server, or neither"
            )
        return self

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("forwarded_allow_ips")
    @classmethod
    def _addresses_or_any(cls, value: str) -> str:
        # uvicorn quietly takes an entry it cannot parse as a literal host name that no
        # peer ever matches; refuse it at start-up instead. "*" trusts every peer, so it
        # stands alone.
        entries = [entry.strip() for entry in value.split(",") if entry.strip()]
        if entries == ["*"]:
            return "*"
        if not entries:
            raise ValueError('give addresses or networks, comma-separated, or "*"')
        for entry in entries:
            try:
                ipaddress.ip_network(entry)  # strict, as uvicorn parses it
            except ValueError as exc:
                raise ValueError(
                    f'not an IP address or network: {entry!r} ("*" must stand alone)'
                ) from exc
        return ",".join(entries)

    @field_validator("time_zone")
    @classmethod
    def _known_time_zone(cls, value: str) -> str:
        # Refuse a typo at start-up rather than answer 500 on the first request.
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA time zone: {value!r}") from exc
        return value


@lru_cache
def get_settings() -> Settings:
    return Settings()
