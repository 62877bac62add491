"""Loads the demo data; every row is found by its natural key first, so a second run
changes nothing."""

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.api.caller import Caller
from app.auth.credentials import hash_password
from app.auth.models import NetworkCoordinator, User
from app.clock import today
from app.companies.identifiers import normalise_organisation_number
from app.companies.models import Country, Language, Organisation
from app.db import create_engine, create_sessionmaker
from app.demo import data
from app.fee_runs.schemas import SkipReason
from app.fee_runs.service import run_fee_run
from app.fee_schedules.lines import stored_lines
from app.fee_schedules.models import FeeSchedule
from app.fee_schedules.schemas import FeeLineIn
from app.invoices.models import Currency
from app.meeting_plans.schemas import MeetingPlanCreate
from app.meeting_plans.service import plan_year
from app.memberships.models import Membership, MembershipStatus, Representative
from app.networks.models import Network, NetworkStatus
from app.networks.service import assign_administrator
from app.offices.models import OfficeTerm
from app.people.models import Affiliation, Person
from app.sellers.models import SellerSettings


@dataclass
class LoadSummary:
    created: int = 0
    existing: int = 0

    def __str__(self) -> str:
        return f"Demo data: {self.created} rows created, {self.existing} already present."


class _Loader:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.summary = LoadSummary()
        self.organisations: dict[str, Organisation] = {}
        self.people: dict[str, Person] = {}
        self.networks: dict[str, Network] = {}
        # One Argon2 hash for all demo users, made only if one is created: hashing is slow
        # on purpose, and a second run creates nobody.
        self._demo_password_hash: str | None = None

    def _count(self, found: object) -> None:
        if found is None:
            self.summary.created += 1
        else:
            self.summary.existing += 1

    async def organisation(self, item: data.DemoOrganisation) -> None:
        number = normalise_organisation_number(item.country, item.organisation_number)
        found = await self.session.scalar(
            select(Organisation).where(
                Organisation.country == item.country, Organisation.organisation_number == number
            )
        )
        self._count(found)
        if found is None:
            address = (
                {"line1": "Demo address 1", "postal_code": "0000", "city": item.city,
                 "country": item.country.value}
                if item.city else None
            )  # fmt: skip
            found = Organisation(
                kind=item.kind,
                legal_name=item.legal_name,
                display_name=item.display_name,
                country=item.country,
                organisation_number=number,
                vat_number=f"NO{number}MVA" if item.country is Country.NORWAY else f"SE{number}01",
                visiting_address=address,
                invoice_email=f"faktura@{item.key}.example",
                employees=item.employees,
                apprentices=item.apprentices,
                nace_code=item.nace_code,
                language=Language.NORWEGIAN_BOKMAL
                if item.country is Country.NORWAY
                else Language.SWEDISH,
            )
            self.session.add(found)
        self.organisations[item.key] = found

    async def person(self, item: data.DemoPerson) -> None:
        found = await self.session.scalar(select(Person).where(Person.email == item.email))
        self._count(found)
        if found is None:
            found = Person(full_name=item.full_name, email=item.email)
            found.affiliations = [
                Affiliation(
                    organisation=self.organisations[item.organisation],
                    position=item.position,
                    title=item.title,
                )
            ]
            self.session.add(found)
        self.people[item.email] = found

    async def network(self, item: data.DemoNetwork) -> None:
        # Slugs are unique among siblings, so a network is found by its parent and slug.
        parent = self.networks[item.parent] if item.parent else None
        found = await self.session.scalar(
            select(Network).where(
                Network.slug == item.slug,
                Network.parent_id == parent.id if parent else Network.parent_id.is_(None),
            )
        )
        self._count(found)
        if found is None:
            own = self.organisations[item.administered_by] if item.administered_by else None
            municipality = self.organisations[item.municipality] if item.municipality else None
            found = Network(
                parent=parent,
                slug=item.slug,
                name=item.name,
                description=item.description,
                visibility=item.visibility,
                status=item.status,
                meetings_per_year=item.meetings_per_year,
                requires_parent_membership=item.requires_parent_membership,
                municipality_id=municipality.id if municipality else None,
            )
            # The service's rule: its own association, or the parent's, inherited.
            assign_administrator(found, parent, own.id if own else None)
            self.session.add(found)
        self.networks[item.slug] = found

    async def membership(self, item: data.DemoMembership) -> None:
        organisation = self.organisations[item.organisation]
        network = self.networks[item.network]
        found = await self.session.scalar(
            select(Membership).where(
                Membership.organisation_id == organisation.id,
                Membership.network_id == network.id,
                Membership.starts_on == item.starts_on,
            )
        )
        self._count(found)
        if found is None:
            membership = Membership(
                organisation=organisation,
                network=network,
                kind=item.kind,
                status=MembershipStatus.ACTIVE,
                starts_on=item.starts_on,
            )
            membership.representatives = [
                Representative(person=self.people[email], role=role)
                for email, role in item.representatives
            ]
            self.session.add(membership)

    async def office(self, item: data.DemoOffice) -> None:
        network = self.networks[item.network]
        person = self.people[item.person]
        found = await self.session.scalar(
            select(OfficeTerm).where(
                OfficeTerm.network_id == network.id,
                OfficeTerm.office == item.office,
                OfficeTerm.starts_on == item.starts_on,
            )
        )
        self._count(found)
        if found is None:
            self.session.add(
                OfficeTerm(
                    network_id=network.id,
                    person=person,
                    office=item.office,
                    starts_on=item.starts_on,
                    ends_on=item.ends_on,
                )
            )

    async def meetings(self, item: data.DemoNetwork) -> None:
        """This year's and next year's plans (so there are upcoming meetings whatever the
        date), through the plan's own service: it creates only the meetings missing, so a
        second run finds them all."""
        network = self.networks[item.slug]
        if network.status is not NetworkStatus.ACTIVE or network.meetings_per_year == 0:
            return
        for year in (today().year, today().year + 1):
            plan = await plan_year(
                self.session,
                Caller.system(),
                network.id,
                MeetingPlanCreate(year=year, time_zone=item.time_zone),
            )
            self.summary.created += plan.created
            self.summary.existing += plan.existing

    async def seller(self, item: data.DemoSeller) -> None:
        organisation = self.organisations[item.organisation]
        found = await self.session.scalar(
            select(SellerSettings).where(SellerSettings.organisation_id == organisation.id)
        )
        self._count(found)
        if found is None:
            self.session.add(
                SellerSettings(
                    organisation_id=organisation.id,
                    bank_account=item.bank_account,
                    in_business_register=item.in_business_register,
                    approved_for_f_tax=item.approved_for_f_tax,
                    reminder_fee=None if item.reminder_fee is None else Decimal(item.reminder_fee),
                    contact_email=f"faktura@{item.organisation}.example",
                )
            )

    async def fees(self, item: data.DemoFeeSchedule) -> None:
        """This year's schedule, and the fee run's drafts through the run's own service
        (which bills only memberships not billed yet, so a second run makes nothing)."""
        network = self.networks[item.network]
        year = today().year
        found = await self.session.scalar(
            select(FeeSchedule).where(
                FeeSchedule.network_id == network.id, FeeSchedule.year == year
            )
        )
        self._count(found)
        if found is None:
            self.session.add(
                FeeSchedule(
                    network_id=network.id,
                    year=year,
                    currency=Currency(item.currency),
                    payment_terms_days=30,
                    invoice_text=item.invoice_text,
                    billable_kinds=["member"],
                    # Stored as the API stores them, checked by the same rules.
                    lines=stored_lines([FeeLineIn.model_validate(line) for line in item.lines]),
                )
            )
            await self.session.flush()
        run = await run_fee_run(self.session, Caller.system(), network.id, year, dry_run=False)
        self.summary.created += run.created_count
        self.summary.existing += sum(
            1 for skipped in run.skipped if skipped.reason is SkipReason.ALREADY_INVOICED
        )

    def demo_password_hash(self) -> str:
        if self._demo_password_hash is None:
            self._demo_password_hash = hash_password(data.DEMO_PASSWORD)
        return self._demo_password_hash

    async def user(self, item: data.DemoUser) -> None:
        found = await self.session.scalar(select(User).where(User.email == item.email))
        self._count(found)
        if found is None:
            user = User(
                email=item.email,
                password_hash=self.demo_password_hash(),
                is_admin=item.is_admin,
                person=self.people[item.person] if item.person else None,
            )
            user.coordinated = [
                NetworkCoordinator(network_id=self.networks[slug].id) for slug in item.coordinates
            ]
            self.session.add(user)

    async def load(self) -> LoadSummary:
        for organisation in data.ORGANISATIONS:
            await self.organisation(organisation)
        await self.session.flush()
        for person in data.PEOPLE:
            await self.person(person)
        for network in data.NETWORKS:
            await self.network(network)
            await self.session.flush()  # children need their parent's id
        for membership in data.MEMBERSHIPS:
            await self.membership(membership)
        for office in data.OFFICES:
            await self.office(office)
        for user in data.USERS:
            await self.user(user)
        await self.session.flush()  # the plan reads the memberships
        for network in data.NETWORKS:
            await self.meetings(network)
        for seller in data.SELLERS:
            await self.seller(seller)
        await self.session.flush()
        for schedule in data.FEE_SCHEDULES:
            await self.fees(schedule)
        return self.summary


async def load_into(session: AsyncSession) -> LoadSummary:
    return await _Loader(session).load()


async def load_demo_data(database_url: str, environment: str = "development") -> LoadSummary:
    if environment == "production":
        raise RuntimeError("Demo data has public passwords; it is never loaded in production.")
    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            return await load_into(session)
    finally:
        await engine.dispose()
