"""Demo data taken from the three seed pages (see ../shared/seeds/).

Every active network that meets (meetings_per_year > 0) gets this year's and next year's plans
(app/meeting_plans), Industrigruppen with its yearly meeting with Karlskrona kommun.
KFH (Sweden, SEK) and Industrial Green Tech (Norway, NOK) sell their networks' fees: their
invoice settings, this year's fee schedules and the fee run's draft invoices are loaded
(the drafts wait to be issued).

Real names are those the public pages print (INEOS, Yara, NHO, LO, Norsk Industri,
Teknikföretagen, KFH, the people quoted); organisation numbers, head counts and the
Karlskrona member companies are invented. Every invented organisation number passes
its country's check digit (a test holds this).
"""

from dataclasses import dataclass, field
from datetime import date

from app.companies.models import Country, OrganisationKind
from app.memberships.models import MembershipKind, RepresentativeRole
from app.networks.models import NetworkStatus, Visibility
from app.offices.models import OfficeKind
from app.people.models import Position

NO, SE = Country.NORWAY, Country.SWEDEN
COMPANY, PARTNER = OrganisationKind.COMPANY, OrganisationKind.PARTNER
PUBLIC_BODY, ASSOCIATION = OrganisationKind.PUBLIC_BODY, OrganisationKind.ASSOCIATION


@dataclass(frozen=True)
class DemoOrganisation:
    key: str
    kind: OrganisationKind
    country: Country
    organisation_number: str
    legal_name: str
    display_name: str
    employees: int | None = None
    apprentices: int | None = None
    nace_code: str | None = None
    city: str | None = None


@dataclass(frozen=True)
class DemoPerson:
    email: str
    full_name: str
    organisation: str
    position: Position
    title: str


@dataclass(frozen=True)
class DemoNetwork:
    slug: str
    name: str
    description: str
    visibility: Visibility
    status: NetworkStatus
    meetings_per_year: int
    parent: str | None = None
    administered_by: str | None = None
    requires_parent_membership: bool = False
    # The public body the network meets once a year (an organisation key).
    municipality: str | None = None
    # Where its meetings are held: the year's plan reads its start time there.
    time_zone: str = "Europe/Oslo"


