"""Peppol electronic addresses (`scheme:identifier`): the scheme from the EAS code list,
the identifier checked as that scheme defines it.

python-stdnum checks every scheme it knows (check digits included); schemes it does not
know are held to the format the Peppol rules or the Peppol code list give them
(PEPPOL-COMMON-R040 to R057), and the rest to the characters every identifier may use.
The identifier must be written as the XML carries it: digits and letters only, no
spaces, dots or dashes as separators (a VAT number may carry its country prefix).
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

from stdnum import ean, iban, lei
from stdnum.ad import nrt as ad_nrt
from stdnum.al import nipt as al_nipt
from stdnum.at import uid as at_uid
from stdnum.au import abn as au_abn
from stdnum.be import vat as be_vat
from stdnum.bg import vat as bg_vat
from stdnum.ch import uid as ch_uid
from stdnum.ch import vat as ch_vat
from stdnum.cy import vat as cy_vat
from stdnum.cz import dic as cz_dic
from stdnum.de import leitweg as de_leitweg
from stdnum.de import vat as de_vat
from stdnum.dk import cvr as dk_cvr
from stdnum.ee import kmkr as ee_kmkr
from stdnum.ee import registrikood as ee_registrikood
from stdnum.es import nif as es_nif
from stdnum.exceptions import ValidationError
from stdnum.fi import alv as fi_alv
from stdnum.fi import ytunnus as fi_ytunnus
from stdnum.fr import siren as fr_siren
from stdnum.fr import siret as fr_siret
from stdnum.fr import tva as fr_tva
from stdnum.gb import vat as gb_vat
from stdnum.gr import vat as gr_vat
from stdnum.hr import oib as hr_oib
from stdnum.hu import anum as hu_anum
from stdnum.ie import vat as ie_vat
from stdnum.is_ import kennitala as is_kennitala
from stdnum.it import codicefiscale as it_codicefiscale
from stdnum.it import iva as it_iva
from stdnum.jp import cn as jp_cn
from stdnum.li import peid as li_peid
from stdnum.lt import pvm as lt_pvm
from stdnum.lu import tva as lu_tva
from stdnum.lv import pvn as lv_pvn
from stdnum.mc import tva as mc_tva
from stdnum.me import pib as me_pib
from stdnum.mk import edb as mk_edb
from stdnum.mt import vat as mt_vat
from stdnum.nl import btw as nl_btw
from stdnum.no import orgnr as no_orgnr
from stdnum.pl import nip as pl_nip
from stdnum.pt import nif as pt_nif
from stdnum.ro import cf as ro_cf
from stdnum.rs import pib as rs_pib
from stdnum.se import orgnr as se_orgnr
from stdnum.sg import uen as sg_uen
from stdnum.si import ddv as si_ddv
from stdnum.sk import dph as sk_dph
from stdnum.sm import coe as sm_coe
from stdnum.tr import vkn as tr_vkn
from stdnum.us import ein as us_ein

from app.codelists import endpoint_schemes

# What any identifier may hold: the column keeps `scheme:identifier` in 50 characters.
IDENTIFIER_PATTERN = r"[A-Za-z0-9][A-Za-z0-9-]{0,44}"
_ANY = re.compile(IDENTIFIER_PATTERN)


class InvalidEndpoint(ValueError):
    """Why an electronic address is refused, worded for the caller; `code` is stable."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Scheme:
    name: str
    check: Callable[[str], bool]


def _stdnum(module: ModuleType, prefix: str = "") -> Callable[[str], bool]:
    """Valid for python-stdnum and written compact, with or without `prefix`."""

    def check(value: str) -> bool:
        try:
            compact = str(module.validate(value))
        except ValidationError:
            return False
        return value in {compact, prefix + compact}

    return check


def _format(pattern: str) -> Callable[[str], bool]:
    compiled = re.compile(pattern)
    return lambda value: compiled.fullmatch(value) is not None


def _either(*checks: Callable[[str], bool]) -> Callable[[str], bool]:
    return lambda value: any(check(value) for check in checks)


def _finnish_ovt(value: str) -> bool:
    """OVT: 0037, the 8-digit Y-tunnus without its dash, an optional 1-5 digit unit."""
    match = re.fullmatch(r"0037(\d{8})\d{0,5}", value)
    return match is not None and fi_ytunnus.is_valid(match.group(1))


def _gln(value: str) -> bool:
    """PEPPOL-COMMON-R040: a 13-digit GLN with its GS1 check digit."""
    return re.fullmatch(r"\d{13}", value) is not None and ean.is_valid(value)


def _vat(country: str, module: ModuleType, prefix: str) -> Scheme:
    return Scheme(f"{country} VAT number", _stdnum(module, prefix))


