"""Use cases for a seller's invoice settings: read them, put them.

Only an association sends invoices (409 `not_an_association`). The account numbers are
checked with python-stdnum against the seller's country and stored compact (digits only,
IBAN without spaces), so every reader prints or encodes them one way.
"""

import re
import uuid
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession
from stdnum import bic, iban, luhn
from stdnum.exceptions import ValidationError
from stdnum.no import kontonr

from app.api.caller import Caller
from app.api.reads import RowShape
from app.auth.policy import ensure_admin, ensure_admin_reads
from app.companies.models import Country, Organisation, OrganisationKind
from app.companies.service import get_organisation
from app.errors import Conflict, InvalidField, not_found
from app.sellers.models import SellerSettings
from app.sellers.repository import SellerSettingsRepository
from app.sellers.schemas import SellerSettingsRead, SellerSettingsWrite

_BANKGIRO = re.compile(r"^\d{3,4}-?\d{4}$")


def ensure_association(organisation: Organisation) -> None:
    if organisation.kind is not OrganisationKind.ASSOCIATION:
        raise Conflict(
            f"{organisation.display_name} is a {organisation.kind.value.replace('_', ' ')}; "
            "only an association sends invoices.",
            code="not_an_association",
        )


def normalise_bank_account(country: Country, value: str) -> str:
    """A Norwegian kontonummer or a Swedish bankgiro number, as digits only."""
    if country is Country.NORWAY:
        try:
            return str(kontonr.validate(value))
        except ValidationError as exc:
            raise InvalidField(
                "bank_account",
                f"Not a valid Norwegian account number (11 digits, MOD11): {exc}",
                code="invalid_bank_account",
            ) from exc
    compact = value.replace(" ", "")
    digits = compact.replace("-", "")
    if not _BANKGIRO.match(compact) or not luhn.is_valid(digits):
        raise InvalidField(
            "bank_account",
            "Not a valid Swedish bankgiro number (7 or 8 digits with a Luhn check digit, "
            "e.g. 5050-1055).",
            code="invalid_bank_account",
        )
    return digits


def _iban(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return str(iban.validate(value))
    except ValidationError as exc:
        raise InvalidField("iban", f"Not a valid IBAN: {exc}", code="invalid_iban") from exc


def _bic(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return str(bic.validate(value))
    except ValidationError as exc:
        raise InvalidField("bic", f"Not a valid BIC: {exc}", code="invalid_bic") from exc


async def seller_settings(
    session: AsyncSession, organisation_id: uuid.UUID
) -> SellerSettings | None:
    """The settings of an organisation, for the invoice services (no access check)."""
    return await SellerSettingsRepository(session).for_organisation(organisation_id)


SETTINGS = RowShape(SellerSettingsRead)


def describe_settings(settings: Row[Any] | SellerSettings) -> dict[str, Any]:
    """The representation, from a read's row or a write's object."""
    if isinstance(settings, SellerSettings):
        return SETTINGS.of_object(settings)
    return SETTINGS.of_row(settings)


async def read_settings(
    session: AsyncSession, caller: Caller, organisation_id: uuid.UUID
) -> Row[Any]:
    ensure_admin_reads(caller, "Invoice settings are the secretariat's.")
    await get_organisation(session, caller, organisation_id)
    row = await SellerSettingsRepository(session).read_for_organisation(SETTINGS, organisation_id)
    if row is None:
        raise not_found("invoice_settings")
    return row


async def settings_to_put(
    session: AsyncSession, caller: Caller, organisation_id: uuid.UUID
) -> tuple[Organisation, SellerSettings | None]:
    """The seller (404 when unknown, 409 unless an association) and its current settings,
    if any. Admins only, refused before anything is looked up."""
    ensure_admin(caller)
    organisation = await get_organisation(session, caller, organisation_id)
    ensure_association(organisation)
    return organisation, await seller_settings(session, organisation_id)


async def put_settings(
    session: AsyncSession,
    organisation: Organisation,
    current: SellerSettings | None,
    data: SellerSettingsWrite,
) -> SellerSettings:
    """Create or replace the settings; every field is checked before anything changes."""
    values = data.model_dump()
    values["bank_account"] = normalise_bank_account(organisation.country, data.bank_account)
    values["iban"] = _iban(data.iban)
    values["bic"] = _bic(data.bic)
    if current is None:
        current = SellerSettings(organisation_id=organisation.id, **values)
        SellerSettingsRepository(session).add(current)
    else:
        for field, value in values.items():
            setattr(current, field, value)
    await session.flush()
    return current
