"""Pure rules of the rights-protection network (维权援助"全市一张网"): who may ask for what, the public tracking
number, routing a request to the competent unit, and the clocks of administrative adjudication, mediation and the
exhibition fast track.

Sources (../shared/domain/rules.md §9, §14.1, §14.2, §14.11):
- Patent Law 2020 Art 65 (the office orders infringement to stop; a party may sue within 15 days of receiving the
  decision; the office may ask the court for enforcement), Art 11 (the infringing acts), Art 70 (CNIPA for cases
  of nationwide significance);
- CNIPA Order No. 81 《专利纠纷行政裁决和调解办法》 (in force 2025-02-01, §14.2): Art 7 jurisdiction, Art 12
  requester and admissibility, Art 16 one complete correction notice, Art 19 limitation, Art 20 filing within 5
  working days (+5 complex), Art 22 service and answer, Art 34 repeat infringement, Art 37 the decision clock as
  §14.1 corrects §9.2 (3 months, +≤1 with the department head's approval, +≤2 more with the next level's; the
  periods that do not count), Art 63 mediation scope, Arts 65–66 mediation clocks; the four categories of major
  disputes CNIPA handles itself (Arts 55–58; named in the draft operating guide of 2025-05-25 [S104]);
- exhibitions (§9.3, §14.11): 《展会知识产权保护办法》 (2006: a fair of ≥ 3 days may need a complaint body, which
  transfers materials within 24 hours; an exhibitor found infringing twice or more is barred from the next
  edition) and CNIPA 《展会知识产权保护指引》 (2022) Art 14 (24 hours from notice to the written statement);
- periods: Civil Code Art 201 (the first day is not counted), Art 202 (a period in months or years ends on the
  corresponding day of the last month, or on that month's last day where it has none: a month after January 31
  is February 28, or 29 in a leap year), Art 203 (a period ending on a rest day ends on the next working day) —
  the general rule, applied here to administrative periods as workflow/definition.py DeadlineRule.due does.

Not fixed by the sources, kept as parameters with documented defaults: the description length limits
(`IntakeRules`), the correction period a notice sets (Art 16 lets the office set it: `DEFAULT_CORRECTION_DAYS`),
the exhibitor's threshold for the next edition (2, as the 2006 measures say), the routing table (the
administrator's), the tracking number's layout and its secret key.

Public tracking numbers. `WQ2025-000123-7KD2-M9QXH`: the year, the year's serial, an 8-character token and a
check character. The token is an HMAC-SHA256 of the year and serial under the installation's secret key, written
in Crockford's base 32 (digits and capitals without I, L, O and U; O is read as 0, I and L as 1): 32⁸ = 2⁴⁰ ≈
1.1 × 10¹² tokens per serial. Someone holding no number who knows the year and guesses serials (serials are
sequential, so an issued one is easy to hit) must also guess that serial's token: each guess finds a request with
probability at most 2⁻⁴⁰ ≈ 9 × 10⁻¹³, however many requests there are, and the service counts and slows down
failed look-ups (core/throttle.py). The check character is Luhn mod N (N = 32) over the 18 body
characters (stdnum.luhn with the Crockford alphabet): it refuses every single mistyped character and every swap
of two neighbours except 0↔Z, so a mistyped number is refused before any look-up and never lands on another
request. Knowing one number tells nothing about the key, so nobody can compute the next one.

No database, no web: plain values in, (field, Msg) problems, dates and decisions out. Working days come from the
platform's `WorkCalendar` (core/calendar.py), passed in by the caller.
"""

from __future__ import annotations

import calendar as _months
import hashlib
import hmac
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, NamedTuple

from babel import Locale
from stdnum import luhn

from ipcity.core.i18n import Bilingual, Msg
from ipcity.core.numbers import NumberError, parse_cn_application
from ipcity.core.registration import normal_phone, phone_problem
from ipcity.patents.regions import regions

if TYPE_CHECKING:  # the calendar is passed in; its module reads the holiday table
    from ipcity.core.calendar import WorkCalendar

# --- vocabularies --------------------------------------------------------------------------------------------

RIGHT_HOLDER, EXCLUSIVE_LICENSEE, SOLE_LICENSEE, ORDINARY_LICENSEE = (
    "right_holder", "exclusive_licensee", "sole_licensee", "ordinary_licensee")
ACCUSED, EXHIBITOR, ENTERPRISE_ABROAD = "accused_party", "exhibitor", "enterprise_abroad"
REQUESTER_ROLES: dict[str, Msg] = {
    RIGHT_HOLDER: Msg("Right holder (权利人)"),
    EXCLUSIVE_LICENSEE: Msg("Exclusive licensee (独占实施许可合同的被许可人)"),
    SOLE_LICENSEE: Msg("Sole licensee (排他实施许可合同的被许可人)"),
    ORDINARY_LICENSEE: Msg("Ordinary licensee (普通实施许可合同的被许可人)"),
    ACCUSED: Msg("Accused party (被控侵权人)"),
    EXHIBITOR: Msg("Exhibitor (参展方)"),
    ENTERPRISE_ABROAD: Msg("Enterprise facing a dispute abroad (海外知识产权纠纷涉事企业)"),
}
# Order 81 Art 12: the patentee or an interested party; the licensees on the conditions of `_requester_problems`.
ADJUDICATION_REQUESTERS = (RIGHT_HOLDER, EXCLUSIVE_LICENSEE, SOLE_LICENSEE, ORDINARY_LICENSEE)

PATENT, TRADEMARK, GI, COPYRIGHT, DATA_IP = "patent", "trademark", "gi", "copyright", "data_ip"
RIGHTS: dict[str, Msg] = {
    PATENT: Msg("Patent (专利)"),
    TRADEMARK: Msg("Trademark (商标)"),
    GI: Msg("Geographical indication (地理标志)"),
    COPYRIGHT: Msg("Copyright (著作权)"),
    DATA_IP: Msg("Data intellectual property (数据知识产权)"),
}

CONSULTATION, ASSISTANCE, COMPLAINT, ADJUDICATION, MEDIATION, OVERSEAS = (
    "consultation", "assistance", "complaint", "adjudication", "mediation", "overseas_guidance")
REQUEST_KINDS: dict[str, Msg] = {
    CONSULTATION: Msg("Consultation (咨询)"),
    ASSISTANCE: Msg("Rights-protection assistance (维权援助)"),
    COMPLAINT: Msg("Complaint for enforcement (投诉举报)"),
    ADJUDICATION: Msg("Request for administrative adjudication of a patent dispute (专利纠纷行政裁决请求)"),
    MEDIATION: Msg("Mediation (纠纷调解)"),
    OVERSEAS: Msg("Overseas dispute guidance (海外知识产权纠纷应对指导)"),
}
# Kinds with an other side: Order 81 Art 12 wants a definite respondent; a complaint and a mediation name one too.
WITH_RESPONDENT = (COMPLAINT, ADJUDICATION, MEDIATION)

