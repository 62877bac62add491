"""HTTP for participants: parse, call one service function, answer."""

import uuid
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from sqlalchemy import Row
from starlette.responses import Response

from app.api.deps import CallerDep, SessionDep
from app.api.etag import (
    IfMatchHeader,
    OptionalIfMatchHeader,
    check_if_match_when_sent,
    require_if_match,
)
from app.api.idempotency import IdempotencyDep
from app.api.pagination import Page, PageParams, cut_page, page_params
from app.api.problems import problem_responses
from app.api.responses import created_response, json_response, page_response, resource_response
from app.api.routing import APIRouter
from app.participants import service
from app.participants.models import Answer, Participant, ParticipantRole
from app.participants.repository import ParticipantFilter
from app.participants.schemas import (
    AnswerFilter,
    AttendanceRecorded,
    AttendanceUpdate,
    ParticipantCreate,
    ParticipantRead,
    ParticipantUpdate,
)

router = APIRouter(prefix="/v1/meetings", tags=["participants"])

ParticipantSort = Annotated[
    str,
    Query(pattern=r"^-?created_at$", description="`created_at`; `-` for descending."),
]

_PERSONAL_DATA = (
    "Participants are personal data: admins, the network's coordinators and the network's "
    "members see every participant; someone invited to the meeting from outside the "
    "network sees only their own invitation (another's is 404); anyone else who sees the "
    "meeting is refused (401 without credentials, 403 otherwise). E-mail addresses are "
    "shown only to admins, the network's coordinators and the participant themself (null "
    "for everyone else)."
)


def _location(participant: Participant) -> str:
    return f"/v1/meetings/{participant.meeting_id}/participants/{participant.id}"


def _one(participant: Participant | Row[Any], viewer: service.Viewer) -> Response:
    read = service.describe_participant(participant, viewer)
    return resource_response(read, version=participant.version)


@router.get(
    "/{meeting_id:uuid}/participants",
    response_model=Page[ParticipantRead],
    summary="List a meeting's participants",
    description="Keyset-paginated, in the order they were invited. `answer=unanswered` "
    "keeps those who have not answered; `agenda_item_id` those invited to that item only. "
    + _PERSONAL_DATA,
    responses=problem_responses(400, 404),
)
async def list_participants(
    meeting_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    caller: CallerDep,
    page: Annotated[PageParams, Depends(page_params)],
    role: ParticipantRole | None = None,
    answer: AnswerFilter | None = None,
    agenda_item_id: uuid.UUID | None = None,
    organisation_id: uuid.UUID | None = None,
    sort: ParticipantSort = "created_at",
) -> Response:
    where = ParticipantFilter(
        role=role,
        answer=Answer(answer) if answer not in (None, AnswerFilter.UNANSWERED) else None,
        unanswered=answer == AnswerFilter.UNANSWERED,
        agenda_item_id=agenda_item_id,
        organisation_id=organisation_id,
    )
    rows, order, viewer = await service.list_participants(
        session, caller, meeting_id, where, sort, page
    )
    items, next_cursor = cut_page(rows, order, page)
    reads = [service.describe_participant(row, viewer) for row in items]
    return page_response(request, reads, next_cursor)


@router.post(
    "/{meeting_id:uuid}/participants",
    status_code=201,
    response_model=ParticipantRead,
    summary="Invite someone to a meeting",
    description="A person from the registry (`person_id`, 422 `unknown_person`) or a guest "
    "(`name` and `email`), not both (422 `person_or_guest`); `agenda_item_id` invites to "
    "that item of the meeting only (422 `unknown_agenda_item`). The same person, or the "
    "same e-mail address, is invited once (409 `already_invited`). Not to a cancelled "
    "meeting (409 `meeting_cancelled`) nor a held one (409 `meeting_closed`). On a "
    "confirmed meeting the invitation e-mail is queued at once; on a planned one, at "
    "confirmation. Admins and the network's coordinators only.",
    responses=problem_responses(400, 404, 409),
)
async def add_participant(
    meeting_id: uuid.UUID,
    body: ParticipantCreate,
    session: SessionDep,
    caller: CallerDep,
    idempotency: IdempotencyDep,
) -> Response:
    async def create() -> Response:
        participant = await service.add_participant(session, caller, meeting_id, body)
        manager = service.Viewer.manager(caller)
        return created_response(_one(participant, manager), _location(participant))

    return await idempotency.run(
        create,
        authorise=lambda: service.authorise_add_participant(session, caller, meeting_id),
    )


