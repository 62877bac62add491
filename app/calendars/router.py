"""HTTP for calendars: feed tokens, the feeds they open, and one meeting as `.ics`.

Meeting ids in paths take Starlette's `uuid` convertor, here and in the meetings router,
so `/v1/meetings/{id}.ics` is never taken for a meeting id, and a malformed id matches
no route (404).
"""

import uuid
from typing import Annotated, Any

from fastapi import Depends, Path, Query, Request
from starlette.responses import Response

from app.api.deps import CallerDep, SessionDep
from app.api.idempotency import IdempotencyDep
from app.api.pagination import Page, PageParams, cut_page, page_params
from app.api.problems import problem_response, problem_responses
from app.api.responses import created_response, page_response, resource_response
from app.api.routing import APIRouter
from app.auth.http import NO_STORE
from app.calendars import service
from app.calendars.models import CalendarToken, FeedKind
from app.calendars.repository import CalendarTokenFilter
from app.calendars.schemas import CalendarTokenCreate, CalendarTokenCreated, CalendarTokenRead

router = APIRouter(prefix="", tags=["calendars"])

CALENDAR_MEDIA_TYPE = "text/calendar; charset=utf-8"
_CALENDAR_CONTENT: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "An iCalendar (RFC 5545) document.",
        "content": {"text/calendar": {"schema": {"type": "string"}}},
    }
}
# The feed's URL is its secret: no shared cache may keep it; a calendar app may for a while.
_FEED_CACHE = {"Cache-Control": "private, max-age=300", "Referrer-Policy": "no-referrer"}
# One meeting's answer depends on who asks.
_MEETING_CACHE = {"Cache-Control": "private, no-cache"}

TokenSort = Annotated[
    str, Query(pattern=r"^-?created_at$", description="`created_at`; `-` descends (the default).")
]


def _one(token: CalendarToken) -> Response:
    return resource_response(CalendarTokenRead.of(token), version=token.version)


def _feed_url(request: Request, token: str) -> str:
    base = request.app.state.settings.public_url or str(request.base_url)
    return f"{base.rstrip('/')}/v1/calendar-feeds/{token}.ics"


def _organizer(request: Request) -> str:
    """The secretariat's address: the ORGANIZER of every published calendar."""
    organizer: str = request.app.state.settings.mail_from
    return organizer


def _calendar(ics: bytes, headers: dict[str, str]) -> Response:
    return Response(content=ics, media_type=CALENDAR_MEDIA_TYPE, headers=headers)


@router.post(
    "/v1/calendar-tokens",
    status_code=201,
    response_model=CalendarTokenCreated,
    summary="Create a calendar feed token",
    description="A secret URL (`feed_url`) a calendar app subscribes to: `kind: network` "
    "for a network you may see (404 otherwise), `kind: person` for the meetings you are "
    "invited to (only your own person; admins: anyone's, else 403 `not_your_calendar`). "
    "The `token` is shown in this answer only; a retry with the same `Idempotency-Key` "
    "gets 409 `calendar_token_already_created`. The feed is read with your rights as they "
    "are when it is read. Any signed-in user or API key that may write (401 anonymous).",
    responses=problem_responses(400, 404, 409),
)
async def create_calendar_token(
    body: CalendarTokenCreate,
    request: Request,
    session: SessionDep,
    caller: CallerDep,
    idempotency: IdempotencyDep,
) -> Response:
    created: list[CalendarToken] = []

    async def create() -> Response:
        token, secret = await service.create_token(session, caller, body)
        created.append(token)
        shown = CalendarTokenCreated(
            **CalendarTokenRead.of(token).model_dump(),
            token=secret,
            feed_url=_feed_url(request, secret),
        )
        response = created_response(
            resource_response(shown, version=token.version), f"/v1/calendar-tokens/{token.id}"
        )
        response.headers.update(NO_STORE)
        return response

    return await idempotency.run(
        create,
        authorise=lambda: service.authorise_create_token(session, caller, body),
        # Replays get the service's 409 in place of the token, which is stored nowhere.
        kept=lambda _response: problem_response(
            service.token_already_created(created[0]).problem()
        ),
    )


