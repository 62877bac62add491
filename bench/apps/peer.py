"""The template-style peer: how a FastAPI app is commonly written from the popular
templates. Sync SQLAlchemy 2 ORM on psycopg 3, `def` endpoints (FastAPI runs them in its
threadpool), a session dependency, `response_model` with `model_validate` of every ORM
object, OFFSET + COUNT pagination (`?offset=&limit=`, answering `items` and `count`),
`selectinload` for includes, an ORM lookup of the API key.

Same rows and item fields as Klynge (check.py compares them); the page envelope is the
template's. No writes beyond the key's last use.

    BENCH_PEER_URL=postgresql+psycopg://postgres@127.0.0.1:5432/klynge_bench \
        uvicorn bench.apps.peer:app --port 8002
"""

import hashlib
import hmac
import os
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, HTTPException, Query
from pydantic import BaseModel, ConfigDict
from sqlalchemy import JSON, ForeignKey, create_engine, func, select
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    mapped_column,
    relationship,
    selectinload,
)

_URL = os.environ.get("BENCH_PEER_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/klynge_bench")
engine = create_engine(_URL, connect_args={"options": "-c timezone=UTC"})


class Base(DeclarativeBase):
    pass


class Stamped:
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    version: Mapped[int]


class Organisation(Stamped, Base):
    __tablename__ = "organisations"
    kind: Mapped[str]
    legal_name: Mapped[str]
    display_name: Mapped[str]
    country: Mapped[str]
    organisation_number: Mapped[str]
    vat_number: Mapped[str | None]
    visiting_address: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    postal_address: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    invoice_address: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    invoice_email: Mapped[str | None]
    peppol_endpoint_id: Mapped[str | None]
    nace_code: Mapped[str | None]
    employees: Mapped[int | None]
    apprentices: Mapped[int | None]
    website: Mapped[str | None]
    language: Mapped[str]
    notes: Mapped[str | None]
    archived_at: Mapped[datetime | None]


class Network(Stamped, Base):
    __tablename__ = "networks"
    slug: Mapped[str]
    name: Mapped[str]
    visibility: Mapped[str]
    status: Mapped[str]


class Representative(Stamped, Base):
    __tablename__ = "membership_representatives"
    membership_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("memberships.id"))
    person_id: Mapped[uuid.UUID]
    role: Mapped[str]


class Membership(Stamped, Base):
    __tablename__ = "memberships"
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"))
    network_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("networks.id"))
    kind: Mapped[str]
    status: Mapped[str]
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]
    organisation: Mapped[Organisation] = relationship()
    network: Mapped[Network] = relationship()
    representatives: Mapped[list[Representative]] = relationship(order_by=Representative.created_at)


class ApiKey(Stamped, Base):
    __tablename__ = "api_keys"
    prefix: Mapped[str]
    secret_hash: Mapped[str]
    scopes: Mapped[list[str]] = mapped_column(JSON)
    expires_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class AddressRead(BaseModel):
    line1: str
    line2: str | None = None
    postal_code: str
    city: str
    country: str


class CompanyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    kind: str
    legal_name: str
    display_name: str
    country: str
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
    language: str
    notes: str | None
    archived_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int


class CompanyRef(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    kind: str
    display_name: str
    country: str
    organisation_number: str


class NetworkRef(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    slug: str
    name: str
    visibility: str
    status: str


class RepresentativeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    person_id: uuid.UUID
    role: str
    person: None = None


class MembershipRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    organisation_id: uuid.UUID
    network_id: uuid.UUID
    kind: str
    status: str
    starts_on: date
    ends_on: date | None
    representatives: list[RepresentativeRead]
    organisation: CompanyRef | None = None
    network: NetworkRef | None = None
    created_at: datetime
    updated_at: datetime
    version: int


class CompaniesPublic(BaseModel):
    items: list[CompanyRead]
    count: int


class MembershipsPublic(BaseModel):
    items: list[MembershipRead]
    count: int


def get_db() -> Iterator[Session]:
    with Session(engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_db)]


def is_admin(session: SessionDep, authorization: Annotated[str | None, Header()] = None) -> bool:
    if authorization is None:
        return False
    head, _, secret = authorization.removeprefix("Bearer ").removeprefix("klk_").partition("_")
    api_key = session.scalar(select(ApiKey).where(ApiKey.prefix == "klk_" + head))
    digest = hashlib.sha256(secret.encode()).hexdigest()
    if api_key is None or not hmac.compare_digest(digest, api_key.secret_hash):
        raise HTTPException(401, "invalid_api_key")
    now = datetime.now(UTC)
    if api_key.revoked_at is not None or (api_key.expires_at and api_key.expires_at <= now):
        raise HTTPException(401, "api_key_revoked")
    if api_key.last_used_at is None or now - api_key.last_used_at >= timedelta(minutes=1):
        api_key.last_used_at = now
        session.commit()
    return "read" in api_key.scopes or "write" in api_key.scopes


AdminDep = Annotated[bool, Depends(is_admin)]
app = FastAPI()


def _company(organisation: Organisation, admin: bool) -> CompanyRead:
    read = CompanyRead.model_validate(organisation)
    if not admin:
        read.notes = None
    return read


@app.get("/v1/companies", response_model=CompaniesPublic)
def list_companies(
    session: SessionDep,
    admin: AdminDep,
    offset: int = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Any:
    active = Organisation.archived_at.is_(None)
    count = session.scalar(select(func.count()).select_from(Organisation).where(active))
    stmt = select(Organisation).where(active).order_by(Organisation.display_name, Organisation.id)
    rows = session.scalars(stmt.offset(offset).limit(limit)).all()
    return CompaniesPublic(items=[_company(row, admin) for row in rows], count=count or 0)


@app.get("/v1/companies/{company_id}", response_model=CompanyRead)
def get_company(session: SessionDep, admin: AdminDep, company_id: uuid.UUID) -> Any:
    organisation = session.get(Organisation, company_id)
    if organisation is None:
        raise HTTPException(404, "not_found")
    return _company(organisation, admin)


@app.get("/v1/memberships", response_model=MembershipsPublic)
def list_memberships(
    session: SessionDep,
    admin: AdminDep,
    offset: int = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    include: str = "",
) -> Any:
    wanted = set(include.split(","))
    stmt = select(Membership).join(Membership.network)
    if not admin:
        stmt = stmt.where(Network.visibility == "open")
    count = session.scalar(select(func.count()).select_from(stmt.subquery()))
    options: list[Any] = [selectinload(Membership.representatives)]
    if "organisation" in wanted:
        options.append(selectinload(Membership.organisation))
    if "network" in wanted:
        options.append(selectinload(Membership.network))
    stmt = stmt.order_by(Membership.starts_on.desc(), Membership.id.desc()).options(*options)
    rows = session.scalars(stmt.offset(offset).limit(limit)).all()
    items = []
    for row in rows:
        item = MembershipRead.model_validate(row)
        if "organisation" not in wanted:
            item.organisation = None
        if "network" not in wanted:
            item.network = None
        items.append(item)
    return MembershipsPublic(items=items, count=count or 0)
