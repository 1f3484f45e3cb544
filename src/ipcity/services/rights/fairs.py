"""The exhibition fast track (展会快速维权) of the rights-protection network: the fairs the network serves, with their
dates and on-site desks; exhibitors' IP undertakings; a complaint at a fair taken on from a request, with the
24-hour clock on the respondent's written statement and the desk's measures; repeat infringers flagged for the next
edition; the sweep that tells the desk when a clock ran out.

Sources (../shared/domain/rules.md §9.3, §14.11; domain.py "exhibition fast track"):
- CNIPA 《展会知识产权保护指引》 (2022) Art 14: the respondent, notified, has 24 hours for a written statement and
  evidence; with none and no good reason, or the infringement confirmed by an effective legal document, or admitted,
  the desk has the organiser cover or withdraw the exhibits and delete, block or disconnect the online links;
- 《展会知识产权保护办法》 (2006): an exhibitor found infringing twice or more is barred from the next edition.

What holds however a step is fired (the generic case page and the case API fire steps too) is in the complaint's
guard and hooks: the measures only when domain.measures_reason gives a reason; the notice's time, the measures and
the finding recorded; the request closing with its complaint. The statement and the facts are recorded by the desk
through their own use cases (record_statement, record_facts): they are not steps, each is audited.

Repeat infringers. An exhibitor is known by its key: its unified social credit code, else its name folded (width,
case, spaces and punctuation ignored). Its findings in a series are the complaints against that key found infringing
(the measures taken) at the series' editions. At an edition where it was found infringing and its findings in the
series up to that edition reach domain.REPEAT_EXHIBITOR_FINDINGS (two), it is flagged: barred from the next edition
(edition + 1), whose undertaking it cannot sign. The bar is for that one edition, as the 2006 measures say; the
findings keep counting, so a later finding flags it again.

Each function works in the caller's transaction and raises before it writes when a step is refused.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, object_session

from ipcity.core import audit, clock, inbox
from ipcity.core.clock import today
from ipcity.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from ipcity.core.i18n import N_, Msg
from ipcity.core.jobs import JobContext
from ipcity.core.registration import credit_code_problem, normal_credit_code, normal_phone, phone_problem
from ipcity.core.roles import ADMIN, APPLICANT_COMPANY, OFFICIAL_ROLES, Actor
from ipcity.core.tables import Unit
from ipcity.services.rights import casetypes, domain, service
from ipcity.services.rights.tables import Fair, FairComplaint, RightsRequest, Undertaking
from ipcity.workflow.records import RecordKind
from ipcity.workflow.tables import Case, CaseEvent

SUBJECT = "rights.fair_complaint"
# The units whose officials keep the list of fairs: the municipal IP office and the rights-assistance centre.
FAIR_KEEPERS = ("ip_office", "assistance_centre")
NOT_A_DESK = ("company", "bank", "agency")  # unit kinds that cannot run a fair's desk
MAX_DESKS = 30
MAX_STATEMENT = 10_000  # characters of the respondent's written statement as recorded
KEY_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{1,39}")

FAIR_FIELDS: dict[str, Msg] = {
    "key": Msg("Key (标识)"),
    "series": Msg("Series (展会系列)"),
    "edition": Msg("Edition (届次)"),
    "name": Msg("Name of the fair (展会名称)"),
    "venue": Msg("Venue (展馆)"),
    "first_day": Msg("First day (开幕日)"),
    "last_day": Msg("Last day (闭幕日)"),
    "unit_id": Msg("Unit running the desk (负责单位)"),
    "desks": Msg("On-site desks (现场工作站)"),
}
UNDERTAKING_FIELDS: dict[str, Msg] = {
    "exhibitor": Msg("Exhibitor (参展方)"),
    "credit_code": Msg("Unified social credit code (统一社会信用代码)"),
    "booth": Msg("Booth (展位号)"),
}


def _raise(problems: list[tuple[str | None, Msg]]) -> None:
    if problems:
        raise DomainError(problems[0][1], field=problems[0][0], problems=problems)


def local(moment: datetime | None) -> datetime | None:
    """A stored moment in Beijing time (a database may give it back without its zone: stored moments are UTC)."""
    return clock.local(moment)


def beijing_text(moment: datetime | None) -> str:
    """YYYY-MM-DD HH:MM, Beijing time ("" for none)."""
    shown = local(moment)
    return shown.strftime("%Y-%m-%d %H:%M") if shown else ""


# --- exhibitors ---------------------------------------------------------------------------------------------------

_NAME_NOISE = re.compile(r"[\s()\[\]【】·.,，、:：;；'\"“”‘’\-—_/]")


def fold_name(name: str) -> str:
    """An exhibitor's name as compared: full-width and half-width alike, case, spaces and punctuation ignored
    ("上海某某 (贸易) 有限公司" and "上海某某（贸易）有限公司" are one)."""
    return _NAME_NOISE.sub("", unicodedata.normalize("NFKC", name or "")).upper()[:200]


def exhibitor_key(credit_code: str, name: str) -> str:
    """The key an exhibitor is known by: its unified social credit code when given, else its folded name."""
    code = normal_credit_code(domain.text_of(credit_code))
    return code if code else fold_name(name)


# --- fairs ----------------------------------------------------------------------------------------------------------

def is_keeper_official(session: Session, actor: Actor) -> bool:
    """An official of the municipal IP office or of the rights-assistance centre."""
    if actor.role not in OFFICIAL_ROLES or actor.unit_id is None:
        return False
    unit = session.get(Unit, actor.unit_id)
    return unit is not None and unit.kind in FAIR_KEEPERS


def may_keep_fairs(session: Session, actor: Actor) -> bool:
    """Administrators, and the officials of the municipal IP office and of the rights-assistance centre."""
    return actor.role == ADMIN or is_keeper_official(session, actor)


def may_see_fair_work(session: Session, actor: Actor, fair: Fair) -> bool:
    """Who sees a fair's undertakings, complaints and figures: the keepers of fairs and the desk's unit."""
    if may_keep_fairs(session, actor):
        return True
    return actor.role in OFFICIAL_ROLES and actor.unit_id is not None and actor.unit_id == fair.unit_id


def get_fair(session: Session, fair_id: int) -> Fair:
    fair = session.get(Fair, fair_id)
    if fair is None:
        raise NotFound(Msg("No fair {id}", id=fair_id))
    return fair


def desks_text(desks: list[dict] | None) -> str:
    """The desks as the form writes them: one a line, name|place|phone."""
    return "\n".join("|".join(str(d.get(k) or "") for k in ("name", "place", "phone")) for d in desks or [])


def parse_desks(text: str) -> tuple[list[dict], list[tuple[str, Msg]]]:
    """The desks written one a line as name|place|phone (the place and the phone may be left out)."""
    desks: list[dict] = []
    problems: list[tuple[str, Msg]] = []
    lines = [line for line in str(text or "").splitlines() if line.strip()]
    if len(lines) > MAX_DESKS:
        return [], [("desks", Msg("At most {n} desks", n=MAX_DESKS))]
    for n, line in enumerate(lines, start=1):
        parts = [domain.text_of(p) for p in unicodedata.normalize("NFKC", line).split("|")]
        if len(parts) > 3:
            problems.append(("desks", Msg("Line {n}: write name|place|phone, with at most two | signs", n=n)))
            continue
        name, place, phone = (parts + ["", ""])[:3]
        if not name:
            problems.append(("desks", Msg("Line {n}: the desk needs a name", n=n)))
            continue
        if len(name) > 100 or len(place) > 200:
            problems.append(("desks", Msg("Line {n}: the name or the place is too long", n=n)))
            continue
        if phone:
            wrong = phone_problem(normal_phone(phone))
            if wrong is not None:
                problems.append(("desks", Msg("Line {n}: {why}", n=n, why=wrong)))
                continue
        desks.append({"name": name, "place": place, "phone": normal_phone(phone) if phone else ""})
    return desks, problems


def fair_values(values: Mapping[str, object]) -> dict:
    return {k: str(values.get(k) or "").strip() for k in (*FAIR_FIELDS, "active")}


def _day(text: str, field: str, problems: list) -> date | None:
    if not text:
        problems.append((field, Msg("{field} is required", field=FAIR_FIELDS[field])))
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        problems.append((field, Msg("'{value}' is not a date; write it YYYY-MM-DD", value=text[:20])))
        return None


def fair_problems(session: Session, clean: dict, fair: Fair | None = None) -> tuple[dict, list[tuple[str, Msg]]]:
    """The fair's values as stored and every problem of the form, each on its field."""
    label = FAIR_FIELDS
    problems: list[tuple[str, Msg]] = []
    out: dict = {}
    key, series = clean["key"].lower(), clean["series"].lower()
    if fair is not None and key and key != fair.key:
        problems.append(("key", Msg("The key of a fair is not changed: the routing table and the requests name it")))
    elif not key:
        problems.append(("key", Msg("{field} is required", field=label["key"])))
    elif not KEY_PATTERN.fullmatch(key):
        problems.append(("key", Msg("A key has 2 to 40 lower-case letters, digits and hyphens, as in ciie-2026")))
    elif session.scalar(select(Fair.id).where(Fair.key == key, Fair.id != (fair.id if fair else -1))):
        problems.append(("key", Msg("Another fair has the key {key}", key=key)))
    out["key"] = key
    if not series:
        problems.append(("series", Msg("{field} is required", field=label["series"])))
    elif not KEY_PATTERN.fullmatch(series):
        problems.append(("series", Msg("A series has 2 to 40 lower-case letters, digits and hyphens, as in ciie")))
    out["series"] = series
    edition = clean["edition"]
    if not edition.isdigit() or not 1 <= int(edition) <= 999:
        problems.append(("edition", Msg("The edition is a number from 1 to 999")))
    else:
        out["edition"] = int(edition)
        if series and session.scalar(select(Fair.id).where(Fair.series == series, Fair.edition == int(edition),
                                                           Fair.id != (fair.id if fair else -1))):
            problems.append(("edition", Msg("The series {series} already has an edition {edition}", series=series,
                                            edition=int(edition))))
    for name, most in (("name", 200), ("venue", 200)):
        if name == "name" and not clean[name]:
            problems.append((name, Msg("{field} is required", field=label[name])))
        elif len(clean[name]) > most:
            problems.append((name, Msg("{field} is longer than {n} characters", field=label[name], n=most)))
        out[name] = clean[name]
    first, last = _day(clean["first_day"], "first_day", problems), _day(clean["last_day"], "last_day", problems)
    if first and last and last < first:
        problems.append(("last_day", Msg("The last day is before the first day")))
    out["first_day"], out["last_day"] = first, last
    unit = session.get(Unit, int(clean["unit_id"])) if clean["unit_id"].isdigit() else None
    if unit is None or unit.kind in NOT_A_DESK:
        problems.append(("unit_id", Msg("Choose the unit that runs the fair's desk")))
    out["unit_id"] = unit.id if unit is not None else None
    desks, wrong = parse_desks(clean["desks"])
    problems += wrong
    out["desks"] = desks
    return out, problems


