"""Use cases of overseas dispute guidance (海外知识产权纠纷应对指导; rules.md §9.4, §14.11).

A request from an enterprise facing a dispute abroad, taken on by its unit, becomes a guidance case: the country,
the right, the opponent, the stage of the dispute and the industry; the unit records its guidance (the first one
starts the case), and closes it with its outcome (the request closes with it). The network also publishes risk
alerts (风险预警) to the companies of a field, and keeps a case library (案例库) searchable by country, industry and
right, to which a closed guidance case may be published anonymised.

Companies have no field of their own on the platform: an alert for an industry goes to the companies that asked
for guidance in that industry; an alert for no industry goes to every company.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipcity.core import audit, inbox
from ipcity.core.clock import today
from ipcity.core.errors import Conflict, DomainError, PermissionDenied
from ipcity.core.i18n import N_, Msg
from ipcity.core.roles import ADMIN, OFFICIAL_ROLES, Actor
from ipcity.core.tables import Unit
from ipcity.services.rights import casetypes, domain, service
from ipcity.services.rights.tables import LibraryEntry, OverseasCase, RightsRequest, RiskAlert
from ipcity.workflow import engine
from ipcity.workflow.records import RecordKind
from ipcity.workflow.tables import Case, CaseEvent

SUBJECT = "rights.overseas"
MAX_NOTE = 5_000  # a guidance record
MAX_BODY = 10_000  # an alert's text, a library entry's summary
COMPANY = "company"  # the unit kind an alert goes to

# Where the dispute abroad stands when the enterprise asks (the platform's list; "other" for the rest).
STAGES: dict[str, Msg] = {
    "warning_letter": Msg("Warning or cease-and-desist letter received (收到警告函)"),
    "litigation": Msg("Sued in a court abroad (境外诉讼)"),
    "us_337": Msg("US Section 337 investigation (美国337调查)"),
    "customs": Msg("Goods detained by customs (海关扣货)"),
    "platform": Msg("Complaint or takedown on an online platform (电商平台投诉)"),
    "exhibition": Msg("Complaint at a fair abroad (境外展会纠纷)"),
    "administrative": Msg("Opposition, invalidation or other administrative proceedings (异议、无效等行政程序)"),
    "negotiation": Msg("Licensing or settlement negotiation (许可或和解谈判)"),
    "other": Msg("Other (其他)"),
}


def fold(text: str) -> str:
    """Text as matching compares it: NFKC, case-folded, without spaces."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "")).casefold()


def country_problem(code: str, field: str = "country") -> tuple[str, Msg] | None:
    """A country or region abroad (ISO 3166 two letters), as the intake checks it."""
    if code == "CN":
        return field, Msg("Overseas guidance is for disputes outside the Chinese mainland: choose the country or "
                          "region where the dispute is")
    if code not in domain.territories():
        return field, Msg("{code} is not a country or region code (ISO 3166, e.g. US, DE)", code=code[:8])
    return None


# --- who acts ----------------------------------------------------------------------------------------------------

def acts_for_case(case: Case, actor: Actor) -> bool:
    return service.acts_for_unit(case, actor)


def request_of(session: Session, oc: OverseasCase) -> RightsRequest:
    return session.get(RightsRequest, oc.request_id)


def is_official(actor: Actor) -> bool:
    return actor.role in OFFICIAL_ROLES and actor.unit_id is not None


# --- opening ----------------------------------------------------------------------------------------------------

# Words that name a stage in what a requester writes (the intake's stage is free text): the first stage whose
# words the text holds; keys are taken as they are.
STAGE_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("us_337", ("337",)),
    ("customs", ("海关", "扣货", "扣押", "customs", "seiz", "detain")),
    ("platform", ("平台", "下架", "亚马逊", "amazon", "ebay", "platform", "takedown", "take-down")),
    ("exhibition", ("展会", "展览", "exhibition", "tradefair", "tradeshow")),
    ("litigation", ("诉讼", "起诉", "被诉", "法院", "lawsuit", "litigation", "sued", "court", "suit")),
    ("administrative", ("异议", "无效", "撤销", "opposition", "invalid", "cancellation")),
    ("warning_letter", ("警告", "律师函", "warning", "cease", "desist")),
    ("negotiation", ("谈判", "许可", "和解", "negotiat", "licens", "settle")),
)


