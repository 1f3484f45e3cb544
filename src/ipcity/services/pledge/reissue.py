"""Issuing a pledge application's notices again (core/documents.py): the registering body's officials, from the
application's page, or `ipcity documents reissue pledge.notice` for all of them.

Every notice in force is issued again, in the order it was first issued (so the newest stays the newest), as a
new edition in the platform's font saying that it is issued again; the old editions stay listed and
downloadable. A notice carries what it says (notices.SOURCE_NAME), so it is issued again word for word. A
notice issued before notices carried it is written again from the record as it stood when it was issued: the
decision's date and the case's steps, and the contract's facts with every later registered change taken back
(the gazette keeps each change's earlier values).
"""

from __future__ import annotations

import io
from datetime import UTC
from types import SimpleNamespace

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipcity.core import documents
from ipcity.core.clock import CHINA_TZ, today
from ipcity.core.errors import DomainError
from ipcity.core.files import FileStore, Upload
from ipcity.core.i18n import Msg
from ipcity.core.roles import ADMIN, Actor
from ipcity.core.tables import Attachment
from ipcity.services.pledge import casetypes, domain, notices, service
from ipcity.services.pledge.tables import GazetteLine, Pledge
from ipcity.workflow.tables import CaseEvent

KIND_KEY = "pledge.notice"
FORM = "reissue-notices"
_KIND_OF_PREFIX = {prefix: kind for kind, prefix in notices.FILE_PREFIX.items()}

# What the decisions say, as the case hooks of service.py word them.
REGISTERED_TEXT = ["经审查，上述专利权质押符合《专利权质押登记办法》的规定，准予登记。质权自登记之日起设立。",
                   "The pledge meets the Measures for Patent Pledge Registration and is registered; the pledge is "
                   "created on the registration date."]
REFUSED_TEXT = ["经审查，该专利权质押登记申请存在以下情形，根据《专利权质押登记办法》的规定，不予登记：",
                "The application is refused under the Measures for Patent Pledge Registration on these grounds:"]


def _subjects(session: Session) -> list[int]:
    ids = session.scalars(select(Attachment.owner_id).where(Attachment.owner_type == service.NOTICE_OWNER).distinct())
    return sorted(int(i) for i in ids)


def current(session: Session, pledge_id: int) -> list[Attachment]:
    """The notices in force: every notice of the application but those issued again since."""
    replaced = documents.replaced_ids(session, KIND_KEY, pledge_id)
    return [a for a in attachments(session, pledge_id) if a.id not in replaced]


def attachments(session: Session, pledge_id: int) -> list[Attachment]:
    return list(session.scalars(select(Attachment).where(
        Attachment.owner_type == service.NOTICE_OWNER, Attachment.owner_id == str(pledge_id)).order_by(Attachment.id)))


def may_reissue(session: Session, actor: Actor, pledge_id: int) -> bool:
    """The registering body's officials (and the platform itself, for the documents command)."""
    pledge = session.get(Pledge, pledge_id)
    if pledge is None:
        return False
    if actor.user_id is None and actor.role == ADMIN:
        return True
    return actor.role in casetypes.OFFICIALS and actor.unit_id == service.registry_unit(session).id


def _reissue(session: Session, files: FileStore, actor: Actor, pledge_id: int, reason: str,
             prepared=None) -> list[Attachment]:
    pledge = session.get(Pledge, pledge_id)
    issued = []
    for old in current(session, pledge_id):
        with files.open(old.sha256) as fh:
            notice = notices.source_of(fh.read()) or rewritten(session, pledge, old)
        notice.reissued_on = today().isoformat()
        pdf = notices.render_pdf(notice)
        issued.append(files.attach(session, Upload(old.filename, io.BytesIO(pdf)), service.NOTICE_OWNER, pledge.id,
                                   actor.user_id, field="notice", allowed=service.PDF))
    return issued


KIND = documents.DocumentKind(key=KIND_KEY, label=Msg("Notices of patent pledge registration"),
                              subjects=_subjects, current=current, may_reissue=may_reissue, reissue=_reissue)


def page_context(session: Session, actor: Actor, pledge: Pledge) -> dict:
    """What the application's page shows of the notices' editions, and whether this person may issue them again."""
    return {"notice_editions": documents.editions_marked(session, KIND_KEY, pledge.id, attachments(session, pledge.id)),
            "may_reissue_notices": bool(service.notices_of(session, pledge)) and may_reissue(session, actor, pledge.id)
            and actor.user_id is not None}


# --- notices issued before they carried their content --------------------------------------------------------


def _changes(session: Session, pledge: Pledge) -> list[dict]:
    """The registered changes in order: {"on", "before", "after"} (the gazette has one line per patent)."""
    out: list[dict] = []
    for line in session.scalars(select(GazetteLine).where(GazetteLine.pledge_id == pledge.id,
                                                          GazetteLine.kind == "change").order_by(GazetteLine.id)):
        change = {"on": line.published_on, "before": dict((line.detail or {}).get("before") or {}),
                  "after": dict((line.detail or {}).get("after") or {})}
        if not out or out[-1] != change:
            out.append(change)
    return out


