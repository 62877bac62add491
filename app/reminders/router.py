"""HTTP for reminders: a run (what the daily `klynge send-reminders` does) and the
reminders of one invoice."""

import uuid

from fastapi import Request
from starlette.responses import Response

from app.api.deps import CallerDep, SessionDep
from app.api.pagination import Page
from app.api.problems import problem_responses
from app.api.responses import json_response, page_response
from app.api.routing import APIRouter
from app.reminders import service
from app.reminders.schemas import ReminderRead, ReminderRunCreate, ReminderRunResult

router = APIRouter(tags=["reminders"])


@router.post(
    "/v1/reminder-runs",
    response_model=ReminderRunResult,
    summary="Send the reminders that are due",
    description="For every open invoice with an amount due whose next reminder level is "
    "due on `as_of` (today by default): level 1 `first_reminder_after_days` after the due "
    "date, each next level `next_reminder_after_days` after the last reminder, up to the "
    "seller's `reminder_levels` (defaults 14, 14 and 2), one level per run. Each reminder "
    "adds the seller's `reminder_fee` to the invoice's `reminder_fees`, states a new date "
    "to pay by (`as_of` + 14 days) and queues an e-mail to the buyer's invoice address "
    "in the invoice's language; no address: listed under `skipped` "
    "(`no_invoice_email`), nothing recorded. Never twice for one level, also when runs "
    "overlap: running again the same day sends nothing. `dry_run` reports and writes "
    "nothing. Admins only.",
    responses=problem_responses(400),
)
async def run_reminders(
    body: ReminderRunCreate, session: SessionDep, caller: CallerDep
) -> Response:
    result = await service.start_run(session, caller, as_of=body.as_of, dry_run=body.dry_run)
    return json_response(result)


@router.get(
    "/v1/invoices/{invoice_id}/reminders",
    response_model=Page[ReminderRead],
    summary="List an invoice's reminders",
    description="All of them in one page (`next_cursor` is null), by level. Whoever may "
    "see the invoice may see its reminders; 404 when the invoice is hidden.",
    responses=problem_responses(404),
)
async def list_reminders(
    invoice_id: uuid.UUID, request: Request, session: SessionDep, caller: CallerDep
) -> Response:
    reminders = await service.list_reminders(session, caller, invoice_id)
    return page_response(request, [ReminderRead.of(row) for row in reminders], None)