# What an adjudication is about: Order 81 covers infringement, drug-patent linkage and open-licence disputes
# (§9.2, §14.2 ch.2 s.5, ch.3 s.3): kinds of the same case.
INFRINGEMENT, DRUG_LINKAGE, OPEN_LICENCE = "infringement", "drug_linkage", "open_licence"
DISPUTE_SUBJECTS: dict[str, Msg] = {
    INFRINGEMENT: Msg("Patent infringement dispute (专利侵权纠纷)"),
    DRUG_LINKAGE: Msg("Drug-patent linkage dispute (药品专利纠纷)"),
    OPEN_LICENCE: Msg("Open-licence dispute (开放许可实施纠纷)"),
}

WEB, PHONE, WALK_IN, FAIR_DESK = "web", "phone", "walk_in", "fair_desk"
CHANNELS: dict[str, Msg] = {
    WEB: Msg("Online (网上申请)"),
    PHONE: Msg("Phone (电话)"),
    WALK_IN: Msg("Walk-in (窗口现场)"),
    FAIR_DESK: Msg("Fair desk (展会现场工作站)"),
}

DISTRICT, ONLINE, FAIR = "district", "online", "fair"
WHERE: dict[str, Msg] = {
    DISTRICT: Msg("A district (区)"),
    ONLINE: Msg("Online (网络)"),
    FAIR: Msg("A fair (展会)"),
}

DISTRICT_OFFICE, MUNICIPAL_OFFICE, PROTECTION_CENTRE = "district_office", "municipal_office", "protection_centre"
ASSISTANCE_CENTRE, WORKSTATION, MEDIATION_BODY = "assistance_centre", "workstation", "mediation_body"
OVERSEAS_SUBCENTRE, CNIPA = "overseas_subcentre", "cnipa"
UNIT_KINDS: dict[str, Msg] = {
    DISTRICT_OFFICE: Msg("District IP office (区知识产权局)"),
    MUNICIPAL_OFFICE: Msg("Municipal IP office (市知识产权局)"),
    PROTECTION_CENTRE: Msg("IP protection centre (知识产权保护中心)"),
    ASSISTANCE_CENTRE: Msg("IP rights-assistance centre (知识产权维权援助中心)"),
    WORKSTATION: Msg("Rights-assistance workstation (知识产权维权援助工作站)"),
    MEDIATION_BODY: Msg("Mediation body (知识产权纠纷调解组织)"),
    OVERSEAS_SUBCENTRE: Msg("Overseas dispute guidance sub-centre (海外知识产权纠纷应对指导分中心)"),
    CNIPA: Msg("CNIPA (国家知识产权局)"),
}

# --- intake ----------------------------------------------------------------------------------------------------

INTAKE_FIELDS: dict[str, Msg] = {
    "role": Msg("Requester's role (申请人身份)"),
    "right": Msg("Right concerned (权利类型)"),
    "kind": Msg("Request kind (请求事项)"),
    "channel": Msg("Channel (受理渠道)"),
    "where": Msg("Place (发生地)"),
    "division_code": Msg("District (所在区)"),
    "fair": Msg("Fair (展会)"),
    "country": Msg("Country or region of the dispute (纠纷所在国家或地区)"),
    "description": Msg("Description (情况说明)"),
    "respondent": Msg("Other party (对方当事人)"),
    "patent_number": Msg("Patent number (专利号)"),
    "subject": Msg("Subject of the dispute (纠纷类型)"),
    "matter": Msg("Matter to mediate (调解事项)"),
    "contact_name": Msg("Contact person (联系人)"),
    "phone": Msg("Phone (联系电话)"),
}


@dataclass(frozen=True)
class IntakeRules:
    """What the platform fixes for an intake (no source gives these; every default is the platform's choice)."""

    # The city whose districts a request may name, as ipcity.patents.regions shortens a code (31: Shanghai).
    city: str = "31"
    description_min_chars: int = 10  # enough for "who did what, where"
    description_max_chars: int = 5000
    name_max_chars: int = 200  # the other party's and the contact's names
    # The fairs a request may name (their keys, as the fair table holds them); empty: any key is taken.
    fairs: tuple[str, ...] = ()


DEFAULT_INTAKE = IntakeRules()


def text_of(value) -> str:
    """A form value as text: NFKC-folded (full-width digits and letters read as ASCII), trimmed; "" for a list."""
    return unicodedata.normalize("NFKC", str(value or "")).strip() if not isinstance(value, list | tuple) else ""


def ticked(value) -> bool:
    """A check box as posted (on, 1, yes, true) or a JSON true."""
    return value is True or str(value or "").strip().lower() in ("1", "on", "yes", "true", "y")


def district_code(value, city: str = "31") -> str:
    """A county-level division code of the city, as ipcity.patents.regions writes it (310115), "" otherwise."""
    code = text_of(value)
    if not (code.isdigit() and len(code) == 6 and code.startswith(city) and code[4:] != "00"):
        return ""
    return code if code in regions() else ""


def area_of(values: dict) -> str:
    """The routing area of a request: its district code (310115), "online", or "fair:<key>" ("" when unknown)."""
    where = text_of(values.get("where"))
    if where == DISTRICT:
        return district_code(values.get("division_code"))
    if where == ONLINE:
        return ONLINE
    if where == FAIR and text_of(values.get("fair")):
        return f"{FAIR}:{text_of(values.get('fair'))}"
    return ""


def territories() -> dict[str, str]:
    """ISO 3166 two-letter codes of countries and regions, with their English names (CLDR, via Babel)."""
    return {k: v for k, v in Locale("en").territories.items() if len(k) == 2 and k.isalpha()}