def save_fair(session: Session, actor: Actor, values: Mapping[str, object], fair: Fair | None = None) -> Fair:
    """Create a fair (fair None) or change one: key, series and edition, name, venue, first and last day, the unit
    running its desk and the desks as lines name|place|phone. Checked whole before anything is written."""
    if not may_keep_fairs(session, actor):
        raise PermissionDenied(Msg("The fairs are kept by the municipal IP office and the rights-assistance centre"))
    out, problems = fair_problems(session, fair_values(values), fair)
    _raise(problems)
    created = fair is None
    if fair is None:
        out["active"] = True
        fair = Fair(**out)
        session.add(fair)
    else:
        if "active" in values:  # a form that offers it (unticked: not posted) sends the field empty
            out["active"] = domain.ticked(values.get("active"))
        for k, v in out.items():
            setattr(fair, k, v)
        fair.updated_at = clock.now()
    session.flush()
    audit.record(session, actor, "rights.fair.create" if created else "rights.fair.change", "rights.fair", fair.id,
                 summary=f"{fair.key} {fair.name}",
                 detail={k: (v.isoformat() if isinstance(v, date) else v) for k, v in out.items()})
    return fair


def complaint_body_expected(fair: Fair) -> bool:
    """A fair of 3 days or more may need an IP complaint body (2006 measures): shown where it has no desk."""
    return domain.complaint_body_expected(fair.first_day, fair.last_day)


