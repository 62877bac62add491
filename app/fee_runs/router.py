"""HTTP for the fee run: parse, call the service, answer the summary."""

from starlette.responses import Response

from app.api.deps import CallerDep, SessionDep
from app.api.idempotency import IdempotencyDep
from app.api.problems import problem_responses
from app.api.responses import json_response
from app.api.routing import APIRouter
from app.fee_runs import service
from app.fee_runs.schemas import FeeRunCreate, FeeRunSummary

router = APIRouter(prefix="/v1/fee-runs", tags=["fees"])


@router.post(
    "",
    response_model=FeeRunSummary,
    summary="Bill a network's memberships for a year",
    description="Makes one draft invoice per billable membership of the network whose period meets "
    "the year, from the network's fee schedule for the year (409 `fee_schedule_missing`),"
    " sold by the network's administering association (409 `seller_not_set_up` without "
    "invoice settings); 409 `seller_not_vat_registered` or `vat_rate_not_allowed` when "
    "the seller could not issue such invoices. A membership that starts or ends inside "
    "the year pays for the whole months it touches. Skipped memberships are listed with a"
    " reason: `kind_not_billable`, `application_pending`, `organisation_archived`, "
    "`employees_unknown`, `already_invoiced`, `zero_amount`. Running again, or two runs "
    "at once, never bills a membership twice (one fee invoice per membership and year is "
    "a unique key). `dry_run: true` reports the same and writes nothing. Answers 200 with"
    " the summary: the run itself is not stored, its invoices are. An `Idempotency-Key` "
    "replays the first answer. Only the secretariat: 401 anonymous, 403 any other caller.",
    responses=problem_responses(400, 409),
)
async def run_fee_run(
    body: FeeRunCreate, session: SessionDep, caller: CallerDep, idempotency: IdempotencyDep
) -> Response:
    async def run() -> Response:
        summary = await service.run_fee_run(
            session, caller, body.network_id, body.year, dry_run=body.dry_run
        )
        return json_response(summary)

    async def authorise() -> None:
        service.authorise_fee_run(caller)

    return await idempotency.run(run, authorise=authorise)