def intake_problems(values: dict, rules: IntakeRules = DEFAULT_INTAKE) -> list[tuple[str, Msg]]:
    """Every problem of a request to the network, each on its field.

    `values`: role, right, kind, channel, where (district, online or fair) with division_code or fair,
    description, contact_name, phone; respondent for a complaint, adjudication or mediation; country for overseas
    guidance; for an adjudication patent_number, subject and the Art 12 declarations (court_action, other_method,
    patentee_not_requesting for a sole licensee, authorised for an ordinary licensee); for a mediation matter and
    granted (provisional-protection royalties)."""
    label = INTAKE_FIELDS
    problems: list[tuple[str, Msg]] = []
    role, right, kind = text_of(values.get("role")), text_of(values.get("right")), text_of(values.get("kind"))
    for key, table, value in (("role", REQUESTER_ROLES, role), ("right", RIGHTS, right),
                              ("kind", REQUEST_KINDS, kind)):
        if value not in table:
            problems.append((key, Msg("Choose the {field}", field=label[key])))
    channel = text_of(values.get("channel")) or WEB
    if channel not in CHANNELS:
        problems.append(("channel", Msg("Choose the {field}", field=label["channel"])))
    problems += _where_problems(values, channel, rules)
    description = text_of(values.get("description"))
    n = len("".join(description.split()))
    if not description:
        problems.append(("description", Msg("{field} is required", field=label["description"])))
    elif n < rules.description_min_chars:
        problems.append(("description", Msg("{field} is too short: write at least {n} characters",
                                            field=label["description"], n=rules.description_min_chars)))
    elif len(description) > rules.description_max_chars:
        problems.append(("description", Msg("{field} is longer than {n} characters", field=label["description"],
                                            n=rules.description_max_chars)))
    if kind in WITH_RESPONDENT:  # Order 81 Art 12: a definite respondent
        respondent = text_of(values.get("respondent"))
        if not respondent:
            problems.append(("respondent", Msg("{field} is required", field=label["respondent"])))
        elif len(respondent) > rules.name_max_chars:
            problems.append(("respondent", Msg("{field} is longer than {n} characters", field=label["respondent"],
                                               n=rules.name_max_chars)))
    if kind == ADJUDICATION:
        problems += adjudication_problems(values)
    elif kind == MEDIATION:
        problems += mediation_problems(values)
    elif kind == OVERSEAS:
        country = text_of(values.get("country")).upper()
        if not country:
            problems.append(("country", Msg("{field} is required", field=label["country"])))
        elif country == "CN":
            problems.append(("country", Msg("Overseas guidance is for disputes outside the Chinese mainland: "
                                            "choose the country or region where the dispute is")))
        elif country not in territories():
            problems.append(("country", Msg("{code} is not a country or region code (ISO 3166, e.g. US, DE)",
                                            code=country[:8])))
    if right == PATENT and kind != ADJUDICATION and text_of(values.get("patent_number")):
        problems += _patent_number_problems(values)
    contact = text_of(values.get("contact_name"))
    if not contact:
        problems.append(("contact_name", Msg("{field} is required", field=label["contact_name"])))
    elif len(contact) > rules.name_max_chars:
        problems.append(("contact_name", Msg("{field} is longer than {n} characters", field=label["contact_name"],
                                             n=rules.name_max_chars)))
    wrong = phone_problem(normal_phone(text_of(values.get("phone"))))
    if wrong:
        problems.append(("phone", wrong))
    return problems


def _where_problems(values: dict, channel: str, rules: IntakeRules) -> list[tuple[str, Msg]]:
    label = INTAKE_FIELDS
    where = text_of(values.get("where"))
    if where not in WHERE:
        return [("where", Msg("Choose the {field}", field=label["where"]))]
    problems: list[tuple[str, Msg]] = []
    if channel == FAIR_DESK and where != FAIR:
        problems.append(("where", Msg("A request taken at a fair desk is about that fair: choose the fair")))
    if where == DISTRICT:
        given = text_of(values.get("division_code"))
        if not given:
            problems.append(("division_code", Msg("{field} is required", field=label["division_code"])))
        elif not district_code(given, rules.city):
            problems.append(("division_code", Msg(
                "{code} is not a district of the city: choose the district where it happened, or online",
                code=given[:12])))
    elif where == FAIR:
        fair = text_of(values.get("fair"))
        if not fair:
            problems.append(("fair", Msg("{field} is required", field=label["fair"])))
        elif rules.fairs and fair not in rules.fairs:
            problems.append(("fair", Msg("Choose one of the fairs listed")))
    return problems


def _patent_number_problems(values: dict) -> list[tuple[str, Msg]]:
    number = text_of(values.get("patent_number"))
    if not number:
        return [("patent_number", Msg("{field} is required", field=INTAKE_FIELDS["patent_number"]))]
    try:
        parse_cn_application(number)
    except NumberError as exc:
        return [("patent_number", Msg("{number} is not a Chinese patent number: {why}", number=number[:30],
                                      why=Bilingual(exc.zh, exc.en)))]
    return []


def adjudication_problems(values: dict) -> list[tuple[str, Msg]]:
    """Why a request for administrative adjudication cannot be made as it stands (Order 81 Art 12; Order 81 covers
    patent disputes only)."""
    problems: list[tuple[str, Msg]] = []
    if text_of(values.get("right")) != PATENT:
        problems.append(("right", Msg("Administrative adjudication under CNIPA Order No. 81 is for patent disputes; "
                                      "for other rights ask for assistance, a complaint or mediation")))
    subject = text_of(values.get("subject")) or INFRINGEMENT
    if subject not in DISPUTE_SUBJECTS:
        problems.append(("subject", Msg("Choose the {field}", field=INTAKE_FIELDS["subject"])))
    problems += _requester_problems(values)
    if ticked(values.get("court_action")):
        problems.append(("court_action", Msg(
            "A party has brought the dispute to court: the office cannot adjudicate it (Order 81 Art 12)")))
    if ticked(values.get("other_method")):
        problems.append(("other_method", Msg(
            "The parties agreed another way to resolve the dispute (arbitration): the office cannot adjudicate it "
            "(Order 81 Art 12)")))
    problems += _patent_number_problems(values)
    return problems


def _requester_problems(values: dict) -> list[tuple[str, Msg]]:
    """Order 81 Art 12: the patentee or an interested party; an exclusive licensee alone; a sole licensee only
    where the patentee does not request; an ordinary licensee only where the contract or the patentee authorises."""
    role = text_of(values.get("role"))
    if role not in REQUESTER_ROLES:
        return []  # already reported
    if role not in ADJUDICATION_REQUESTERS:
        return [("role", Msg("Only the patentee or a licensee may request adjudication (Order 81 Art 12)"))]
    if role == SOLE_LICENSEE and not ticked(values.get("patentee_not_requesting")):
        return [("patentee_not_requesting", Msg(
            "A sole licensee may request adjudication only where the patentee does not: confirm that the patentee "
            "does not request it (Order 81 Art 12)"))]
    if role == ORDINARY_LICENSEE and not ticked(values.get("authorised")):
        return [("authorised", Msg(
            "An ordinary licensee may request adjudication only where the licence contract or the patentee "
            "authorises it: confirm the authorisation (Order 81 Art 12)"))]
    return []


# Order 81 Art 63: what the office mediates; Patent Law Art 65: the amount of damages for an infringement.
OWNERSHIP, INVENTOR, REWARD, PROVISIONAL_ROYALTY, DAMAGES, OTHER_MATTER = (
    "ownership", "inventor", "reward", "provisional_royalty", "damages", "other")
MEDIATION_MATTERS: dict[str, Msg] = {
    OWNERSHIP: Msg("Ownership of the application or patent (专利申请权和专利权归属纠纷)"),
    INVENTOR: Msg("Inventor or designer status (发明人、设计人资格纠纷)"),
    REWARD: Msg("Employee-inventor reward and remuneration (职务发明奖励和报酬纠纷)"),
    PROVISIONAL_ROYALTY: Msg("Royalties for the provisional-protection period (发明专利临时保护期使用费纠纷)"),
    DAMAGES: Msg("Damages for an infringement (侵权赔偿数额)"),
    OTHER_MATTER: Msg("Other patent dispute (其他专利纠纷)"),
}