# --- undertakings ---------------------------------------------------------------------------------------------------

def undertaking_values(values: Mapping[str, object]) -> dict:
    return {k: domain.text_of(values.get(k)) for k in UNDERTAKING_FIELDS}


def undertaking_of(session: Session, fair: Fair, key: str) -> Undertaking | None:
    return session.scalar(select(Undertaking).where(Undertaking.fair_id == fair.id, Undertaking.exhibitor_key == key))


def own_undertakings(session: Session, actor: Actor, fair: Fair) -> list[Undertaking]:
    if actor.role != APPLICANT_COMPANY or actor.unit_id is None:
        return []
    return list(session.scalars(select(Undertaking).where(Undertaking.fair_id == fair.id,
                                                          Undertaking.unit_id == actor.unit_id)
                                .order_by(Undertaking.id)))


def sign_undertaking(session: Session, actor: Actor, fair: Fair, values: Mapping[str, object]) -> Undertaking:
    """An exhibitor company signs its IP undertaking for a fair (参展项目知识产权承诺书): once per exhibitor and fair,
    before the fair ends; refused to an exhibitor barred from this edition (2006 measures)."""
    if actor.role != APPLICANT_COMPANY or actor.unit_id is None:
        raise PermissionDenied(Msg("An exhibitor signs its undertaking from its company account"))
    clean = undertaking_values(values)
    label = UNDERTAKING_FIELDS
    problems: list[tuple[str, Msg]] = []
    if not fair.active:
        problems.append(("exhibitor", Msg("This fair is no longer served by the network")))
    elif fair.last_day < today():
        problems.append(("exhibitor", Msg("This fair ended on {day}: undertakings are signed before and during the "
                                          "fair", day=fair.last_day.isoformat())))
    exhibitor = clean["exhibitor"] or actor.unit_name
    if not exhibitor:
        problems.append(("exhibitor", Msg("{field} is required", field=label["exhibitor"])))
    elif len(exhibitor) > 200:
        problems.append(("exhibitor", Msg("{field} is longer than {n} characters", field=label["exhibitor"], n=200)))
    unit = session.get(Unit, actor.unit_id)
    own = unit is not None and fold_name(exhibitor) == fold_name(unit.name_zh)
    code = normal_credit_code(clean["credit_code"]) or (unit.credit_code if own else "") or ""
    if code:
        wrong = credit_code_problem(code)
        if wrong is not None:
            problems.append(("credit_code", wrong))
    if len(clean["booth"]) > 40:
        problems.append(("booth", Msg("{field} is longer than {n} characters", field=label["booth"], n=40)))
    _raise(problems)
    key = exhibitor_key(code, exhibitor)
    if not key:
        raise DomainError(Msg("{field} is required", field=label["exhibitor"]), field="exhibitor")
    existing = undertaking_of(session, fair, key)
    if existing is not None:
        raise Conflict(Msg("{exhibitor} already signed its undertaking for this fair on {day}",
                           exhibitor=existing.exhibitor, day=beijing_text(existing.signed_at)), field="exhibitor")
    # Findings are kept under the credit code where the desk knew it, else under the name: either bars.
    bar = barred_from(session, fair, key) or barred_from(session, fair, fold_name(exhibitor))
    if bar is not None:
        raise DomainError(Msg("{exhibitor} was found infringing {n} times at this fair's editions through edition "
                              "{edition}: it is barred from this edition (展会知识产权保护办法 2006)",
                              exhibitor=exhibitor, n=bar.times_found, edition=bar.edition), field="exhibitor")
    item = Undertaking(fair_id=fair.id, exhibitor=exhibitor, exhibitor_key=key, booth=clean["booth"],
                       unit_id=actor.unit_id, user_id=actor.user_id, signed_at=clock.now())
    try:
        with session.begin_nested():  # two signatures at once: the unique constraint decides
            session.add(item)
            session.flush()
    except IntegrityError:
        raise Conflict(Msg("{exhibitor} already signed its undertaking for this fair", exhibitor=exhibitor),
                       field="exhibitor") from None
    audit.record(session, actor, "rights.fair.undertaking", "rights.fair", fair.id, summary=f"{fair.key} {exhibitor}",
                 detail={"exhibitor_key": key, "booth": item.booth})
    return item