def _contract_as_of(pledge: Pledge, later: list[dict]) -> SimpleNamespace:
    """The contract's facts before the `later` changes (their earlier values put back, newest first)."""
    values = {"pledgor_name": pledge.pledgor_name, "pledgor_address": pledge.pledgor_address,
              "pledgee_name": pledge.pledgee_name, "pledgee_address": pledge.pledgee_address,
              "amount_fen": pledge.amount_fen, "debt_start": pledge.debt_start, "debt_end": pledge.debt_end,
              "guarantee_scope": pledge.guarantee_scope}
    for change in reversed(later):
        for key, before in change["before"].items():
            if key == "amount":
                values["amount_fen"] = domain.to_fen(domain.parse_amount(before))
            elif key in values:
                values[key] = before
    return SimpleNamespace(**values, claim_type=pledge.claim_type, patents=pledge.patents)


def _event(session: Session, pledge: Pledge, transition: str) -> CaseEvent | None:
    return session.scalar(select(CaseEvent).where(CaseEvent.case_id == pledge.case_id,
                                                  CaseEvent.transition == transition)
                          .order_by(CaseEvent.seq.desc()).limit(1))


def rewritten(session: Session, pledge: Pledge, old: Attachment) -> notices.Notice:
    """The notice `old` as it was issued, written again from the record (for a PDF without its content)."""
    prefix, _, rest = old.filename.removesuffix(".pdf").partition("-")
    kind = _KIND_OF_PREFIX.get(prefix)
    if kind is None:
        raise DomainError(Msg("{name} is not a notice this platform issues", name=old.filename), field="notice")
    changes = _changes(session, pledge)
    # A notice without its content was issued before any notice was issued again: the notices before it are
    # first issues. The n-th change notice tells of the n-th change; later changes are taken back.
    nth = sum(1 for a in attachments(session, pledge.id) if a.id < old.id
              and a.filename.startswith(notices.FILE_PREFIX[notices.CHANGE]))
    later = {notices.REGISTRATION: changes, notices.REFUSAL: changes, notices.CHANGE: changes[nth + 1:],
             notices.CANCELLATION: []}[kind]
    rows = service._base_rows(_contract_as_of(pledge, later))
    text: list[str] = []
    registration = pledge.registration_number or ""
    if kind == notices.REGISTRATION:
        rows += [("登记号", "Registration No.", registration),
                 ("登记日", "Registered on", pledge.registered_on.isoformat() if pledge.registered_on else "")]
        text = list(REGISTERED_TEXT)
    elif kind == notices.REFUSAL:
        event = _event(session, pledge, "refuse")
        text = list(REFUSED_TEXT)
        for ground in list((event.values or {}).get("grounds") or []) if event else []:
            if ground not in domain.GROUNDS:
                continue
            n, label = domain.GROUNDS[ground]
            text.append(f"（{n}）{label.render('zh_Hans')}")
            text += [f"　— {f.get('message', '')}" for f in pledge.findings or [] if f.get("ground") == ground]
        if event is not None and event.reason:
            text.append(f"审查意见 / Examiner: {event.reason}")
    elif kind == notices.CANCELLATION:
        event = _event(session, pledge, "cancel")
        day = pledge.cancelled_on.isoformat() if pledge.cancelled_on else ""
        rows += [("登记号", "Registration No.", registration), ("注销日", "Cancelled on", day)]
        text = [f"该专利权质押登记已于 {day} 注销。/ The pledge registration is cancelled.",
                f"理由 / Reason: {event.reason if event else ''}"]
    else:
        change = changes[nth] if nth < len(changes) else {"on": None, "before": {}, "after": {}}
        labels = {k: domain.CHANGEABLE[k].render("zh_Hans") for k in change["after"] if k in domain.CHANGEABLE}
        rows += [("登记号", "Registration No.", registration),
                 ("变更日", "Changed on", change["on"].isoformat() if change["on"] else "")]
        text = ["下列事项已变更 / The following items are changed:",
                *(f"{labels.get(k, k)}：{change['before'].get(k, '')} → {v}" for k, v in change["after"].items())]
    number = rest or (registration if kind != notices.REFUSAL else pledge.application_number)
    # The notice is dated the day of the decision it tells of (service.issue_notice dates it today()).
    day = {notices.REGISTRATION: pledge.registered_on, notices.REFUSAL: pledge.decided_on,
           notices.CANCELLATION: pledge.cancelled_on,
           notices.CHANGE: changes[nth]["on"] if nth < len(changes) else None}[kind]
    if day is None:
        kept = old.uploaded_at if old.uploaded_at.tzinfo else old.uploaded_at.replace(tzinfo=UTC)
        day = kept.astimezone(CHINA_TZ).date()
    return notices.Notice(kind=kind, number=number, body=service.registry_unit(session).name_zh,
                          issued_on=day.isoformat(), rows=rows,
                          patents=service._patents_json(pledge), text=text)