def mediation_problems(values: dict) -> list[tuple[str, Msg]]:
    """What a request for mediation lacks (Order 81 Art 63: royalties for the provisional-protection period are
    requested only after the grant). Mediation by a body covers every right; `matter` is asked for patents."""
    if text_of(values.get("right")) != PATENT:
        return []
    matter = text_of(values.get("matter"))
    if matter not in MEDIATION_MATTERS:
        return [("matter", Msg("Choose the {field}", field=INTAKE_FIELDS["matter"]))]
    if matter == PROVISIONAL_ROYALTY and not ticked(values.get("granted")):
        return [("matter", Msg("Royalties for the provisional-protection period can be asked for only after the "
                               "patent is granted (Order 81 Art 63)"))]
    return []


# --- amounts ------------------------------------------------------------------------------------------------

MAX_AMOUNT = Decimal("999999999999.99")  # yuan: damages, settlements, agreed sums


def parse_amount(text) -> tuple[Decimal | None, Msg | None]:
    """An amount in yuan as typed (thousands separators tolerated): (the amount to the fen, None), (None, None)
    when empty, or (None, why it is refused)."""
    raw = str(text if text is not None else "").strip().replace(",", "").replace("，", "")
    if not raw:
        return None, None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        return None, Msg("Write the amount in yuan as a number, e.g. 120000.00")
    if not value.is_finite() or value < 0 or value > MAX_AMOUNT:
        return None, Msg("The amount must be between 0 and {most} yuan", most=f"{MAX_AMOUNT:,}")
    return value.quantize(Decimal("0.01")), None


# --- public tracking numbers -----------------------------------------------------------------------------------

TRACKING_PREFIX = "WQ"  # 维权
TRACKING_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base 32
SERIAL_WIDTH, TOKEN_WIDTH = 6, 8
_CROCKFORD_READS = str.maketrans({"O": "0", "I": "1", "L": "1"})
EXAMPLE_TRACKING = "WQ2025-000123-7KD2-M9QXH"  # the layout, with a valid check character but no issued token


class TrackingError(ValueError):
    """A tracking number refused; `msg` says why, in the reader's language."""

    def __init__(self, msg: Msg):
        self.msg = msg
        super().__init__(msg.msgid)


@dataclass(frozen=True)
class Tracking:
    year: int
    serial: int
    token: str

    @property
    def number(self) -> str:
        """The written form: WQ2025-000123-7KD2-M9QXH."""
        year, serial = f"{self.year:04d}", f"{self.serial:0{SERIAL_WIDTH}d}"
        check = luhn.calc_check_digit(year + serial + self.token, TRACKING_ALPHABET)
        return f"{TRACKING_PREFIX}{year}-{serial}-{self.token[:4]}-{self.token[4:]}{check}"

    def __str__(self) -> str:
        return self.number


def _token(year: int, serial: int, key: bytes) -> str:
    digest = hmac.new(key, f"{TRACKING_PREFIX}{year:04d}{serial:0{SERIAL_WIDTH}d}".encode(), hashlib.sha256).digest()
    value = int.from_bytes(digest[:5], "big")  # 40 bits: 8 base-32 characters
    return "".join(TRACKING_ALPHABET[(value >> (5 * i)) & 31] for i in reversed(range(TOKEN_WIDTH)))


def tracking_number(serial: int, year: int, *, key: bytes) -> str:
    """The public tracking number of the year's `serial`-th request, keyed by the installation's secret `key`
    (the token makes numbers unguessable: see the module's docstring for the search space)."""
    if not key:
        raise ValueError("a tracking number needs the installation's secret key")
    if not 1 <= serial < 10 ** SERIAL_WIDTH:
        raise ValueError(f"serial {serial} does not fit in {SERIAL_WIDTH} digits")
    if not 2000 <= year <= 9999:
        raise ValueError(f"year {year} is out of range")
    return Tracking(year, serial, _token(year, serial, key)).number


def parse_tracking(text: str, *, key: bytes | None = None) -> Tracking:
    """A tracking number as typed (spaces, hyphens, lower case, full-width characters and Crockford's O → 0,
    I / L → 1 tolerated). TrackingError when it is not one, when its check character shows a mistyped character,
    or, given the `key`, when its token was not issued under that key."""
    folded = re.sub(r"[\s\-‐‑‒–—_.]", "", unicodedata.normalize("NFKC", text or "")).upper()
    if not folded:
        raise TrackingError(Msg("{field} is required", field=Msg("Tracking number (查询码)")))
    if not folded.startswith(TRACKING_PREFIX):
        raise TrackingError(Msg("A tracking number begins with {prefix}, as in {example}", prefix=TRACKING_PREFIX,
                                example=EXAMPLE_TRACKING))
    body = folded[len(TRACKING_PREFIX):].translate(_CROCKFORD_READS)
    size = 4 + SERIAL_WIDTH + TOKEN_WIDTH + 1
    if len(body) != size:
        raise TrackingError(Msg("A tracking number has {n} characters after {prefix}; this one has {m}",
                                n=size, prefix=TRACKING_PREFIX, m=len(body)))
    stray = next((ch for ch in body if ch not in TRACKING_ALPHABET), "")
    if stray:
        raise TrackingError(Msg("A tracking number has no letter {char}: check it against the receipt", char=stray))
    if not body[:4 + SERIAL_WIDTH].isdigit():
        raise TrackingError(Msg("A tracking number has digits for the year and serial, as in {example}",
                                example=EXAMPLE_TRACKING))
    if luhn.checksum(body, TRACKING_ALPHABET) != 0:
        raise TrackingError(Msg("This tracking number is mistyped: check it against the receipt"))
    year, serial, token = int(body[:4]), int(body[4:4 + SERIAL_WIDTH]), body[4 + SERIAL_WIDTH:-1]
    if serial == 0 or year < 2000:
        raise TrackingError(Msg("This tracking number is mistyped: check it against the receipt"))
    if key is not None and not hmac.compare_digest(token, _token(year, serial, key)):
        raise TrackingError(Msg("No request has this tracking number"))
    return Tracking(year, serial, token)


# --- routing -----------------------------------------------------------------------------------------------------

ANY = "*"
ANY_DISTRICT, ANY_FAIR = f"{DISTRICT}:*", f"{FAIR}:*"


@dataclass(frozen=True)
class Rule:
    """One row of the administrator's routing table (as FixMyStreet routes a report by category and area):
    requests of `right` and `kind` from `area` go to the unit `unit_code`. `right` and `kind` may be ANY;
    `area` is a district code (310115), "online", "fair:<key>", ANY_DISTRICT, ANY_FAIR or ANY. Among the rules
    that match, the most specific wins: a named area beats a family of areas (any district, any fair), which
    beats ANY; then a named right beats ANY; then a named kind; then the higher `priority`; then the earlier
    rule in the table."""

    right: str
    kind: str
    area: str
    unit_code: str
    priority: int = 0


def _area_rank(rule_area: str, area: str) -> int | None:
    """How specifically `rule_area` matches `area`: 2 named, 1 a family, 0 ANY, None no match."""
    if rule_area == ANY:
        return 0
    if rule_area == area:
        return 2
    if rule_area == ANY_FAIR and area.startswith(f"{FAIR}:"):
        return 1
    if rule_area == ANY_DISTRICT and area.isdigit():
        return 1
    return None