@router.get(
    "/v1/calendar-tokens",
    response_model=Page[CalendarTokenRead],
    summary="List calendar feed tokens",
    description="Your own tokens (admins: everyone's), revoked ones included with their "
    "`revoked_at`; newest first by default. Never the tokens themselves.",
    responses=problem_responses(400),
)
async def list_calendar_tokens(
    request: Request,
    session: SessionDep,
    caller: CallerDep,
    page: Annotated[PageParams, Depends(page_params)],
    kind: FeedKind | None = None,
    revoked: bool | None = None,
    sort: TokenSort = "-created_at",
) -> Response:
    where = CalendarTokenFilter(kind=kind, revoked=revoked)
    rows, order = await service.list_tokens(session, caller, where, sort, page)
    items, next_cursor = cut_page(rows, order, page)
    return page_response(request, [CalendarTokenRead.of(row) for row in items], next_cursor)


@router.get(
    "/v1/calendar-tokens/{token_id}",
    response_model=CalendarTokenRead,
    summary="Get a calendar feed token",
    description="Your own (admins: anyone's); never the token itself.",
    responses=problem_responses(404),
)
async def get_calendar_token(
    token_id: uuid.UUID, session: SessionDep, caller: CallerDep
) -> Response:
    return _one(await service.get_token(session, caller, token_id))


@router.delete(
    "/v1/calendar-tokens/{token_id}",
    status_code=204,
    summary="Revoke a calendar feed token",
    description="The feed answers 404 from now on. The token stays listed with its "
    "`revoked_at`; revoking it again changes nothing. Your own (admins: anyone's).",
    responses=problem_responses(404),
)
async def revoke_calendar_token(
    token_id: uuid.UUID, session: SessionDep, caller: CallerDep
) -> Response:
    await service.revoke_token(session, caller, token_id)
    return Response(status_code=204)


@router.get(
    "/v1/calendar-feeds/{token}.ics",
    summary="Read a calendar feed",
    description="For calendar apps, which send no credentials: the token in the URL is the "
    "secret. A network feed holds that network's meetings from a year back on, cancelled "
    "ones as `STATUS:CANCELLED`; a person feed the meetings the person is invited to, in "
    "closed networks too. Read with the token owner's rights as they are now. Every event "
    "names the secretariat (`KLYNGE_MAIL_FROM`) as ORGANIZER. An unknown or revoked token, "
    "or one whose owner may no longer see what it shows, answers 404. Server logs show "
    "the path with the token blanked out.",
    responses={**_CALENDAR_CONTENT, **problem_responses(404)},
)
async def read_calendar_feed(
    token: Annotated[str, Path(description="The secret at the end of the token's `feed_url`.")],
    request: Request,
    session: SessionDep,
) -> Response:
    ics = await service.read_feed(session, token, organizer=_organizer(request))
    return _calendar(ics, _FEED_CACHE)


@router.get(
    "/v1/meetings/{meeting_id:uuid}.ics",
    summary="Get a meeting as iCalendar",
    description="One meeting as an `.ics` file to import into a calendar, with its stable "
    "UID and SEQUENCE and the secretariat as ORGANIZER. The same visibility as the "
    "meeting itself (404 when hidden): its network's, or an invitation of your own.",
    responses={**_CALENDAR_CONTENT, **problem_responses(404)},
)
async def get_meeting_calendar(
    meeting_id: uuid.UUID, request: Request, session: SessionDep, caller: CallerDep
) -> Response:
    ics = await service.meeting_calendar(session, caller, meeting_id, organizer=_organizer(request))
    return _calendar(ics, _MEETING_CACHE)