@router.get(
    "/{meeting_id:uuid}/participants/{participant_id:uuid}",
    response_model=ParticipantRead,
    summary="Get a participant",
    description=_PERSONAL_DATA,
    responses=problem_responses(404),
)
async def get_participant(
    meeting_id: uuid.UUID, participant_id: uuid.UUID, session: SessionDep, caller: CallerDep
) -> Response:
    return _one(*await service.read_participant(session, caller, meeting_id, participant_id))


@router.patch(
    "/{meeting_id:uuid}/participants/{participant_id:uuid}",
    response_model=ParticipantRead,
    summary="Answer an invitation, or change a participant",
    description="Requires `If-Match`. A participant sends only `answer`, on their own "
    "invitation (403 `field_not_allowed` for other fields, 403 `not_your_answer` for "
    "someone else's, 422 `answer_required` for `null`) — also when invited from outside "
    "the meeting's network; admins and the network's coordinators change anything for "
    "anyone, and may clear an answer with `null`. Nothing changes on a cancelled meeting "
    "(409 `meeting_cancelled`); answers close when the meeting is held (409 "
    "`meeting_closed`); attendance is recorded once the meeting has started (409 "
    "`meeting_not_started`). " + _PERSONAL_DATA,
    responses=problem_responses(400, 404, 409, 412, 428),
)
async def update_participant(
    meeting_id: uuid.UUID,
    participant_id: uuid.UUID,
    body: ParticipantUpdate,
    session: SessionDep,
    caller: CallerDep,
    if_match: IfMatchHeader = None,
) -> Response:
    meeting, participant, viewer = await service.participant_to_change(
        session, caller, meeting_id, participant_id, body
    )
    require_if_match(if_match, participant.version)
    return _one(await service.update_participant(session, meeting, participant, body), viewer)


@router.delete(
    "/{meeting_id:uuid}/participants/{participant_id:uuid}",
    status_code=204,
    summary="Withdraw an invitation",
    description="Someone already invited is sent a cancellation. Not once the meeting is "
    "held (409 `meeting_closed`). `If-Match` is optional; checked when sent. Admins and "
    "the network's coordinators only.",
    responses=problem_responses(404, 409, 412),
)
async def remove_participant(
    meeting_id: uuid.UUID,
    participant_id: uuid.UUID,
    session: SessionDep,
    caller: CallerDep,
    if_match: OptionalIfMatchHeader = None,
) -> Response:
    meeting, participant = await service.participant_to_remove(
        session, caller, meeting_id, participant_id
    )
    check_if_match_when_sent(if_match, participant.version)
    await service.remove_participant(session, meeting, participant)
    return Response(status_code=204)


@router.put(
    "/{meeting_id:uuid}/attendance",
    response_model=AttendanceRecorded,
    summary="Record attendance for many participants",
    description="Participants in `attended` came, those in `absent` did not; others keep "
    "what they had. All or nothing: an id that is not a participant of this meeting is "
    "422 `unknown_participant`, an id in both lists 422 `participant_in_both_lists`. Once "
    "the meeting has started (409 `meeting_not_started`), never for a cancelled one (409 "
    "`meeting_cancelled`). 412 `etag_mismatch` when another request changed one of the "
    "participants at the same moment: nothing is recorded; read them again and retry. "
    "Admins and the network's coordinators only.",
    responses=problem_responses(400, 404, 409, 412),
)
async def record_attendance(
    meeting_id: uuid.UUID, body: AttendanceUpdate, session: SessionDep, caller: CallerDep
) -> Response:
    rows = await service.record_attendance(session, caller, meeting_id, body)
    manager = service.Viewer.manager(caller)
    # The shape of AttendanceRecorded, written as the reads write their participants.
    return json_response({"items": [service.describe_participant(row, manager) for row in rows]})