def specificity(rule: Rule, right: str, kind: str, area: str) -> tuple[int, int, int, int] | None:
    """The rank of a rule for a request (higher wins), None when it does not match."""
    rank = _area_rank(rule.area, area)
    if rank is None or rule.right not in (ANY, right) or rule.kind not in (ANY, kind):
        return None
    return rank, int(rule.right != ANY), int(rule.kind != ANY), rule.priority


def matching_rule(rules: Sequence[Rule], right: str, kind: str, area: str) -> Rule | None:
    """The rule that decides a request's unit, None when none matches."""
    best: tuple[tuple[int, int, int, int], int] | None = None
    for i, rule in enumerate(rules):
        rank = specificity(rule, right, kind, area)
        if rank is not None and (best is None or (rank, -i) > best):
            best = (rank, -i)
    return rules[-best[1]] if best is not None else None


def route(rules: Sequence[Rule], right: str, kind: str, area: str) -> str | None:
    """The unit code a request goes to, None when no rule matches (an official then routes it by hand)."""
    rule = matching_rule(rules, right, kind, area)
    return rule.unit_code if rule is not None else None


def rule_problems(rule: Rule, unit_codes: Iterable[str] | None = None, city: str = "31") -> list[tuple[str, Msg]]:
    """What is wrong with a row of the routing table, each on its field."""
    problems: list[tuple[str, Msg]] = []
    if rule.right != ANY and rule.right not in RIGHTS:
        problems.append(("right", Msg("Choose the {field}", field=INTAKE_FIELDS["right"])))
    if rule.kind != ANY and rule.kind not in REQUEST_KINDS:
        problems.append(("kind", Msg("Choose the {field}", field=INTAKE_FIELDS["kind"])))
    area = rule.area
    fair_key = area[len(FAIR) + 1:] if area.startswith(f"{FAIR}:") else ""
    if not (area in (ANY, ANY_DISTRICT, ANY_FAIR, ONLINE) or fair_key or district_code(area, city)):
        problems.append(("area", Msg("{area} is neither a district of the city, online, a fair nor any",
                                     area=area[:40])))
    codes = set(unit_codes) if unit_codes is not None else None
    if not rule.unit_code or (codes is not None and rule.unit_code not in codes):
        problems.append(("unit_code", Msg("Choose the unit requests go to")))
    return problems


def ambiguous_rules(rules: Sequence[Rule]) -> list[tuple[Rule, Rule]]:
    """Pairs of rules with the same right, kind, area and priority that send requests to different units: the
    earlier one always wins, which an administrator rarely means."""
    seen: dict[tuple[str, str, str, int], Rule] = {}
    out = []
    for rule in rules:
        key = (rule.right, rule.kind, rule.area, rule.priority)
        if key in seen and seen[key].unit_code != rule.unit_code:
            out.append((seen[key], rule))
        seen.setdefault(key, rule)
    return out


# The four categories of major patent disputes CNIPA handles itself (Order 81 ch.2 s.4, Arts 55–58; named in the
# draft operating guide of 2025-05-25 [S104]; Patent Law Art 70).
PUBLIC_INTEREST, INDUSTRY_IMPACT, CROSS_PROVINCIAL, OTHER_SIGNIFICANT = (
    "public_interest", "industry_impact", "cross_provincial", "other_significant")
MAJOR_CATEGORIES: dict[str, Msg] = {
    PUBLIC_INTEREST: Msg("Involves major public interest (涉及重大公共利益)"),
    INDUSTRY_IMPACT: Msg("Major impact on an industry (对行业发展有重大影响)"),
    CROSS_PROVINCIAL: Msg("Across provinces with major impact (跨省级行政区域的重大案件)"),
    OTHER_SIGNIFICANT: Msg("Otherwise of nationwide significance (其他可能有重大影响的案件)"),
}


def major_cnipa(categories: Iterable[str]) -> bool:
    """A major dispute CNIPA handles itself: one of the four categories applies. ValueError on an unknown one."""
    given = set(categories)
    unknown = given - set(MAJOR_CATEGORIES)
    if unknown:
        raise ValueError(f"unknown major-dispute categories: {sorted(unknown)}")
    return bool(given)


def provincial(*, foreign: bool = False, hk_macao_taiwan: bool = False, multi_prefecture: bool = False,
               major_impact: bool = False) -> bool:
    """Order 81 Art 7: the provincial office (in Shanghai, a municipality, the municipal office) handles
    foreign-related and HK/Macao/Taiwan-related disputes, and those across several prefecture-level areas (in
    Shanghai read as several districts: derived) with a major impact. "Of major impact" is read as qualifying
    the multi-prefecture case only."""
    return foreign or hk_macao_taiwan or (multi_prefecture and major_impact)


def adjudication_level(categories: Iterable[str] = (), **art7: bool) -> str:
    """Which level adjudicates before the routing table is consulted: CNIPA for a major dispute, the municipal
    office for an Art 7 case, "" for the table (a district office with capacity, Art 7)."""
    if major_cnipa(categories):
        return CNIPA
    return MUNICIPAL_OFFICE if provincial(**art7) else ""


# --- periods -------------------------------------------------------------------------------------------------------