# --- repeat infringers --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Findings:
    """An exhibitor's findings in a fair series up to an edition: how many, and whether that makes it barred from
    the next edition (`edition` + 1)."""

    key: str
    series: str
    edition: int
    times_found: int
    found_here: int  # findings at `edition` itself
    flagged: bool

    @property
    def barred_edition(self) -> int:
        return self.edition + 1


def _found_editions(session: Session, series: str, key: str, through: int) -> list[int]:
    """The edition of each complaint found infringing against `key` in `series`, up to edition `through`."""
    return list(session.scalars(
        select(Fair.edition).join(FairComplaint, FairComplaint.fair_id == Fair.id)
        .where(Fair.series == series, Fair.edition <= through, FairComplaint.respondent_key == key,
               FairComplaint.infringing.is_(True))))


def findings(session: Session, series: str, key: str, edition: int) -> Findings:
    """The exhibitor's findings in the series through `edition`; flagged when it was found infringing at that
    edition and its findings reach the threshold (twice: barred from the next edition, 2006 measures)."""
    editions = _found_editions(session, series, key, edition) if key else []
    here = sum(1 for e in editions if e == edition)
    return Findings(key, series, edition, len(editions), here,
                    here > 0 and domain.barred_next_edition(len(editions)))


def barred_from(session: Session, fair: Fair, key: str) -> Findings | None:
    """The findings that bar the exhibitor from this edition of the fair (flagged at the one before), or None."""
    if fair.edition <= 1 or not key:
        return None
    before = findings(session, fair.series, key, fair.edition - 1)
    return before if before.flagged else None


