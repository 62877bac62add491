"""Queries for people. Every read takes the caller, so visibility rules live here."""

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, TypeVarTuple

from sqlalchemy import ColumnElement, Row, Select, and_, exists, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, selectinload
from sqlalchemy.orm.interfaces import LoaderOption

from app.api.caller import Caller
from app.api.pagination import PageParams, SortOrder, apply_keyset, resolve_sort
from app.api.reads import RowShape
from app.api.search import matches_text
from app.auth.models import User
from app.companies.models import Organisation
from app.companies.repository import OrganisationRepository
from app.meetings.models import AgendaItem
from app.memberships.models import Membership, Representative
from app.minutes.models import ActionItem
from app.networks.visibility import in_visible_network
from app.offices.models import OfficeTerm
from app.participants.models import Participant
from app.people.models import Affiliation, Person, Position

SORTS = {"name": Person.full_name, "created_at": Person.created_at}
Columns = TypeVarTuple("Columns")

# What `include=organisations` joins, under this prefix; module-level, as a shape builds
# its labelled columns once per alias (app/api/reads.py).
_ORGANISATION = aliased(Organisation, name="affiliated_organisation")
ORGANISATION_PREFIX = "organisation__"


@dataclass(frozen=True, slots=True)
class PersonFilter:
    # Given together, both must hold for the same affiliation ("the CEO of X").
    organisation_id: uuid.UUID | None = None
    position: Position | None = None
    q: str | None = None


def _loads(with_organisations: bool) -> LoaderOption:
    # One query per level whatever the page size: people, their affiliations, and the
    # affiliated organisations only when the client asked for them.
    affiliations = selectinload(Person.affiliations)
    if with_organisations:
        # Every organisation is visible to whoever may see people (business registry
        # data; OrganisationRepository._visible), and CompanyRef carries no `notes`.
        return affiliations.selectinload(Affiliation.organisation)
    return affiliations


def _known_to(caller: Caller) -> ColumnElement[bool]:
    """The people a member may see: themself, the people affiliated with their own
    organisations, and the representatives of memberships and the office holders of the
    networks they may see (which memberships and office terms show them anyway)."""
    clauses: list[ColumnElement[bool]] = [
        exists().where(
            Representative.person_id == Person.id,
            Membership.id == Representative.membership_id,
            in_visible_network(caller, Membership.network_id),
        ),
        exists().where(
            OfficeTerm.person_id == Person.id, in_visible_network(caller, OfficeTerm.network_id)
        ),
    ]
    if caller.person_id is not None:
        clauses.append(Person.id == caller.person_id)
    if caller.organisation_ids:
        clauses.append(
            exists().where(
                Affiliation.person_id == Person.id,
                Affiliation.organisation_id.in_(caller.organisation_ids),
            )
        )
    return or_(*clauses)


class PersonRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _visible(self, stmt: Select[*Columns], caller: Caller) -> Select[*Columns]:
        """People are personal data. The secretariat (and its read keys) and network
        coordinators, who register the people they add as representatives, see the whole
        registry; any other signed-in user sees the people they have reason to know (see
        `_known_to`); the public no one (the service refuses it first, 401/403; this
        keeps any other read from finding someone even so). Conditions in the one
        statement, so a read costs the same number of queries for any caller."""
        if caller.is_admin or caller.coordinated_network_ids:
            return stmt
        if not caller.sees_personal_data:
            return stmt.where(false())
        return stmt.where(_known_to(caller))

    async def get(
        self, caller: Caller, person_id: uuid.UUID, *, with_organisations: bool = False
    ) -> Person | None:
        """The person as an ORM object (with their affiliations), for writes."""
        stmt = self._visible(select(Person).where(Person.id == person_id), caller)
        return await self.session.scalar(stmt.options(_loads(with_organisations)))

    async def read_one(
        self, caller: Caller, shape: RowShape, person_id: uuid.UUID
    ) -> Row[Any] | None:
        """The person's columns of `shape`, for the read path (app/api/reads.py)."""
        stmt = select(*shape.columns(Person)).where(Person.id == person_id)
        row: Row[Any] | None = (await self.session.execute(self._visible(stmt, caller))).first()
        return row

    async def read_page(
        self, caller: Caller, shape: RowShape, where: PersonFilter, sort: str, page: PageParams
    ) -> tuple[list[Row[Any]], SortOrder]:
        """A page of the people `where` selects, as rows of `shape`'s columns."""
        order = resolve_sort(sort, SORTS, Person.id)
        stmt = self._visible(select(*shape.columns(Person)), caller)
        if where.organisation_id is not None or where.position is not None:
            affiliated = exists().where(Affiliation.person_id == Person.id)
            if where.organisation_id is not None:
                affiliated = affiliated.where(Affiliation.organisation_id == where.organisation_id)
            if where.position is not None:
                affiliated = affiliated.where(Affiliation.position == where.position)
            stmt = stmt.where(affiliated)
        if where.q:
            stmt = stmt.where(matches_text(where.q, Person.full_name, Person.email))
        rows = await self.session.execute(apply_keyset(stmt, order, page))
        return list(rows), order

    async def read_affiliations(
        self,
        caller: Caller,
        person_ids: Collection[uuid.UUID],
        shape: RowShape,
        organisation: RowShape | None,
    ) -> list[Row[Any]]:
        """The affiliations of people the caller may see (`person_ids` from a read), one
        query for a whole page: `person_id` and `shape`'s columns, with the organisation's
        columns of `organisation` LEFT JOINed under `ORGANISATION_PREFIX` (ON its own
        visibility rule) when given."""
        if not person_ids:
            return []
        stmt = select(Affiliation.person_id, *shape.columns(Affiliation))
        if organisation is not None:
            stmt = stmt.add_columns(
                *organisation.columns(_ORGANISATION, prefix=ORGANISATION_PREFIX)
            ).outerjoin(
                _ORGANISATION,
                and_(
                    _ORGANISATION.id == Affiliation.organisation_id,
                    OrganisationRepository.visible_on(caller, _ORGANISATION),
                ),
            )
        stmt = stmt.where(Affiliation.person_id.in_(set(person_ids))).order_by(
            Affiliation.person_id, Affiliation.created_at, Affiliation.id
        )
        return list(await self.session.execute(stmt))

    async def existing_ids(
        self, caller: Caller, person_ids: Collection[uuid.UUID]
    ) -> set[uuid.UUID]:
        """The ids among `person_ids` of people the caller may see, in one query."""
        if not person_ids:
            return set()
        stmt = self._visible(select(Person).where(Person.id.in_(set(person_ids))), caller)
        rows = await self.session.scalars(stmt.with_only_columns(Person.id))
        return set(rows)

    async def affiliated_ids(
        self, caller: Caller, organisation_id: uuid.UUID, person_ids: Collection[uuid.UUID]
    ) -> set[uuid.UUID]:
        """The ids among `person_ids` of visible people affiliated with the organisation."""
        if not person_ids:
            return set()
        stmt = self._visible(
            select(Person).where(
                Person.id.in_(set(person_ids)),
                exists().where(
                    Affiliation.person_id == Person.id,
                    Affiliation.organisation_id == organisation_id,
                ),
            ),
            caller,
        )
        rows = await self.session.scalars(stmt.with_only_columns(Person.id))
        return set(rows)

    async def find_by_email(self, email: str) -> Person | None:
        # Emails are stored lower-cased, so plain equality is case-insensitive and
        # can use the unique index.
        return await self.session.scalar(select(Person).where(Person.email == email.lower()))

    async def referenced_by(self, person_id: uuid.UUID) -> tuple[str, ...]:
        """What names the person (so deleting them would lose history), in one query:
        any of `representatives` (of memberships), `office_terms`, `meeting_participants`,
        `agenda_items` (as presenter), `action_items` (as assignee)."""
        references = {
            "representatives": exists().where(Representative.person_id == person_id),
            "office_terms": exists().where(OfficeTerm.person_id == person_id),
            "meeting_participants": exists().where(Participant.person_id == person_id),
            "agenda_items": exists().where(AgendaItem.presenter_person_id == person_id),
            "action_items": exists().where(ActionItem.assignee_person_id == person_id),
        }
        row = (await self.session.execute(select(*references.values()))).one()
        return tuple(name for name, present in zip(references, row, strict=True) if present)

    def add(self, person: Person) -> None:
        self.session.add(person)

    async def delete(self, person: Person) -> None:
        """Delete the person after unlinking their users, through the unit of work so the
        audit trail records each change; the database's ON DELETE SET NULL then finds none.
        (Affiliations go with the person by the relationship's cascade, recorded too.)"""
        users = await self.session.scalars(select(User).where(User.person_id == person.id))
        for user in users:
            user.person_id = None
        await self.session.flush()
        await self.session.delete(person)