def add_months(day: date, months: int) -> date:
    """`day` plus calendar months (Civil Code Art 202): the corresponding day of the last month, or that month's
    last day where it has none (January 31 + 1 month = February 28, or 29 in a leap year)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, _months.monthrange(year, month + 1)[1]))


def calendar_due(start: date, days: int, calendar: WorkCalendar) -> date:
    """A limit of `days` calendar days from `start` (the first day not counted); one ending on a rest day ends
    on the next working day (Civil Code Art 203; workflow DeadlineRule.due)."""
    return calendar.next_working_day(start + timedelta(days=days))


# --- administrative adjudication (Order 81) ------------------------------------------------------------------------

ACCEPTANCE_DAYS, COMPLEX_EXTRA_DAYS = 5, 5  # working days, Art 20
SERVICE_DAYS, FORWARD_DAYS = 5, 5  # working days, Art 22
ANSWER_DAYS, ANSWER_DAYS_ABROAD = 15, 30  # calendar days, Art 22
DEFAULT_CORRECTION_DAYS = 15  # calendar days: the period the notice sets (Art 16 leaves it to the office)
LIMITATION_YEARS = 3  # Art 19
DECISION_MONTHS = 3  # Art 37 (§14.1)
SUIT_DAYS = 15  # Patent Law Art 65


def acceptance_due(received_on: date, calendar: WorkCalendar, *, complex_case: bool = False) -> date:
    """The last day to file (立案) or refuse a request: 5 working days from receiving it, 10 for a complex case
    (Art 20). After a correction, `received_on` is the day the corrected request arrived."""
    return calendar.add_working_days(received_on, ACCEPTANCE_DAYS + (COMPLEX_EXTRA_DAYS if complex_case else 0))


def correction_notice_refusal(notices_sent: int) -> Msg | None:
    """Art 16: one written notice lists every defect; a second notice for the same request is refused."""
    if notices_sent >= 1:
        return Msg("A correction notice was already sent for this request: Order 81 Art 16 allows one notice "
                   "listing every defect")
    return None


def correction_due(sent_on: date, calendar: WorkCalendar, days: int = DEFAULT_CORRECTION_DAYS) -> date:
    """The last day to answer the correction notice: `days` calendar days (the office's setting, stated in the
    notice), on a working day."""
    return calendar_due(sent_on, days, calendar)


def correction_refusal(due: date, answered_on: date | None, complete: bool, today: date) -> Msg | None:
    """Art 16: a correction that is late, or still defective, means the request is not filed. None while the
    period runs with no answer, and when a complete answer came in time."""
    if answered_on is None:
        return Msg("No correction was received by {due}: the request is not filed (Order 81 Art 16)",
                   due=due.isoformat()) if today > due else None
    if answered_on > due:
        return Msg("The correction arrived on {on}, after the period ended on {due}: the request is not filed "
                   "(Order 81 Art 16)", on=answered_on.isoformat(), due=due.isoformat())
    if not complete:
        return Msg("The corrected request still has defects: it is not filed (Order 81 Art 16)")
    return None


def service_due(filed_on: date, calendar: WorkCalendar) -> date:
    """The last day to serve the request on the respondent: 5 working days from filing (Art 22)."""
    return calendar.add_working_days(filed_on, SERVICE_DAYS)


def answer_due(received_on: date, calendar: WorkCalendar, *, domicile_in_china: bool = True,
               extra_days: int = 0) -> date:
    """The last day of the respondent's answer: 15 days from receiving the request, 30 without domicile in China,
    plus any extension the panel allows (Art 22); a late answer does not stop the case."""
    if extra_days < 0:
        raise ValueError("an extension cannot be negative")
    return calendar_due(received_on, (ANSWER_DAYS if domicile_in_china else ANSWER_DAYS_ABROAD) + extra_days,
                        calendar)


def forward_due(answer_received_on: date, calendar: WorkCalendar) -> date:
    """The last day to send the answer to the requester: 5 working days from receiving it (Art 22)."""
    return calendar.add_working_days(answer_received_on, FORWARD_DAYS)


def limitation_end(knew_on: date, calendar: WorkCalendar) -> date:
    """The last day of the 3-year limitation from knowing of the infringement and the infringer (Art 19; Civil
    Code Arts 202–203)."""
    return calendar.next_working_day(add_months(knew_on, 12 * LIMITATION_YEARS))


def limitation_refusal(knew_on: date, requested_on: date, calendar: WorkCalendar, *, continuing: bool = False,
                       patent_expires_on: date | None = None) -> Msg | None:
    """Why a request is out of time (Art 19), None when it is in time: 3 years from knowing of the infringement
    and the infringer; after that, an infringement still going on is accepted while the patent is in force."""
    end = limitation_end(knew_on, calendar)
    if requested_on <= end:
        return None
    if continuing and patent_expires_on is not None and requested_on <= patent_expires_on:
        return None
    if continuing:
        return Msg("The infringement is said to continue, but the patent's term ended on {expiry}: the request is "
                   "out of time (Order 81 Art 19)",
                   expiry=patent_expires_on.isoformat() if patent_expires_on else "—")
    return Msg("More than 3 years passed since the requester knew of the infringement and the infringer (the "
               "period ended on {end}): the request is out of time unless the infringement continues within the "
               "patent's term (Order 81 Art 19)", end=end.isoformat())


# The decision clock (Art 37, as §14.1 corrects §9.2).
HEAD, NEXT_LEVEL = "head", "next_level"
EXTENSION_LEVELS: dict[str, Msg] = {
    HEAD: Msg("Approved by the department head (本部门负责人批准)"),
    NEXT_LEVEL: Msg("Approved by the next-level department (上一级管理专利工作的部门批准)"),
}
EXTENSION_MONTHS = {HEAD: 1, NEXT_LEVEL: 2}  # at most; in this order, each once

SUSPENSION, ANNOUNCEMENT, INSPECTION, JURISDICTION, EVIDENCE_EXTENSION, SETTLEMENT = (
    "suspension", "announcement", "inspection", "jurisdiction_objection", "evidence_extension", "settlement")
STOP_KINDS: dict[str, Msg] = {
    SUSPENSION: Msg("Suspension (中止)"),
    ANNOUNCEMENT: Msg("Announcement (公告)"),
    INSPECTION: Msg("Inspection or appraisal (勘验、鉴定)"),
    JURISDICTION: Msg("Objection to jurisdiction (管辖权异议)"),
    EVIDENCE_EXTENSION: Msg("Evidence period extended at a party's request (当事人申请延期举证)"),
    SETTLEMENT: Msg("Settlement (和解)"),
}


@dataclass(frozen=True)
class Extension:
    """An extension of the decision clock: its level (HEAD, then NEXT_LEVEL), who approved it and when; `months`
    up to EXTENSION_MONTHS[level] (None: the whole)."""

    level: str
    approver: str
    approved_on: date
    months: int | None = None

    @property
    def length(self) -> int:
        return EXTENSION_MONTHS.get(self.level, 0) if self.months is None else self.months


class Stop(NamedTuple):
    """A period that does not count (Art 37): the clock stops on `start` and runs again from `end` (None: still
    stopped). A plain (start, end) pair is taken as well."""

    start: date
    end: date | None
    kind: str = SUSPENSION


def _intervals(stops: Iterable, filed_on: date, until: date | None) -> list[tuple[date, date]] | None:
    """The stops as merged [start, end) intervals, open ones ending `until`; None when one is open and no
    `until` is given. ValueError on a stop before filing or ending before it starts."""
    spans = []
    for stop in stops:
        start, end = stop[0], stop[1]
        if start < filed_on:
            raise ValueError(f"a stop cannot begin ({start}) before the case was filed ({filed_on})")
        if end is None:
            if until is None:
                return None
            end = max(until, start)
        if end < start:
            raise ValueError(f"a stop cannot end ({end}) before it begins ({start})")
        spans.append((start, end))
    merged: list[tuple[date, date]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def extensions_problem(extensions: Sequence[Extension]) -> Msg | None:
    """What is wrong with a case's extensions as recorded: HEAD first, then NEXT_LEVEL, each once, with its
    approver and within its length."""
    for i, ext in enumerate(extensions):
        if ext.level not in EXTENSION_MONTHS:
            return Msg("Unknown extension level {level}", level=ext.level[:20])
        if i >= len(EXTENSION_MONTHS):
            return Msg("The decision period can be extended twice at most: once by the department head, then "
                       "once by the next-level department (Order 81 Art 37)")
        expected = (HEAD, NEXT_LEVEL)[i]
        if ext.level != expected:
            return (Msg("The first extension is approved by the department head (Order 81 Art 37)") if i == 0 else
                    Msg("The second extension is approved by the next-level department (Order 81 Art 37)"))
        if not text_of(ext.approver):
            return Msg("Name who approved the extension")
        if not 1 <= ext.length <= EXTENSION_MONTHS[ext.level]:
            return Msg("{level}: the period is extended by 1 to {most} months", level=EXTENSION_LEVELS[ext.level],
                       most=EXTENSION_MONTHS[ext.level])
    return None


def _raw_due(filed_on: date, extensions: Sequence[Extension], spans: list[tuple[date, date]]) -> date:
    """The due day before the rest-day rule: months from filing, then each stop that began by the due day then
    in force pushes it by its calendar days (a stop after the clock ran out counts for nothing)."""
    due = add_months(filed_on, DECISION_MONTHS + sum(e.length for e in extensions))
    for start, end in spans:
        if start > due:
            break
        due += end - start
    return due


def raw_decision_due(filed_on: date, extensions: Sequence[Extension], stops: Iterable, *,
                     today: date | None = None) -> date | None:
    """The decision's due day before the rest-day rule (decision_due applies it): what a calendar-day clock of the
    case kit counts to. None while a stop is open and no `today` is given."""
    spans = _intervals(stops, filed_on, today)
    return None if spans is None else _raw_due(filed_on, extensions, spans)


PANEL_MIN = 3  # Order 81: a collegiate panel of three or more members, an odd number


def panel_problems(members: Sequence[str], presiding: str = "") -> list[tuple[str, Msg]]:
    """What is wrong with a panel (合议组): at least three members, an odd number, no one twice, a presiding member
    among them."""
    names = [text_of(m) for m in members if text_of(m)]
    if len(names) < PANEL_MIN or len(names) % 2 == 0:
        return [("panel", Msg("A panel has an odd number of members, three or more (Order 81); it has {n}",
                              n=len(names)))]
    if len({n.casefold() for n in names}) != len(names):
        return [("panel", Msg("A member is named twice on the panel"))]
    if text_of(presiding) and text_of(presiding) not in names:
        return [("presiding", Msg("The presiding member must be one of the panel"))]
    return []


def decision_due(filed_on: date, extensions: Sequence[Extension], stops: Iterable, calendar: WorkCalendar, *,
                 today: date | None = None) -> date | None:
    """The last day for the decision (Art 37, §14.1): 3 months from filing (calendar months, Civil Code Art 202),
    +1 month with the department head's approval, +2 more with the next-level department's; each stop (start, end)
    shifts it by the stopped calendar days (overlapping stops counted once); on a rest day it moves to the next
    working day. With a stop still open the due day is not known: None, unless `today` is given, when the open
    stop is taken to end today. ValueError on extensions out of order (extensions_problem)."""
    wrong = extensions_problem(extensions)
    if wrong is not None:
        raise ValueError(wrong.render("en"))
    spans = _intervals(stops, filed_on, today)
    if spans is None:
        return None
    return calendar.next_working_day(_raw_due(filed_on, extensions, spans))


def extension_problem(filed_on: date, extensions: Sequence[Extension], new: Extension, stops: Iterable,
                      calendar: WorkCalendar) -> Msg | None:
    """Why the extension `new` cannot be recorded after `extensions`: out of order, a second of its kind, no
    approver, too long, or approved after the period it extends had ended."""
    wrong = extensions_problem([*extensions, new])
    if wrong is not None:
        return wrong
    due = decision_due(filed_on, extensions, stops, calendar, today=new.approved_on)
    if due is not None and new.approved_on > due:
        return Msg("The decision period ended on {due}: it can no longer be extended", due=due.isoformat())
    return None


@dataclass(frozen=True)
class ClockReading:
    """Where a decision clock stands on a day: its due day, calendar days left (negative once overdue), whether
    it runs, and the calendar days stopped so far."""

    due: date
    days_left: int
    running: bool
    stopped_days: int

    @property
    def overdue(self) -> bool:
        return self.days_left < 0


def time_left(filed_on: date, extensions: Sequence[Extension], stops: Iterable, today: date,
              calendar: WorkCalendar) -> ClockReading:
    """The decision clock on `today`. While a stop is open the due day moves a day each day and what is left
    stays as it was when the clock stopped (counted to the due day before the rest-day rule)."""
    stops = list(stops)
    spans = _intervals(stops, filed_on, today) or []
    raw = _raw_due(filed_on, extensions, spans)
    stopped_now = any(s[1] is None and s[0] <= today and s[0] <= raw for s in stops)
    due = decision_due(filed_on, extensions, stops, calendar, today=today) or raw
    left = (raw if stopped_now else due) - today
    return ClockReading(due, left.days, not stopped_now, sum((e - s).days for s, e in spans))


def escalation_points(filed_on: date, stops: Iterable, calendar: WorkCalendar, *,
                      today: date | None = None) -> dict[int, date | None]:
    """The due day at 3, 4 and 6 months (no extension, the head's, both), shifted by the stops: where a case must
    be decided or extended (§14.2 derived case states)."""
    stops = list(stops)
    head = Extension(HEAD, "-", filed_on)
    both = [head, Extension(NEXT_LEVEL, "-", filed_on)]
    return {3: decision_due(filed_on, [], stops, calendar, today=today),
            4: decision_due(filed_on, [head], stops, calendar, today=today),
            6: decision_due(filed_on, both, stops, calendar, today=today)}


def suit_deadline(received_on: date, calendar: WorkCalendar) -> date:
    """The last day a party may sue after receiving the decision: 15 days (Patent Law Art 65), on a working day."""
    return calendar_due(received_on, SUIT_DAYS, calendar)


def enforcement_open(received_on: date, today: date, calendar: WorkCalendar, *, sued: bool, stopped: bool) -> bool:
    """Patent Law Art 65: the infringer neither sued within the 15 days nor stopped: the office may ask the court
    to enforce the decision."""
    return today > suit_deadline(received_on, calendar) and not sued and not stopped


# Patent Law Art 11: the infringing acts (a design patent has no "use").
MAKE, USE, OFFER, SELL, IMPORT = "make", "use", "offer", "sell", "import"
INFRINGING_ACTS: dict[str, Msg] = {
    MAKE: Msg("Making (制造)"),
    USE: Msg("Using (使用)"),
    OFFER: Msg("Offering for sale (许诺销售)"),
    SELL: Msg("Selling (销售)"),
    IMPORT: Msg("Importing (进口)"),
}


@dataclass(frozen=True)
class PriorRuling:
    """An adjudication decision or court judgment that found an infringement: against whom (the unified social
    credit code, or the name), on which patent, which act, and the day it took effect (None: not yet)."""

    infringer: str
    patent: str
    act: str
    effective_on: date | None


def _party(text: str) -> str:
    return re.sub(r"[\s()（）]", "", unicodedata.normalize("NFKC", text or "")).upper()


def _patent(text: str) -> str:
    try:
        return parse_cn_application(text, require_check=False).body
    except NumberError:
        return _party(text)


def repeat_infringement(infringer: str, patent: str, act: str, acted_on: date,
                        rulings: Iterable[PriorRuling]) -> bool:
    """Order 81 Art 34: after a decision or judgment against it took effect, the same infringer repeats the same
    type of act on the same patent. The office may then order it to stop directly."""
    if act not in INFRINGING_ACTS:
        raise ValueError(f"unknown infringing act {act!r}")
    who, which = _party(infringer), _patent(patent)
    return any(r.effective_on is not None and r.effective_on < acted_on and r.act == act
               and _party(r.infringer) == who and _patent(r.patent) == which for r in rulings)


def seriously_dishonest(*, wilful: bool, refuses_to_perform: bool) -> bool:
    """Order 81 Art 34 (as rules.md §14.2 gives it): a wilful infringer, or one able to perform the decision who
    refuses, goes on the serious-dishonesty list (严重违法失信名单) for joint punishment."""
    return wilful or refuses_to_perform


# --- mediation (Order 81 Arts 63–69) -------------------------------------------------------------------------------

MEDIATION_NOTICE_DAYS, MEDIATION_STATEMENT_DAYS, MEDIATION_FILING_DAYS = 5, 15, 5

OFFICE, BODY, WIPO_AMC, ARBITRATION = "office", "body", "wipo_amc", "arbitration"
MEDIATORS: dict[str, Msg] = {
    OFFICE: Msg("The IP office itself (知识产权管理部门调解)"),
    BODY: Msg("An IP dispute mediation body (知识产权纠纷人民调解组织)"),
    WIPO_AMC: Msg("WIPO Arbitration and Mediation Center, Shanghai (世界知识产权组织仲裁与调解上海中心)"),
    ARBITRATION: Msg("A Shanghai arbitration body (上海仲裁机构)"),
}


def mediation_notice_due(received_on: date, calendar: WorkCalendar) -> date:
    """The last day to send the respondent the opinion notice and a copy of the request: 5 working days (Art 65)."""
    return calendar.add_working_days(received_on, MEDIATION_NOTICE_DAYS)


def mediation_statement_due(received_on: date, calendar: WorkCalendar) -> date:
    """The last day of the respondent's statement (whether it agrees to mediate): 15 days from receiving the
    notice (Art 65), on a working day."""
    return calendar_due(received_on, MEDIATION_STATEMENT_DAYS, calendar)


def mediation_filing_due(decided_on: date, calendar: WorkCalendar) -> date:
    """Art 66: 5 working days from the respondent's agreement to file the mediation and notify the time and
    place; likewise from a refusal, or from the end of the statement period with no statement, to notify that
    the mediation is not filed."""
    return calendar.add_working_days(decided_on, MEDIATION_FILING_DAYS)


def mediation_refusal(statement_due: date, stated_on: date | None, agrees: bool, today: date) -> Msg | None:
    """Art 66: no mediation is filed when the respondent refuses, or gives no statement in time. None when it
    agreed in time, and while the period runs."""
    if stated_on is None:
        return Msg("The respondent gave no statement by {due}: the mediation is not filed (Order 81 Art 66)",
                   due=statement_due.isoformat()) if today > statement_due else None
    if stated_on > statement_due:
        return Msg("The respondent's statement came after {due}: the mediation is not filed (Order 81 Art 66)",
                   due=statement_due.isoformat())
    if not agrees:
        return Msg("The respondent does not agree to mediation: the mediation is not filed (Order 81 Art 66)")
    return None


# --- exhibition fast track -----------------------------------------------------------------------------------------

BEIJING = timezone(timedelta(hours=8), "Beijing")  # UTC+8 all year (no summer time since 1991)
STATEMENT_HOURS = 24  # CNIPA 展会知识产权保护指引 (2022) Art 14
TRANSFER_HOURS = 24  # 展会知识产权保护办法 (2006): materials to the IP authority
FAIR_DAYS_FOR_BODY = 3  # 2006 measures: a fair of 3 days or more may need a complaint body
REPEAT_EXHIBITOR_FINDINGS = 2  # 2006 measures: found infringing twice or more → barred from the next edition

COVER, WITHDRAW, TAKE_DOWN = "cover", "withdraw", "take_down"
FAIR_MEASURES: dict[str, Msg] = {
    COVER: Msg("Cover the exhibits (遮盖展品)"),
    WITHDRAW: Msg("Withdraw the exhibits (撤下展品)"),
    TAKE_DOWN: Msg("Delete, block or disconnect online links (删除、屏蔽、断开网络链接)"),
}


def beijing(moment: datetime) -> datetime:
    """A moment in Beijing time; a naive datetime is taken as Beijing time already."""
    return moment.replace(tzinfo=BEIJING) if moment.tzinfo is None else moment.astimezone(BEIJING)


def statement_deadline(notified_at: datetime) -> datetime:
    """The end of the respondent's 24 hours for a written statement and evidence (Guide Art 14), in Beijing time.
    Hours run day and night, rest days included: the fair is open."""
    return beijing(notified_at) + timedelta(hours=STATEMENT_HOURS)


def transfer_deadline(received_at: datetime) -> datetime:
    """The end of the complaint body's 24 hours to send the materials to the IP authority (2006 measures)."""
    return beijing(received_at) + timedelta(hours=TRANSFER_HOURS)


def measures_reason(notified_at: datetime, now: datetime, *, statement_at: datetime | None = None,
                    good_reason: bool = False, confirmed: bool = False, admitted: bool = False) -> Msg | None:
    """Why the desk must have the organiser cover or withdraw the exhibits and take down the links now (Guide
    Art 14), None while it need not: no written statement and evidence within 24 hours of notice without good
    reason; or the infringement confirmed by an effective legal document; or admitted by the respondent."""
    if confirmed:
        return Msg("An effective legal document already confirms the infringement (Guide Art 14)")
    if admitted:
        return Msg("The respondent admits the infringement (Guide Art 14)")
    deadline = statement_deadline(notified_at)
    given_in_time = statement_at is not None and beijing(statement_at) <= deadline
    if beijing(now) > deadline and not given_in_time and not good_reason:
        return Msg("No written statement and evidence within 24 hours of notice (by {deadline}, Beijing time) "
                   "and no good reason (Guide Art 14)", deadline=deadline.strftime("%Y-%m-%d %H:%M"))
    return None


def measures_due(notified_at: datetime, now: datetime, **facts: bool | datetime | None) -> bool:
    """Whether the Art 14 measures are due now (measures_reason gives why)."""
    return measures_reason(notified_at, now, **facts) is not None


def complaint_body_expected(first_day: date, last_day: date) -> bool:
    """A fair of 3 days or more, where the exhibition authority deems it needed, has an IP complaint body (2006
    measures): the duration half of that test."""
    return (last_day - first_day).days + 1 >= FAIR_DAYS_FOR_BODY


def barred_next_edition(times_found: int, threshold: int = REPEAT_EXHIBITOR_FINDINGS) -> bool:
    """An exhibitor found infringing `threshold` times or more (twice, 2006 measures) is flagged: barred from the
    fair's next edition."""
    return times_found >= threshold