def flagged_at(session: Session, fair: Fair) -> list[tuple[str, str, Findings]]:
    """The exhibitors flagged at this edition (barred from the next): (key, respondent as named, findings)."""
    found = session.execute(select(FairComplaint.respondent_key, func.max(FairComplaint.respondent))
                            .where(FairComplaint.fair_id == fair.id, FairComplaint.infringing.is_(True))
                            .group_by(FairComplaint.respondent_key)).all()
    out = []
    for key, name in found:
        f = findings(session, fair.series, key, fair.edition)
        if f.flagged:
            out.append((key, name, f))
    return sorted(out, key=lambda r: r[1])


def barred_here(session: Session, fair: Fair) -> list[tuple[str, str, Findings]]:
    """The exhibitors barred from this edition (flagged at the one before): (key, respondent as named, findings)."""
    previous = session.scalar(select(Fair).where(Fair.series == fair.series, Fair.edition == fair.edition - 1))
    return flagged_at(session, previous) if previous is not None else []


# --- complaints: opening, statement, facts ----------------------------------------------------------------------

def request_of(session: Session, complaint: FairComplaint) -> RightsRequest:
    return session.get(RightsRequest, complaint.request_id)


def _respondent_key(session: Session, fair: Fair, code: str, name: str) -> str:
    """The respondent's key: its credit code when known; else the key of the undertaking signed at this fair under
    the same name (so that the finding counts against the exhibitor that signed it); else its folded name."""
    code = normal_credit_code(domain.text_of(code))
    if code and credit_code_problem(code) is None:
        return code
    folded = fold_name(name)
    for key, exhibitor in session.execute(select(Undertaking.exhibitor_key, Undertaking.exhibitor)
                                          .where(Undertaking.fair_id == fair.id)):
        if fold_name(exhibitor) == folded:
            return key
    return folded