def stage_key(value) -> str:
    """A stage as stored: a key of STAGES; free words (the intake's) read as the stage they name, "other" when
    they name none ("" when nothing is given)."""
    text = domain.text_of(value)
    if not text or text in STAGES:
        return text
    folded = fold(text)
    return next((key for key, words in STAGE_WORDS if any(w in folded for w in words)), "other")


def open_from(session: Session, actor: Actor, req: RightsRequest, values: dict) -> OverseasCase:
    """The guidance case a request for overseas guidance becomes (service.refer): the country from the request,
    the industry, opponent and stage from what the official gives or else from the request; assigned to the unit
    the request is with."""
    details = req.details or {}

    def given(name: str) -> str:
        return domain.text_of(values.get(name)) or domain.text_of(details.get(name))

    country = (domain.text_of(values.get("country")) or req.country or "").upper()
    wrong = country_problem(country)
    if wrong is not None:
        raise DomainError(wrong[1], field=wrong[0])
    industry, opponent = given("industry"), given("opponent")
    if len(industry) > 60:
        raise DomainError(Msg("The industry is longer than {n} characters", n=60), field="industry")
    oc = OverseasCase(request_id=req.id, requester_user_id=req.user_id, requester_unit_id=req.unit_id,
                      country=country, right=req.right, industry=industry,
                      opponent=opponent[:200], stage=stage_key(given("stage")))
    req_case = service.REQUESTS.case_of(session, req)
    title = f"海外纠纷应对指导：{req.requester_name}（{country}）"
    OVERSEAS_CASES.open(session, actor, oc, title=title, applicant_unit_id=req.unit_id,
                        assigned_unit_id=req_case.assigned_unit_id, subject_type=SUBJECT)
    OVERSEAS_CASES.case_of(session, oc).applicant_user_id = req.user_id
    return oc


# --- guidance -----------------------------------------------------------------------------------------------------

def add_guidance(session: Session, actor: Actor, oc: OverseasCase, note: str) -> dict:
    """A guidance record (指导记录) by the unit's officials; the first one starts the case. The enterprise is told."""
    case = OVERSEAS_CASES.case_of(session, oc)
    if not acts_for_case(case, actor) or actor.user_id is None:
        raise PermissionDenied(Msg("Only the officials of the unit the case is with record guidance"))
    text = domain.text_of(note)
    if not text:
        raise DomainError(Msg("Write the guidance given"), field="note")
    if len(text) > MAX_NOTE:
        raise DomainError(Msg("The guidance is longer than {n} characters", n=MAX_NOTE), field="note")
    if oc.state not in ("received", "guiding"):
        raise Conflict(Msg("Guidance is recorded on a case under way"), field="note")
    if oc.state == "received":
        engine.fire(session, OVERSEAS, case, "begin_guidance", actor, reason="首次指导")
    entry = {"on": today().isoformat(), "by": actor.user_id, "by_name": actor.display_name,
             "unit": actor.unit_name, "note": text}
    oc.guidance = [*(oc.guidance or []), entry]
    audit.record(session, actor, "rights.overseas.guidance", SUBJECT, oc.id, summary=oc.number, reason=text[:500])
    req = request_of(session, oc)
    if req.user_id is not None or req.unit_id is not None:
        inbox.notify(session, kind="notice", user_id=req.user_id, unit_id=None if req.user_id else req.unit_id,
                     case_id=case.id, title=N_("New guidance on your overseas dispute case {number}"),
                     params={"number": oc.number}, body=text[:500], link=f"/rights/overseas/{oc.id}")
    return entry


def _guard(session: Session, case: Case, t, actor: Actor) -> Msg | None:
    if t.key == "close":
        oc = session.scalar(select(OverseasCase).where(OverseasCase.case_id == case.id))
        if oc is not None and not oc.guidance:
            return Msg("Record the guidance given before closing the case")
    return None


def _ended(session: Session, case: Case, event: CaseEvent, oc: OverseasCase) -> None:
    oc.outcome = str(event.values.get("outcome") or "") if event.transition == "close" else "withdrawn"
    oc.closed_on = today()
    service.followup_ended(session, request_of(session, oc), oc.outcome)


OVERSEAS = dataclasses.replace(casetypes.overseas_type(), record=OverseasCase, record_number="number", guard=_guard,
                               on={"close": _ended, "withdraw": _ended})
OVERSEAS_CASES = RecordKind(OVERSEAS, missing=N_("No overseas guidance case {id}"),
                            denied=N_("This overseas guidance case is not yours to see"), parties=service.is_party)


