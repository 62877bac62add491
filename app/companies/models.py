from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, Entity, UTCDateTime, enum_column


class OrganisationKind(StrEnum):
    COMPANY = "company"
    PARTNER = "partner"
    PUBLIC_BODY = "public_body"
    ASSOCIATION = "association"


class Country(StrEnum):
    NORWAY = "NO"
    SWEDEN = "SE"


class Language(StrEnum):
    NORWEGIAN_BOKMAL = "nb"
    SWEDISH = "sv"
    ENGLISH = "en"


class Organisation(Entity, Base):
    """A company, partner, public body or association; served at `/v1/companies`."""

    __tablename__ = "organisations"
    __table_args__ = (
        UniqueConstraint("country", "organisation_number"),
        CheckConstraint("employees IS NULL OR employees >= 0", name="employees_not_negative"),
        CheckConstraint("apprentices IS NULL OR apprentices >= 0", name="apprentices_not_negative"),
    )

    kind: Mapped[OrganisationKind] = mapped_column(
        enum_column(OrganisationKind, "organisation_kind")
    )
    legal_name: Mapped[str] = mapped_column(String(300))
    display_name: Mapped[str] = mapped_column(String(200), index=True)
    country: Mapped[Country] = mapped_column(enum_column(Country, "organisation_country"))
    organisation_number: Mapped[str] = mapped_column(String(20))
    vat_number: Mapped[str | None] = mapped_column(String(20))
    visiting_address: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    postal_address: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    invoice_address: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    invoice_email: Mapped[str | None] = mapped_column(String(320))
    peppol_endpoint_id: Mapped[str | None] = mapped_column(String(50))
    nace_code: Mapped[str | None] = mapped_column(String(10))
    employees: Mapped[int | None]
    apprentices: Mapped[int | None]
    website: Mapped[str | None] = mapped_column(String(500))
    language: Mapped[Language] = mapped_column(enum_column(Language, "organisation_language"))
    notes: Mapped[str | None] = mapped_column(Text)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
