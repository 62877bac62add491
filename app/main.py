"""The application factory: routers, error handlers, database and lifespan."""

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware

from app.agenda.router import router as agenda_router
from app.api.body_limit import BodyLimit
from app.api.docs import install_docs
from app.api.head import HeadAsGet
from app.api.openapi import install_openapi
from app.api.parameters import refuse_nul
from app.api.problems import install_problem_handlers
from app.api.request_context import RequestContextMiddleware
from app.audit import recorder
from app.audit.router import router as audit_router
from app.auth.router import router as auth_router
from app.auth.signing_secret import ensure_configured
from app.calendars.router import router as calendars_router
from app.companies.router import router as companies_router
from app.config import Settings, get_settings
from app.credit_notes.router import router as credit_notes_router
from app.db import create_autocommit_read_sessionmaker, create_engine, create_sessionmaker
from app.fee_runs.router import router as fee_runs_router
from app.fee_schedules.router import router as fee_schedules_router
from app.health import router as health_router
from app.invoices.documents_router import router as invoice_documents_router
from app.invoices.router import router as invoices_router
from app.logging import configure_logging
from app.mail.background import runs_in_api, sender_running
from app.meeting_plans.router import router as meeting_plans_router
from app.meetings.router import router as meetings_router
from app.memberships.router import router as memberships_router
from app.minutes.router import router as minutes_router
from app.networks.router import router as networks_router
from app.offices.router import router as offices_router
from app.participants.router import router as participants_router
from app.payments.router import router as payments_router
from app.people.router import router as people_router
from app.reminders.router import router as reminders_router
from app.sellers.router import router as sellers_router

DESCRIPTION = """
Klynge runs the administration of industry clusters and business associations:
organisations and their people, networks (open or closed interest groups),
memberships and the offices people hold, and their meetings: the year's plan, agendas,
participants, minutes, calendar feeds and e-mail invitations; and the fees members
pay: fee schedules, the yearly fee run, invoices and credit notes (PDF and EHF / Peppol
BIS Billing 3.0), payments and reminders.

Conventions: errors are `application/problem+json` with a stable `code`; lists are
keyset-paginated (`limit`, `cursor`, `next_cursor`, `Link: rel="next"`); reads carry
an `ETag` and `PATCH` requires `If-Match`; creates honour `Idempotency-Key`.
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    # No known fallback signs tokens: without a secret the API does not start.
    ensure_configured(settings)
    configure_logging(settings.log_level, settings.log_json)
    engine = create_engine(
        settings.database_url,
        pool_size=settings.database_pool_size,
        echo=settings.database_echo,
        timeouts=settings.database_timeouts,
    )

    @asynccontextmanager
    async def lifespan(application: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as background:
            # The outbox sender, unless a separate `klynge worker` delivers the mail.
            if runs_in_api(settings):
                await background.enter_async_context(
                    sender_running(application.state.sessionmaker, settings)
                )
            yield
        await engine.dispose()

    app = FastAPI(
        title="Klynge",
        version="0.1.0",
        summary="Administration of industry networks",
        description=DESCRIPTION,
        lifespan=lifespan,
        # Served by install_docs from the service's own assets, not FastAPI's CDN pages.
        docs_url=None,
        redoc_url=None,
        # A redirect would be built from the request's Host header (an open redirect):
        # a path with a trailing slash is simply not one of ours (404).
        redirect_slashes=False,
        # Every route: no NUL in a query string or a form.
        dependencies=[Depends(refuse_nul)],
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = create_sessionmaker(engine)
    app.state.read_sessionmaker = create_sessionmaker(engine, writes=False)
    app.state.request_read_sessionmaker = create_autocommit_read_sessionmaker(engine)
    # Pure ASGI middleware, the last added outermost: CORS, then the request's context
    # (so even a 413, 500 or 503 has a request id and the CORS headers a browser needs),
    # then the body limit, then HEAD served as GET.
    app.add_middleware(HeadAsGet)
    app.add_middleware(
        BodyLimit,
        max_bytes=settings.max_body_bytes,
        by_path={payments_router.url_path_for("record_bank_file"): settings.max_bank_file_bytes},
    )
    app.add_middleware(RequestContextMiddleware)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "If-Match", "Idempotency-Key"],
            # Browsers hide response headers unless listed; clients need these.
            expose_headers=[
                "ETag",
                "Link",
                "Location",
                "Retry-After",
                "RateLimit",
                "RateLimit-Policy",
                "Idempotency-Replayed",
                "X-Request-ID",
            ],
        )
    install_problem_handlers(app)
    install_openapi(app)
    install_docs(app)
    recorder.install()
    for router in (
        health_router,
        companies_router,
        people_router,
        networks_router,
        offices_router,
        memberships_router,
        # Before the meetings router: /v1/meetings/{id}.ics must not be taken for an id.
        calendars_router,
        meetings_router,
        meeting_plans_router,
        agenda_router,
        participants_router,
        minutes_router,
        sellers_router,
        fee_schedules_router,
        fee_runs_router,
        # Before the invoices router: /v1/invoices/{id}.pdf must not be taken for an id.
        invoice_documents_router,
        invoices_router,
        credit_notes_router,
        payments_router,
        reminders_router,
        auth_router,
        audit_router,
    ):
        app.include_router(router)
    return app