# --- risk alerts (风险预警) -------------------------------------------------------------------------------------------

def _alert_values(title, body, country, industry, right) -> tuple[dict, list[tuple[str, Msg]]]:
    clean = {"title": domain.text_of(title), "body": str(body or "").strip(),
             "country": domain.text_of(country).upper(), "industry": domain.text_of(industry),
             "right": domain.text_of(right)}
    problems: list[tuple[str, Msg]] = []
    if not clean["title"]:
        problems.append(("title", Msg("Give the alert a title")))
    elif len(clean["title"]) > 200:
        problems.append(("title", Msg("The title is longer than {n} characters", n=200)))
    if not clean["body"]:
        problems.append(("body", Msg("Write the alert")))
    elif len(clean["body"]) > MAX_BODY:
        problems.append(("body", Msg("The text is longer than {n} characters", n=MAX_BODY)))
    if clean["country"]:
        wrong = country_problem(clean["country"])
        if wrong is not None:
            problems.append(wrong)
    if len(clean["industry"]) > 60:
        problems.append(("industry", Msg("The industry is longer than {n} characters", n=60)))
    if clean["right"] and clean["right"] not in domain.RIGHTS:
        problems.append(("right", Msg("Choose the {field}", field=domain.INTAKE_FIELDS["right"])))
    return clean, problems


def alert_recipients(session: Session, industry: str) -> list[int]:
    """The company units an alert goes to: those that asked for overseas guidance in the industry (as the request
    or its case names it); every company when the alert names no industry."""
    companies = select(Unit.id).where(Unit.kind == COMPANY)
    if not fold(industry):
        return list(session.scalars(companies.order_by(Unit.id)))
    wanted = fold(industry)
    found: set[int] = set()
    rows = session.execute(select(RightsRequest.unit_id, RightsRequest.details, OverseasCase.industry)
                           .outerjoin(OverseasCase, OverseasCase.request_id == RightsRequest.id)
                           .where(RightsRequest.kind == domain.OVERSEAS, RightsRequest.unit_id.is_not(None),
                                  RightsRequest.unit_id.in_(companies)))
    for unit_id, details, case_industry in rows:
        if wanted in (fold((details or {}).get("industry", "")), fold(case_industry or "")):
            found.add(unit_id)
    return sorted(found)


def publish_alert(session: Session, actor: Actor, title: str, body: str, country: str = "", industry: str = "",
                  right: str = "") -> RiskAlert:
    """Publish a risk alert (海外知识产权风险预警) by an official: into the inbox of every company of its field
    (alert_recipients), counted; listed for everyone signed in. Audited."""
    if not is_official(actor):
        raise PermissionDenied(Msg("Only officials publish risk alerts"))
    clean, problems = _alert_values(title, body, country, industry, right)
    if problems:
        raise DomainError(problems[0][1], field=problems[0][0], problems=problems)
    alert = RiskAlert(**clean, unit_id=actor.unit_id, author_id=actor.user_id)
    session.add(alert)
    session.flush()
    units = alert_recipients(session, clean["industry"])
    for unit_id in units:
        inbox.notify(session, kind="notice", unit_id=unit_id, title=N_("Overseas IP risk alert: {title}"),
                     params={"title": clean["title"]}, body=clean["body"][:1000],
                     link=f"/rights/alerts#alert-{alert.id}", dedupe_key=f"rights.alert:{alert.id}:{unit_id}")
    alert.recipients = len(units)
    audit.record(session, actor, "rights.alert.publish", "rights.alert", alert.id, summary=clean["title"],
                 detail={"country": clean["country"], "industry": clean["industry"], "right": clean["right"],
                         "recipients": len(units)})
    return alert


# --- the case library (案例库) -------------------------------------------------------------------------------------

def may_edit_library(actor: Actor) -> bool:
    return actor.role in OFFICIAL_ROLES or (actor.role == ADMIN and actor.user_id is not None)


