import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, StringConstraints

from app.api.schemas import PatchModel, RequestModel
from app.api.types import MULTI_LINE, Email, JsonInt
from app.codelists.fields import CountryCode, PeppolEndpointId
from app.companies.models import Country, Language, OrganisationKind

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
NaceCode = Annotated[
    str,
    StringConstraints(pattern=r"^\d{2}(\.\d{1,3})?$"),
    Field(description="NACE / SN2007 / SNI code, e.g. `20.150`.", examples=["20.150"]),
]


class Address(RequestModel):
    model_config = ConfigDict(extra="forbid")

    line1: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    line2: Annotated[str, StringConstraints(max_length=200)] | None = None
    postal_code: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)
    ]
    city: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    country: CountryCode


class AddressRead(BaseModel):
    """An address as stored: answers check nothing, so a row stored before the code lists
    were checked is still shown (and can be corrected) rather than failing the read."""

    line1: str
    line2: str | None = None
    postal_code: str
    city: str
    country: str = Field(description="ISO 3166-1 alpha-2.", examples=["NO"])


class _CompanyFields(RequestModel):
    model_config = ConfigDict(extra="forbid")

    vat_number: Annotated[str, StringConstraints(max_length=30)] | None = Field(
        default=None, examples=["NO923609016MVA"]
    )
    visiting_address: Address | None = None
    postal_address: Address | None = None
    invoice_address: Address | None = None
    invoice_email: Email | None = None
    peppol_endpoint_id: PeppolEndpointId | None = None
    nace_code: NaceCode | None = None
    employees: Annotated[JsonInt, Field(ge=0, le=10_000_000)] | None = None
    apprentices: Annotated[JsonInt, Field(ge=0, le=10_000_000)] | None = None
    website: HttpUrl | None = None
    notes: Annotated[str, StringConstraints(max_length=5000), MULTI_LINE] | None = None


class CompanyCreate(_CompanyFields):
    kind: OrganisationKind = OrganisationKind.COMPANY
    legal_name: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)
    ]
    display_name: Name | None = Field(default=None, description="Defaults to the legal name.")
    country: Country
    organisation_number: Annotated[str, StringConstraints(min_length=1, max_length=20)] = Field(
        examples=["923609016"]
    )
    language: Language | None = Field(
        default=None, description="Invoice and e-mail language; defaults from the country."
    )

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "kind": "company",
                    "legal_name": "Eksempel Prosess AS",
                    "display_name": "Eksempel Prosess",
                    "country": "NO",
                    "organisation_number": "923609016",
                    "vat_number": "NO923609016MVA",
                    "employees": 420,
                    "apprentices": 12,
                    "nace_code": "20.150",
                    "language": "nb",
                }
            ]
        },
    )


class CompanyUpdate(PatchModel, _CompanyFields):
    """Every field optional: only the fields sent change; `null` clears an optional one."""

    required_fields = frozenset(
        {"kind", "legal_name", "display_name", "country", "organisation_number", "language"}
    )

    kind: OrganisationKind | None = None
    legal_name: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
        | None
    ) = None
    display_name: Name | None = None
    country: Country | None = None
    organisation_number: Annotated[str, StringConstraints(min_length=1, max_length=20)] | None = (
        None
    )
    language: Language | None = None


class CompanyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: OrganisationKind
    legal_name: str
    display_name: str
    country: Country
    organisation_number: str
    vat_number: str | None
    visiting_address: AddressRead | None
    postal_address: AddressRead | None
    invoice_address: AddressRead | None
    invoice_email: str | None
    peppol_endpoint_id: str | None
    nace_code: str | None
    employees: int | None
    apprentices: int | None
    website: str | None
    language: Language
    notes: str | None = Field(description="Internal remarks: null for anyone but admins.")
    archived_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int = Field(description="Increases on every change; the ETag carries it.")


class CompanyRef(BaseModel):
    """A short reference to an organisation, embedded by `include=`."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: OrganisationKind
    display_name: str
    country: Country
    organisation_number: str