def open_from(session: Session, actor: Actor, req: RightsRequest, values: Mapping[str, object]) -> FairComplaint:
    """A complaint at a fair taken on from its request (service.refer): the record, and its case with the desk's
    unit (the fair's). `values` may give the respondent's booth and credit code where the request has none."""
    fair = session.get(Fair, req.fair_id) if req.fair_id is not None else None
    if fair is None:
        raise DomainError(Msg("This request names no fair the network serves: transfer it, or take it on as a "
                              "complaint"), field="fair")
    details = req.details or {}
    booth = domain.text_of(values.get("booth")) or domain.text_of(details.get("booth"))
    if len(booth) > 40:
        raise DomainError(Msg("{field} is longer than {n} characters", field=UNDERTAKING_FIELDS["booth"], n=40),
                          field="booth")
    code = domain.text_of(values.get("respondent_code")) or domain.text_of(details.get("respondent_code"))
    complaint = FairComplaint(request_id=req.id, fair_id=fair.id, complainant=req.requester_name[:200],
                              respondent=req.respondent[:200],
                              respondent_key=_respondent_key(session, fair, code, req.respondent), booth=booth,
                              right=req.right, statement="", measures=[], measures_reason="", outcome="")
    title = f"{COMPLAINT.label.render('zh_Hans')}：{req.requester_name} / {req.respondent}"
    case = COMPLAINTS.open(session, actor, complaint, title=title, applicant_unit_id=req.unit_id,
                           assigned_unit_id=fair.unit_id, subject_type=SUBJECT)
    case.applicant_user_id = req.user_id
    return complaint


def _ensure_desk(session: Session, complaint: FairComplaint, actor: Actor) -> Case:
    case = COMPLAINTS.case_of(session, complaint)
    if not service.acts_for_unit(case, actor):
        raise PermissionDenied(Msg("Only the fair's desk records this"))
    return case


def _moment(value, field: str) -> datetime:
    """A moment as given: a datetime, or YYYY-MM-DD HH:MM (or the form's YYYY-MM-DDTHH:MM) read as Beijing time;
    empty is now."""
    if isinstance(value, datetime):
        return domain.beijing(value)
    text = domain.text_of(value).replace("T", " ")
    if not text:
        return clock.now()
    try:
        return domain.beijing(datetime.strptime(text[:16], "%Y-%m-%d %H:%M"))
    except ValueError:
        raise DomainError(Msg("'{value}' is not a time; write it YYYY-MM-DD HH:MM (Beijing time)", value=text[:20]),
                          field=field) from None


def record_statement(session: Session, actor: Actor, complaint: FairComplaint, text: str,
                     at: datetime | str | None = None) -> None:
    """The respondent's written statement and evidence as the desk received them, and when (not a step: the
    complaint stays notified; audited). Once: a statement already recorded is not replaced."""
    _ensure_desk(session, complaint, actor)
    if complaint.state != "notified":
        raise DomainError(Msg("A statement is recorded while the respondent is notified and the measures are not yet "
                              "taken"), field="statement")
    if complaint.statement_at is not None:
        raise Conflict(Msg("The respondent's statement was recorded at {at} (Beijing time)",
                           at=beijing_text(complaint.statement_at)), field="statement")
    body = str(text or "").strip()
    if not body:
        raise DomainError(Msg("{field} is required", field=Msg("Written statement (书面说明)")), field="statement")
    if len(body) > MAX_STATEMENT:
        raise DomainError(Msg("The statement is too long: at most {n} characters", n=MAX_STATEMENT),
                          field="statement")
    moment = _moment(at, "at")
    notified = local(complaint.notified_at)
    if moment > domain.beijing(clock.now()) + timedelta(minutes=5):
        raise DomainError(Msg("The time of the statement cannot be in the future"), field="at")
    if notified is not None and moment < notified:
        raise DomainError(Msg("The statement cannot come before the notice ({at}, Beijing time)",
                              at=beijing_text(notified)), field="at")
    complaint.statement, complaint.statement_at = body, moment.astimezone(UTC)
    complaint.updated_at = clock.now()
    in_time = notified is not None and moment <= domain.statement_deadline(notified)
    audit.record(session, actor, "rights.fair.statement", "rights.fair_complaint", complaint.id,
                 summary=complaint.number, reason=body[:500],
                 detail={"at": moment.isoformat(), "in_time": in_time})