@dataclass(frozen=True)
class DemoMembership:
    organisation: str
    network: str
    starts_on: date
    kind: MembershipKind = MembershipKind.MEMBER
    representatives: tuple[tuple[str, RepresentativeRole], ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class DemoOffice:
    network: str
    person: str
    office: OfficeKind
    starts_on: date
    ends_on: date | None


ORGANISATIONS = (
    # Administering associations.
    DemoOrganisation("gic", ASSOCIATION, NO, "910200135", "Green Industry Cluster AS",
                     "Green Industry Cluster", 6, None, "94.110", "Porsgrunn"),
    DemoOrganisation("igt", ASSOCIATION, NO, "910200275", "Industrial Green Tech AS",
                     "Industrial Green Tech", 5, None, "94.110", "Porsgrunn"),
    DemoOrganisation("kfh", ASSOCIATION, SE, "5567009112",
                     "Karlskrona Företags- och Hantverksförening", "KFH", 3, None, "94.110",
                     "Karlskrona"),
    # Grenland member companies: together about 2,000 employees and over 100 apprentices.
    DemoOrganisation("ineos", COMPANY, NO, "910200410", "INEOS Norge AS", "INEOS", 640, 34,
                     "20.160", "Bamble"),
    DemoOrganisation("yara", COMPANY, NO, "910200542", "Yara Norge AS", "Yara", 900, 45,
                     "20.150", "Porsgrunn"),
    DemoOrganisation("heroya-verksted", COMPANY, NO, "910200682", "Herøya Verksted AS",
                     "Herøya Verksted", 240, 14, "33.120", "Porsgrunn"),
    DemoOrganisation("grenland-prosess", COMPANY, NO, "910200828", "Grenland Prosessteknikk AS",
                     "Grenland Prosessteknikk", 230, 11, "71.129", "Skien"),
    DemoOrganisation("telemark-offshore", COMPANY, NO, "910201093", "Telemark Offshore Service AS",
                     "Telemark Offshore Service", 85, 4, "09.100", "Brevik"),
    # Partners and public bodies.
    DemoOrganisation("nho", PARTNER, NO, "910201239", "NHO Vestfold og Telemark",
                     "NHO", None, None, "94.110", "Skien"),
    DemoOrganisation("lo", PARTNER, NO, "910201379", "LO Vestfold og Telemark", "LO",
                     None, None, "94.200", "Skien"),
    DemoOrganisation("norsk-industri", PARTNER, NO, "910201506", "Norsk Industri",
                     "Norsk Industri", None, None, "94.110", "Oslo"),
    DemoOrganisation("vtfk", PUBLIC_BODY, NO, "910201646", "Vestfold og Telemark fylkeskommune",
                     "Vestfold og Telemark fylkeskommune", None, None, "84.110", "Skien"),
    DemoOrganisation("teknikforetagen", PARTNER, SE, "5567018220", "Teknikföretagen",
                     "Teknikföretagen", None, None, "94.110", "Stockholm"),
    DemoOrganisation("karlskrona-kommun", PUBLIC_BODY, SE, "5567027338", "Karlskrona kommun",
                     "Karlskrona kommun", None, None, "84.110", "Karlskrona"),
    # Industrigruppen's larger industrial companies: about 5,000 employees together.
    DemoOrganisation("marinteknik", COMPANY, SE, "5567036446", "Karlskrona Marinteknik AB",
                     "Karlskrona Marinteknik", 1900, 20, "30.110", "Karlskrona"),
    DemoOrganisation("blekinge-elektronik", COMPANY, SE, "5567045553", "Blekinge Elektronik AB",
                     "Blekinge Elektronik", 1400, 8, "26.300", "Karlskrona"),
    DemoOrganisation("ostersjo-verkstad", COMPANY, SE, "5567054662", "Östersjö Verkstad AB",
                     "Östersjö Verkstad", 950, 12, "25.620", "Karlskrona"),
    DemoOrganisation("vamo-industri", COMPANY, SE, "5567063770", "Vämö Industri AB",
                     "Vämö Industri", 750, 6, "22.290", "Karlskrona"),
)  # fmt: skip

PEOPLE = (
    DemoPerson("magnar.bakke@ineos.example", "Magnar Bakke", "ineos", Position.CEO,
               "Daglig leder"),
    DemoPerson("irene.vestby@igt.example", "Irene Siljan Vestby", "igt", Position.OTHER,
               "Klyngeleder"),
    DemoPerson("kari.nordmann@yara.example", "Kari Nordmann", "yara", Position.SITE_MANAGER,
               "Fabrikksjef Herøya"),
    DemoPerson("ola.hansen@yara.example", "Ola Hansen", "yara", Position.UNION_REPRESENTATIVE,
               "Hovedtillitsvalgt"),
    DemoPerson("trine.berg@ineos.example", "Trine Berg", "ineos", Position.PURCHASING_MANAGER,
               "Innkjøpssjef"),
    DemoPerson("anna.lindqvist@marinteknik.example", "Anna Lindqvist", "marinteknik",
               Position.CEO, "VD"),
    DemoPerson("erik.sjoberg@blekinge-elektronik.example", "Erik Sjöberg",
               "blekinge-elektronik", Position.SITE_MANAGER, "Platschef"),
    DemoPerson("maria.holm@ostersjo.example", "Maria Holm", "ostersjo-verkstad", Position.CEO,
               "VD"),
    DemoPerson("johan.ek@vamo.example", "Johan Ek", "vamo-industri", Position.CEO, "VD"),
    DemoPerson("lena.karlsson@kfh.example", "Lena Karlsson", "kfh", Position.OTHER,
               "Nätverkssekreterare"),
)  # fmt: skip

NETWORKS = (
    DemoNetwork("green-industry-cluster", "Green Industry Cluster",
                "The cluster; its administration facilitates the interest groups.",
                Visibility.OPEN, NetworkStatus.ACTIVE, 0, administered_by="gic"),
    DemoNetwork("gic-offshore-forum", "GIC Offshore forum",
                "Open group for members who deliver to or have activities in the offshore "
                "sector. Under development.",
                Visibility.OPEN, NetworkStatus.PLANNED, 0, parent="green-industry-cluster"),
    DemoNetwork("gic-process-industry-council", "GIC Process industry council",
                "Top managers and union representatives of the larger process companies; "
                "NHO, LO and Norsk Industri participate.",
                Visibility.CLOSED, NetworkStatus.ACTIVE, 4, parent="green-industry-cluster"),
    DemoNetwork("gic-process-leader-forum", "GIC Process leader forum",
                "Top managers of the larger process companies, with NHO.",
                Visibility.CLOSED, NetworkStatus.ACTIVE, 4, parent="green-industry-cluster"),
    DemoNetwork("gic-procurement-network", "GIC Procurement network",
                "Purchasing managers of the larger process companies.",
                Visibility.CLOSED, NetworkStatus.ACTIVE, 4, parent="green-industry-cluster"),
    DemoNetwork("industriclusteret-grenland", "IndustriClusteret Grenland",
                "Industry cluster in Grenland, Telemark: about 2,000 employees and over 100 "
                "apprentices in its member companies.",
                Visibility.OPEN, NetworkStatus.ACTIVE, 4, administered_by="igt"),
    DemoNetwork("kfh", "KFH", "Karlskrona Företags- och Hantverksförening.",
                Visibility.OPEN, NetworkStatus.ACTIVE, 0, administered_by="kfh"),
    DemoNetwork("industrigruppen-karlskrona", "Industrigruppen i Karlskrona",
                "Network of larger industrial and technology companies in Karlskrona; members "
                "are also members of KFH. Meets at least four times a year.",
                Visibility.OPEN, NetworkStatus.ACTIVE, 4, parent="kfh",
                requires_parent_membership=True, municipality="karlskrona-kommun",
                time_zone="Europe/Stockholm"),
)  # fmt: skip

_REP = RepresentativeRole.REPRESENTATIVE
_UNION = RepresentativeRole.UNION_REPRESENTATIVE
_START = date(2024, 1, 1)

MEMBERSHIPS = (
    DemoMembership("ineos", "green-industry-cluster", _START),
    DemoMembership("yara", "green-industry-cluster", _START),
    DemoMembership("telemark-offshore", "green-industry-cluster", _START),
    DemoMembership("telemark-offshore", "gic-offshore-forum", date(2025, 3, 1)),
    DemoMembership("ineos", "gic-process-industry-council", _START,
                   representatives=(("magnar.bakke@ineos.example", _REP),)),
    DemoMembership("yara", "gic-process-industry-council", _START,
                   representatives=(("kari.nordmann@yara.example", _REP),
                                    ("ola.hansen@yara.example", _UNION))),
    DemoMembership("nho", "gic-process-industry-council", _START, MembershipKind.PARTNER),
    DemoMembership("lo", "gic-process-industry-council", _START, MembershipKind.PARTNER),
    DemoMembership("norsk-industri", "gic-process-industry-council", _START,
                   MembershipKind.PARTNER),
    DemoMembership("ineos", "gic-process-leader-forum", _START),
    DemoMembership("yara", "gic-process-leader-forum", _START),
    DemoMembership("nho", "gic-process-leader-forum", _START, MembershipKind.PARTNER),
    DemoMembership("ineos", "gic-procurement-network", _START,
                   representatives=(("trine.berg@ineos.example", _REP),)),
    DemoMembership("yara", "gic-procurement-network", _START),
    DemoMembership("ineos", "industriclusteret-grenland", _START,
                   representatives=(("magnar.bakke@ineos.example", _REP),)),
    DemoMembership("yara", "industriclusteret-grenland", _START),
    DemoMembership("heroya-verksted", "industriclusteret-grenland", _START),
    DemoMembership("grenland-prosess", "industriclusteret-grenland", _START),
    DemoMembership("telemark-offshore", "industriclusteret-grenland", _START),
    DemoMembership("marinteknik", "kfh", _START),
    DemoMembership("blekinge-elektronik", "kfh", _START),
    DemoMembership("ostersjo-verkstad", "kfh", _START),
    DemoMembership("vamo-industri", "kfh", _START),
    DemoMembership("marinteknik", "industrigruppen-karlskrona", _START,
                   representatives=(("anna.lindqvist@marinteknik.example", _REP),)),
    DemoMembership("blekinge-elektronik", "industrigruppen-karlskrona", _START,
                   representatives=(("erik.sjoberg@blekinge-elektronik.example", _REP),)),
    DemoMembership("ostersjo-verkstad", "industrigruppen-karlskrona", _START,
                   representatives=(("maria.holm@ostersjo.example", _REP),)),
    DemoMembership("vamo-industri", "industrigruppen-karlskrona", _START,
                   representatives=(("johan.ek@vamo.example", _REP),)),
    DemoMembership("teknikforetagen", "industrigruppen-karlskrona", _START,
                   MembershipKind.PARTNER),
)  # fmt: skip


@dataclass(frozen=True)
class DemoUser:
    email: str
    person: str | None  # the e-mail of the demo person the user is
    is_admin: bool = False
    coordinates: tuple[str, ...] = ()  # network slugs


# Sign-ins to try each role in /docs. The password is public, so `klynge demo-data`
# refuses to run with KLYNGE_ENVIRONMENT=production.
DEMO_PASSWORD = "klynge-demo-2026"  # noqa: S105 - documented demo credentials
USERS = (
    DemoUser("admin@demo.klynge.example", None, is_admin=True),
    DemoUser("lena.karlsson@kfh.example", "lena.karlsson@kfh.example",
             coordinates=("industrigruppen-karlskrona",)),
    DemoUser("anna.lindqvist@marinteknik.example", "anna.lindqvist@marinteknik.example"),
    DemoUser("kari.nordmann@yara.example", "kari.nordmann@yara.example"),
)  # fmt: skip

OFFICES = (
    # Industrigruppen's chair is elected for two years.
    DemoOffice("industrigruppen-karlskrona", "anna.lindqvist@marinteknik.example",
               OfficeKind.CHAIR, date(2025, 3, 1), date(2027, 2, 28)),
    DemoOffice("industrigruppen-karlskrona", "lena.karlsson@kfh.example", OfficeKind.SECRETARY,
               date(2024, 1, 1), None),
    DemoOffice("industriclusteret-grenland", "magnar.bakke@ineos.example", OfficeKind.CHAIR,
               date(2025, 1, 1), date(2026, 12, 31)),
)  # fmt: skip


@dataclass(frozen=True)
class DemoSeller:
    """An association's invoice settings (it sells the fees of its networks)."""

    organisation: str
    bank_account: str  # a Norwegian kontonummer or a Swedish bankgiro number, digits only
    in_business_register: bool = False  # Norway: Foretaksregisteret
    approved_for_f_tax: bool = False  # Sweden: Godkänd för F-skatt
    reminder_fee: str | None = None


@dataclass(frozen=True)
class DemoFeeSchedule:
    """This year's fees of a network; the demo's fee run makes the draft invoices."""

    network: str
    currency: str
    invoice_text: str
    lines: tuple[dict[str, object], ...]


SELLERS = (
    DemoSeller("kfh", "50501055", approved_for_f_tax=True, reminder_fee="60.00"),
    DemoSeller("igt", "12345678903", in_business_register=True, reminder_fee="35.00"),
)  # fmt: skip

FEE_SCHEDULES = (
    DemoFeeSchedule(
        "industrigruppen-karlskrona", "SEK", "Administrativ avgift till KFH för Industrigruppen.",
        ({"description": "Administrativ avgift Industrigruppen", "vat_category": "S",
          "vat_rate": "25.00",
          "tiers": [{"min_employees": 0, "amount": "6000.00"},
                    {"min_employees": 250, "amount": "12000.00"},
                    {"min_employees": 1000, "amount": "20000.00"}]},),
    ),
    DemoFeeSchedule(
        "industriclusteret-grenland", "NOK", "Medlemskontingent IndustriClusteret Grenland.",
        ({"description": "Medlemskontingent", "vat_category": "S", "vat_rate": "25.00",
          "amount": "15000.00"},),
    ),
)  # fmt: skip
