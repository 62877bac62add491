"""HTTP for a seller's invoice settings, a sub-resource of its organisation."""

import uuid

from starlette.responses import Response

from app.api.deps import CallerDep, SessionDep
from app.api.etag import OptionalIfMatchHeader, check_if_match_when_sent
from app.api.problems import problem_responses
from app.api.responses import resource_response
from app.api.routing import APIRouter
from app.errors import PreconditionFailed
from app.sellers import service
from app.sellers.schemas import SellerSettingsRead, SellerSettingsWrite

router = APIRouter(prefix="/v1/companies", tags=["invoice settings"])


@router.get(
    "/{company_id}/invoice-settings",
    response_model=SellerSettingsRead,
    summary="Get an association's invoice settings",
    description="With its `ETag`. 404 `invoice_settings_not_found` when the organisation "
    "has none (it cannot send invoices yet). Admins only.",
    responses=problem_responses(404),
)
async def get_invoice_settings(
    company_id: uuid.UUID, session: SessionDep, caller: CallerDep
) -> Response:
    settings = await service.read_settings(session, caller, company_id)
    return resource_response(service.describe_settings(settings), version=settings.version)


@router.put(
    "/{company_id}/invoice-settings",
    response_model=SellerSettingsRead,
    status_code=200,
    summary="Set an association's invoice settings",
    description="Creates the settings (201) or replaces them (200); fields left out take "
    "their defaults. Only an association can send invoices: 409 `not_an_association`. "
    "`bank_account` is a Norwegian kontonummer for a Norwegian seller, a bankgiro number "
    "for a Swedish one (422 `invalid_bank_account`); `iban` and `bic` are checked too "
    "(422 `invalid_iban`, `invalid_bic`). `If-Match` is optional; checked when sent (412 "
    "when stale, or when there are no settings yet). Admins only.",
    responses={
        **problem_responses(400, 404, 409, 412),
        201: {"model": SellerSettingsRead, "description": "The settings were created."},
    },
)
async def put_invoice_settings(
    company_id: uuid.UUID,
    body: SellerSettingsWrite,
    session: SessionDep,
    caller: CallerDep,
    if_match: OptionalIfMatchHeader = None,
) -> Response:
    organisation, current = await service.settings_to_put(session, caller, company_id)
    if current is not None:
        check_if_match_when_sent(if_match, current.version)
    elif if_match is not None:
        # RFC 9110: no current representation, so no If-Match (not even `*`) holds.
        raise PreconditionFailed("There are no invoice settings yet to match the ETag against.")
    created = current is None
    settings = await service.put_settings(session, organisation, current, body)
    response = resource_response(service.describe_settings(settings), version=settings.version)
    if created:
        response.status_code = 201
    return response