SCHEMES: dict[str, Scheme] = {
    "0002": Scheme("French SIREN or SIRET number", _either(_stdnum(fr_siren), _stdnum(fr_siret))),
    "0007": Scheme("Swedish organisation number", _stdnum(se_orgnr)),
    "0009": Scheme("French SIRET number", _stdnum(fr_siret)),
    "0037": Scheme("Finnish OVT code (0037 + Y-tunnus)", _finnish_ovt),
    "0060": Scheme("D-U-N-S number (9 digits)", _format(r"\d{9}")),
    "0088": Scheme("GLN (13 digits, GS1 check digit)", _gln),
    "0096": Scheme("Danish P number (10 digits)", _format(r"\d{10}")),
    "0106": Scheme("Dutch KVK number (8 digits)", _format(r"\d{8}")),
    "0151": Scheme("Australian Business Number", _stdnum(au_abn)),
    "0183": Scheme("Swiss UID (CHE + 9 digits)", _stdnum(ch_uid)),
    "0184": Scheme("Danish CVR number", _stdnum(dk_cvr, "DK")),
    "0188": Scheme("Japanese corporate number", _stdnum(jp_cn)),
    "0190": Scheme("Dutch OIN (20 digits)", _format(r"\d{20}")),
    "0191": Scheme("Estonian registry code", _stdnum(ee_registrikood)),
    "0192": Scheme("Norwegian organisation number", _stdnum(no_orgnr)),
    "0195": Scheme("Singapore UEN", _stdnum(sg_uen)),
    "0196": Scheme("Icelandic kennitala", _stdnum(is_kennitala)),
    "0198": Scheme("Danish SE number (DK + 8 digits)", _format(r"DK\d{8}")),
    "0199": Scheme("LEI", _stdnum(lei)),
    "0201": Scheme("Italian IPA code (6 letters or digits)", _format(r"[A-Za-z0-9]{6}")),
    "0204": Scheme("German Leitweg-ID", _stdnum(de_leitweg)),
    "0208": Scheme("Belgian enterprise number", _stdnum(be_vat)),
    "0210": Scheme("Italian codice fiscale", _either(_stdnum(it_codicefiscale), _stdnum(it_iva))),
    "0211": Scheme("Italian partita IVA", _stdnum(it_iva, "IT")),
    "0213": _vat("Finnish", fi_alv, "FI"),
    "0216": Scheme("Finnish OVT code (0037 + Y-tunnus)", _finnish_ovt),
    "0217": Scheme("Dutch KVK establishment number (20 digits)", _format(r"\d{20}")),
    "9910": _vat("Hungarian", hu_anum, "HU"),
    "9914": _vat("Austrian", at_uid, "AT"),
    "9918": Scheme("IBAN", _stdnum(iban)),
    "9920": _vat("Spanish", es_nif, "ES"),
    "9922": _vat("Andorran", ad_nrt, "AD"),
    "9923": _vat("Albanian", al_nipt, "AL"),
    "9925": _vat("Belgian", be_vat, "BE"),
    "9926": _vat("Bulgarian", bg_vat, "BG"),
    "9927": _vat("Swiss", ch_vat, "CH"),
    "9928": _vat("Cypriot", cy_vat, "CY"),
    "9929": _vat("Czech", cz_dic, "CZ"),
    "9930": _vat("German", de_vat, "DE"),
    "9931": _vat("Estonian", ee_kmkr, "EE"),
    "9932": _vat("British", gb_vat, "GB"),
    "9933": _vat("Greek", gr_vat, "EL"),
    "9934": _vat("Croatian", hr_oib, "HR"),
    "9935": _vat("Irish", ie_vat, "IE"),
    "9936": _vat("Liechtenstein", li_peid, "LI"),
    "9937": _vat("Lithuanian", lt_pvm, "LT"),
    "9938": _vat("Luxembourg", lu_tva, "LU"),
    "9939": _vat("Latvian", lv_pvn, "LV"),
    "9940": _vat("Monegasque", mc_tva, "FR"),
    "9941": _vat("Montenegrin", me_pib, "ME"),
    "9942": _vat("North Macedonian", mk_edb, "MK"),
    "9943": _vat("Maltese", mt_vat, "MT"),
    "9944": _vat("Dutch", nl_btw, "NL"),
    "9945": _vat("Polish", pl_nip, "PL"),
    "9946": _vat("Portuguese", pt_nif, "PT"),
    "9947": _vat("Romanian", ro_cf, "RO"),
    "9948": _vat("Serbian", rs_pib, "RS"),
    "9949": _vat("Slovenian", si_ddv, "SI"),
    "9950": _vat("Slovak", sk_dph, "SK"),
    "9951": _vat("San Marino", sm_coe, "SM"),
    "9952": _vat("Turkish", tr_vkn, "TR"),
    "9957": _vat("French", fr_tva, "FR"),
    "9959": Scheme("US Employer Identification Number", _stdnum(us_ein)),
}


def check_endpoint(value: str) -> str:
    """`value` as given when it is a valid Peppol electronic address; else InvalidEndpoint."""
    scheme, _, identifier = value.partition(":")
    if scheme not in endpoint_schemes():
        raise InvalidEndpoint(
            "invalid_endpoint_scheme",
            f"{scheme} is not an electronic address scheme of the Peppol EAS code list "
            "(e.g. 0192 Norwegian organisation number, 0007 Swedish, 0088 GLN).",
        )
    known = SCHEMES.get(scheme)
    if known is not None and not known.check(identifier):
        raise InvalidEndpoint(
            "invalid_endpoint_identifier",
            f"{identifier} is not a valid {known.name}, as scheme {scheme} requires "
            "(written without spaces or separators).",
        )
    if known is None and _ANY.fullmatch(identifier) is None:
        raise InvalidEndpoint(
            "invalid_endpoint_identifier",
            f"The identifier of scheme {scheme} holds letters, digits and dashes only.",
        )
    return value