def record_facts(session: Session, actor: Actor, complaint: FairComplaint, *, admitted: bool = False,
                 confirmed_by: str = "", good_reason: str = "", note: str = "") -> None:
    """What the desk knows that bears on the measures (Guide Art 14): the respondent admits the infringement; an
    effective legal document (a judgment, an adjudication decision: name it) already confirms it; the respondent
    had a good reason for giving no statement in time. Each form replaces the facts as recorded before; audited."""
    _ensure_desk(session, complaint, actor)
    if complaint.state not in ("received", "notified"):
        raise DomainError(Msg("The facts are recorded before the measures are taken"), field="facts")
    confirmed_by, good_reason = domain.text_of(confirmed_by), domain.text_of(good_reason)
    problems: list[tuple[str | None, Msg]] = []
    if len(confirmed_by) > 300:
        problems.append(("confirmed_by", Msg("{field} is longer than {n} characters",
                                             field=Msg("Effective legal document (生效法律文书)"), n=300)))
    if len(good_reason) > 500:
        problems.append(("good_reason", Msg("{field} is longer than {n} characters",
                                            field=Msg("Good reason (正当理由)"), n=500)))
    _raise(problems)
    before = {"admitted": complaint.admitted, "confirmed_by": complaint.confirmed_by,
              "good_reason": complaint.good_reason}
    complaint.admitted, complaint.confirmed_by, complaint.good_reason = bool(admitted), confirmed_by, good_reason
    complaint.updated_at = clock.now()
    audit.record(session, actor, "rights.fair.facts", "rights.fair_complaint", complaint.id, summary=complaint.number,
                 reason=domain.text_of(note)[:500], detail={"before": before, "after": {
                     "admitted": complaint.admitted, "confirmed_by": confirmed_by, "good_reason": good_reason}})