def _library_values(values: dict) -> tuple[dict, list[tuple[str, Msg]]]:
    clean = {k: domain.text_of(values.get(k)) for k in ("title", "country", "industry", "right", "year", "outcome",
                                               "source")}
    clean["summary"] = str(values.get("summary") or "").strip()
    clean["country"] = clean["country"].upper()
    problems: list[tuple[str, Msg]] = []
    if not clean["title"]:
        problems.append(("title", Msg("Give the case a title")))
    elif len(clean["title"]) > 300:
        problems.append(("title", Msg("The title is longer than {n} characters", n=300)))
    wrong = country_problem(clean["country"]) if clean["country"] else \
        ("country", Msg("{field} is required", field=domain.INTAKE_FIELDS["country"]))
    if wrong is not None:
        problems.append(wrong)
    if clean["right"] not in domain.RIGHTS:
        problems.append(("right", Msg("Choose the {field}", field=domain.INTAKE_FIELDS["right"])))
    if len(clean["industry"]) > 60:
        problems.append(("industry", Msg("The industry is longer than {n} characters", n=60)))
    year = None
    if clean["year"]:
        year = int(clean["year"]) if clean["year"].isdigit() else None
        if year is None or not 1950 <= year <= today().year:
            problems.append(("year", Msg("Give the year the case ended, {first} to {last}", first=1950,
                                         last=today().year)))
    clean["year"] = year
    if not clean["summary"]:
        problems.append(("summary", Msg("Write the case summary")))
    elif len(clean["summary"]) > MAX_BODY:
        problems.append(("summary", Msg("The text is longer than {n} characters", n=MAX_BODY)))
    for key in ("outcome", "source"):
        if len(clean[key]) > 300:
            problems.append((key, Msg("The text is longer than {n} characters", n=300)))
    return clean, problems


def add_library_entry(session: Session, actor: Actor, values: dict, *, overseas_id: int | None = None) -> LibraryEntry:
    """A case of the library (title, country, industry, right, year, summary, outcome, source), by an official.
    Audited."""
    if not may_edit_library(actor):
        raise PermissionDenied(Msg("Only officials add cases to the library"))
    clean, problems = _library_values(values)
    if problems:
        raise DomainError(problems[0][1], field=problems[0][0], problems=problems)
    entry = LibraryEntry(**clean, overseas_id=overseas_id)
    session.add(entry)
    session.flush()
    audit.record(session, actor, "rights.library.add", "rights.library", entry.id, summary=entry.title,
                 detail={"country": entry.country, "right": entry.right, "overseas": overseas_id})
    return entry


def identifying_names(session: Session, oc: OverseasCase) -> list[str]:
    """What would identify the enterprise in a published case: its name, its contact, its phone, its unit's name."""
    req = request_of(session, oc)
    unit = session.get(Unit, req.unit_id) if req.unit_id else None
    names = [req.requester_name, req.contact_name, req.phone, unit.name_zh if unit else "",
             unit.name_en if unit else "", unit.credit_code if unit else ""]
    return [n for n in dict.fromkeys(domain.text_of(n) for n in names if n) if len(fold(n)) >= 2]


def library_from_case(session: Session, actor: Actor, oc: OverseasCase, values: dict) -> LibraryEntry:
    """Publish a closed guidance case to the library, anonymised: its country, industry, right and year come from
    the case; the text the official writes may not name the enterprise (its name, contact, phone or code)."""
    case = OVERSEAS_CASES.case_of(session, oc)
    if not acts_for_case(case, actor) or actor.user_id is None:
        raise PermissionDenied(Msg("Only the officials of the unit the case is with publish it to the library"))
    if oc.state != "closed":
        raise Conflict(Msg("Only a closed guidance case is published to the library"), field="summary")
    # Two officials at once: the case's row lock orders them, so the second sees the first's entry (the unique
    # overseas_id is the backstop).
    session.flush()
    session.refresh(oc, with_for_update=True)
    if session.scalar(select(LibraryEntry.id).where(LibraryEntry.overseas_id == oc.id)):
        raise Conflict(Msg("This case is already in the library"), field="summary")
    merged = {"title": values.get("title"), "summary": values.get("summary"), "outcome": values.get("outcome"),
              "source": values.get("source") or "", "country": oc.country, "industry": oc.industry,
              "right": oc.right, "year": str((oc.closed_on or today()).year)}
    folded = {k: fold(str(merged[k] or "")) for k in ("title", "summary", "outcome", "source")}
    for name in identifying_names(session, oc):
        for key, text in folded.items():
            if fold(name) in text:
                raise DomainError(Msg("The text names the enterprise ({name}): the library publishes cases "
                                      "anonymised", name=name[:60]), field=key)
    return add_library_entry(session, actor, merged, overseas_id=oc.id)


def library_entry_of(session: Session, oc: OverseasCase) -> LibraryEntry | None:
    return session.scalar(select(LibraryEntry).where(LibraryEntry.overseas_id == oc.id))
