"""Liveness and readiness probes for load balancers and orchestrators."""

import asyncio

from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy import text
from starlette.responses import Response

from app.api.problems import database_unavailable_response, problem_responses
from app.api.responses import json_response

router = APIRouter(prefix="/health", tags=["health"])


class HealthStatus(BaseModel):
    status: str


@router.get(
    "/live",
    response_model=HealthStatus,
    summary="The process is up",
    responses={500: problem_responses()[500]},
)
async def live() -> Response:
    return json_response(HealthStatus(status="ok"))


@router.get(
    "/ready",
    response_model=HealthStatus,
    summary="The service can reach its database",
    responses={status: problem_responses(503)[status] for status in (500, 503)},
)
async def ready(request: Request) -> Response:
    settings = request.app.state.settings
    try:
        # A frozen database would hold the probe as long as it lasts; the balancer needs
        # an answer within its own timeout.
        async with asyncio.timeout(settings.health_timeout_seconds):
            async with request.app.state.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
    except Exception:
        # Whatever stops `SELECT 1` (refused, timed out, starting up) means not ready.
        return database_unavailable_response("The database is unreachable.")
    return json_response(HealthStatus(status="ok"))