# --- the 24-hour clock --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class StatementClock:
    """The respondent's 24 hours as they stand at `now` (Beijing time)."""

    notified_at: datetime
    deadline: datetime
    now: datetime
    statement_at: datetime | None

    @property
    def ended(self) -> bool:
        return self.now > self.deadline

    @property
    def left(self) -> timedelta:
        return max(self.deadline - self.now, timedelta(0))

    @property
    def hours_left(self) -> int:
        return int(self.left.total_seconds() // 3600)

    @property
    def minutes_left(self) -> int:
        return int(self.left.total_seconds() % 3600 // 60)

    @property
    def statement_in_time(self) -> bool:
        return self.statement_at is not None and self.statement_at <= self.deadline


def statement_clock(complaint: FairComplaint, now: datetime | None = None) -> StatementClock | None:
    """The clock of a notified complaint (None before the notice)."""
    notified = local(complaint.notified_at)
    if notified is None:
        return None
    return StatementClock(notified, domain.statement_deadline(notified), domain.beijing(now or clock.now()),
                          local(complaint.statement_at))


def measures_due(complaint: FairComplaint, now: datetime | None = None) -> Msg | None:
    """Why the desk takes the measures now (domain.measures_reason), None while it may not."""
    notified = local(complaint.notified_at)
    if notified is None:
        return None
    return domain.measures_reason(notified, domain.beijing(now or clock.now()),
                                  statement_at=local(complaint.statement_at),
                                  good_reason=bool(complaint.good_reason), confirmed=bool(complaint.confirmed_by),
                                  admitted=complaint.admitted)


def measures_refusal(complaint: FairComplaint, now: datetime | None = None) -> Msg | None:
    """Why the measures may not be taken now (None when they may): what the desk is waiting for."""
    if measures_due(complaint, now) is not None:
        return None
    reading = statement_clock(complaint, now)
    if reading is None:
        return Msg("Notify the respondent first: the 24 hours for its written statement run from the notice")
    if reading.statement_in_time:
        return Msg("The respondent gave its written statement and evidence in time ({at}, Beijing time): the "
                   "measures are taken only when it admits the infringement or an effective legal document confirms "
                   "it (Guide Art 14); otherwise close the complaint with its outcome",
                   at=reading.statement_at.strftime("%Y-%m-%d %H:%M"))
    if complaint.good_reason and reading.ended:
        return Msg("The desk recorded a good reason for the respondent's late statement: the measures are not taken "
                   "on the 24-hour ground (Guide Art 14)")
    return Msg("The respondent has until {deadline} (Beijing time) for its written statement and evidence: the "
               "measures can be taken then, or earlier when it admits the infringement or an effective legal "
               "document confirms it (Guide Art 14)", deadline=reading.deadline.strftime("%Y-%m-%d %H:%M"))


# --- guard and hooks ----------------------------------------------------------------------------------------------

def _guard(session: Session, case: Case, t, actor: Actor) -> Msg | None:
    complaint = session.scalar(select(FairComplaint).where(FairComplaint.case_id == case.id))
    if complaint is None:
        return None
    if t.key == "take_measures":
        return measures_refusal(complaint)
    return None


def _notified(session: Session, case: Case, event: CaseEvent, complaint: FairComplaint) -> None:
    complaint.notified_at = clock.now()


def _measures(session: Session, case: Case, event: CaseEvent, complaint: FairComplaint) -> None:
    reason = measures_due(complaint)
    complaint.measures = [m for m in (event.values.get("measures") or []) if m in domain.FAIR_MEASURES]
    complaint.measures_at = clock.now()
    complaint.measures_reason = (reason.render("zh_Hans") if reason is not None else "")[:500]
    complaint.infringing = True


OUTCOME_OF = {"reject": "rejected", "withdraw": "withdrawn"}


def _ended(session: Session, case: Case, event: CaseEvent, complaint: FairComplaint) -> None:
    complaint.closed_at = clock.now()
    complaint.outcome = str(event.values.get("outcome") or OUTCOME_OF.get(event.transition, event.transition))[:32]
    req = request_of(session, complaint)
    if req is not None:
        service.followup_ended(session, req, complaint.outcome)


COMPLAINT = dataclasses.replace(casetypes.fair_complaint_type(), record=FairComplaint, record_number="number",
                                guard=_guard, on={"notify": _notified, "take_measures": _measures, "close": _ended,
                                                  "reject": _ended, "withdraw": _ended})
def _sees_whole_file(actor: Actor, complaint: FairComplaint) -> bool:
    """Besides the desk's officials and administrators: the complainant, and the keepers of the fairs (the
    municipal office and the assistance centre follow every fair's complaints)."""
    session = object_session(complaint)
    return service.is_party(actor, complaint) or (session is not None and is_keeper_official(session, actor))


COMPLAINTS = RecordKind(COMPLAINT, missing=N_("No fair complaint {id}"),
                        denied=N_("This complaint is not yours to see"), parties=_sees_whole_file)


# --- the sweep ----------------------------------------------------------------------------------------------------

NO_STATEMENT_TITLE = N_("Fair complaint {number}: no written statement within 24 hours — decide on the measures")


def sweep(session: Session, now: datetime | None = None) -> dict:
    """For each notified complaint whose 24 hours ran out with no statement (and no good reason recorded), a task
    in the desk unit's inbox, once: the desk decides on the measures; none is taken here."""
    moment = domain.beijing(now or clock.now())
    told = 0
    for complaint in session.scalars(select(FairComplaint).where(FairComplaint.state == "notified",
                                                                 FairComplaint.statement_at.is_(None),
                                                                 FairComplaint.notified_at.is_not(None))):
        if complaint.good_reason or moment <= domain.statement_deadline(local(complaint.notified_at)):
            continue
        case = COMPLAINTS.case_of(session, complaint)
        if case is None or case.assigned_unit_id is None:
            continue
        item = inbox.notify(session, kind="task", unit_id=case.assigned_unit_id, case_id=case.id,
                            title=NO_STATEMENT_TITLE, params={"number": complaint.number},
                            link=f"/rights/fair-complaints/{complaint.id}",
                            dedupe_key=f"rights.fair.no_statement:{complaint.id}")
        told += item is not None
    return {"tasks": told}


SWEEP_JOB = "rights.fairs.sweep"
SWEEP_LABEL = Msg("Tell the fair desks of complaints whose 24 hours for a written statement ran out")


def sweep_job(ctx: JobContext, params: dict) -> dict:
    """The job (core/jobs.py): the sweep in its own transaction. Run it often during a fair (hourly): the clock
    is one of hours."""
    with ctx.db.session(write=True) as s:
        result = sweep(s)
        s.commit()
    ctx.progress(1, 1, N_("fair complaints swept"))
    return result
