"""HTML pages of open licensing (专利开放许可).

Public (`@public`): the searchable list of declarations in effect (and, on request, withdrawn ones) with CSV, and
the public record of one declaration. Signed in: declaring (companies), the declaration page with the office's
formal check, taking a licence, "my licences" with recording and royalty payments, matchmaking, the annual-fee
page of a patent, and the office's statistics. The filters, lists and labels come from queries.py and the role
sets from access.py, which the JSON API reads too, so that pages and API apply the same filters and access rules.
The lists, the declaration and licence pages and the declaration's step forms are the case kit's generic pages
(web/case_pages.py) declared here.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from ipcity.core.clock import today
from ipcity.core.errors import DomainError
from ipcity.core.files import Upload
from ipcity.core.i18n import Msg
from ipcity.core.roles import APPLICANT_COMPANY, Actor
from ipcity.patents import register
from ipcity.services.openlicense import domain, matching, service, stats
from ipcity.services.openlicense.access import AUDITORS, USERS, ensure_office
from ipcity.services.openlicense.queries import (
    DeclarationFilters,
    LicenceFilters,
    PublicFilters,
    declaration_context,
    declarations_query,
    districts,
    licence_context,
    licence_state_label,
    licences_query,
    money,
    public_query,
    rate_text,
    region_name,
    royalties_of,
    settings_of,
    state_label,
)
from ipcity.services.openlicense.tables import Declaration
from ipcity.web.case_pages import ListPage, RecordPage, list_page, mount_record, posted_form, texts, uploads
from ipcity.web.deps import db_session, public, require, signed_in_or_anonymous
from ipcity.web.export import csv_response
from ipcity.web.templating import render

router = APIRouter(prefix="/openlicense")

PAGE_SIZE = 30
FORM_FIELDS = ("patent_number", "mode", "lump_sum", "rate", "rate_basis", "entry_fee", "term_start", "term_end",
               "other_terms", "contact", "small_entity")
CONSENT_ROWS = 3
CO_OWNER_ROWS = 3
PUBLIC_HEADER = ["number", "patent_number", "title", "patent_type", "ipc_main", "region_code", "region", "patentee",
                 "mode", "lump_sum_yuan", "rate_percent", "rate_basis", "entry_fee_yuan", "term_start", "term_end",
                 "published_on", "state", "withdrawn_on", "contact"]
REDUCTIONS = {"small_single": Msg("85 % reduction (费减)"), "small_several": Msg("70 % reduction (费减)"),
              "open_licence": Msg("Open licence 15 % (财税〔2024〕23号)")}


# --- page helpers -------------------------------------------------------------------------------------------

def public_rows(rows: list[Declaration]) -> list[list]:
    return [[d.number, d.patent_number, d.title, d.patent_type, d.ipc_main, d.region_code, region_name(d.region_code),
             d.patentee, d.mode, money(d.lump_sum), rate_text(d.rate), d.rate_basis if d.rate is not None else "",
             money(d.entry_fee), d.term_start.isoformat(), d.term_end.isoformat(),
             d.published_on.isoformat() if d.published_on else "", d.state,
             d.withdrawn_on.isoformat() if d.withdrawn_on else "", d.contact] for d in rows]


def _codes() -> dict:
    return {"modes": domain.MODES, "bases": domain.RATE_BASES, "types": domain.PATENT_TYPES,
            "small_entity": domain.SMALL_ENTITY, "grounds": domain.GROUNDS, "state_label": state_label,
            "licence_state_label": licence_state_label, "region_name": region_name, "money": money,
            "rate_text": rate_text, "reductions": REDUCTIONS, "states": service.DECLARATION.states,
            "licence_states": service.LICENCE.states}


def _upload(form: FormData, name: str) -> Upload | None:
    files = uploads(form, name)
    return files[0] if files else None


def _consents(form: FormData) -> list[tuple[str, Upload]]:
    return [(str(form.get(f"consent_pledgee_{i}") or ""), _upload(form, f"consent_file_{i}"))
            for i in range(1, CONSENT_ROWS + 1)]


def _co_declarations(form: FormData) -> list[tuple[str, Upload]]:
    """The co-owners joining the declaration, each with their signed joint declaration (Patent Law Art 14)."""
    return [(str(form.get(f"co_owner_{i}") or ""), _upload(form, f"co_declaration_{i}"))
            for i in range(1, CO_OWNER_ROWS + 1)]


def _typed_rows(form: FormData) -> dict:
    """The names typed in the consent and co-owner rows, to show the form again."""
    return {f"consent_pledgee_{i}": str(form.get(f"consent_pledgee_{i}") or "") for i in range(1, CONSENT_ROWS + 1)} | {
        f"co_owner_{i}": str(form.get(f"co_owner_{i}") or "") for i in range(1, CO_OWNER_ROWS + 1)}


def _licence_rows(session: Session, rows: list) -> list[list]:
    paid = royalties_of(session, [r.id for r in rows])
    decls = _declarations_of(session, rows)
    return [[r.number, decls[r.declaration_id].number, decls[r.declaration_id].patent_number, r.licensor, r.licensee,
             r.mode, r.start_on.isoformat(), r.end_on.isoformat(), r.state,
             r.recorded_on.isoformat() if r.recorded_on else "", money(paid.get(r.id, 0))] for r in rows]


def _declarations_of(session: Session, licences: list) -> dict[int, Declaration]:
    ids = {r.declaration_id for r in licences}
    return {d.id: d for d in session.scalars(select(Declaration).where(Declaration.id.in_(ids)))} if ids else {}


PUBLIC = ListPage(
    "openlicense/list.html", PublicFilters, lambda actor, filters: public_query(filters), "open-licences",
    PUBLIC_HEADER, lambda session, rows: public_rows(rows), page_size=PAGE_SIZE,
    context=lambda session, actor, result: {
        "districts": districts(), "may_declare": actor is not None and actor.role == APPLICANT_COMPANY,
        "signed_in_user": actor is not None and actor.role in USERS})
DECLARATIONS = ListPage(
    "openlicense/declarations.html", DeclarationFilters, lambda actor, f: declarations_query(actor, f.q, f.state),
    "open-licence-declarations", PUBLIC_HEADER, lambda session, rows: public_rows(rows), page_size=PAGE_SIZE,
    context=lambda session, actor, result: {"may_declare": actor.role == APPLICANT_COMPANY})
LICENCES = ListPage(
    "openlicense/licences.html", LicenceFilters, lambda actor, f: licences_query(actor, f.side, f.state, f.q),
    "open-licences-taken", ["number", "declaration", "patent_number", "licensor", "licensee", "mode", "start_on",
                            "end_on", "state", "recorded_on", "royalties_yuan"], _licence_rows, page_size=PAGE_SIZE,
    context=lambda session, actor, result: {
        "decls": _declarations_of(session, result.rows),
        "royalties": royalties_of(session, [r.id for r in result.rows]),
        "company": actor.role == APPLICANT_COMPANY, "unit_id": actor.unit_id})
DECLARATION_PAGE = RecordPage(service.DECLARATIONS, "openlicense/declaration.html", "/openlicense/declarations/{id}",
                              declaration_context,
                              codes=lambda: _codes() | {"consent_rows": CONSENT_ROWS, "co_owner_rows": CO_OWNER_ROWS},
                              forms=lambda ctx: {"resubmit"}, roles=tuple(USERS))
LICENCE_PAGE = RecordPage(service.LICENCES, "openlicense/licence.html", "/openlicense/licences/{id}", licence_context,
                          codes=_codes, forms=lambda ctx: {"record", "payment", "end"}, roles=tuple(USERS))


# --- public list and record ---------------------------------------------------------------------------------

@router.get("")
@public
def public_list(request: Request, actor: Actor | None = Depends(signed_in_or_anonymous()),
                session: Session = Depends(db_session)):
    return list_page(request, session, actor, PUBLIC, _codes())


@router.get("/list")
@public
def public_list_address(request: Request):
    """The public list under the address the README and earlier links give it: the list itself, filters kept."""
    query = request.url.query
    return RedirectResponse("/openlicense" + (f"?{query}" if query else ""), status_code=308)


@router.get("/d/{number}")
@public
def public_record(request: Request, number: str, actor: Actor | None = Depends(signed_in_or_anonymous()),
                  session: Session = Depends(db_session)):
    d = service.public_declaration(session, number)
    record = register.find(session, d.app_number)
    position = register.position(session, record)
    may_take = (actor is not None and actor.role == APPLICANT_COMPANY and actor.unit_id != d.declarant_unit_id
                and d.state in domain.TAKEABLE_STATES)
    case = service.case_of(session, d)
    return render(request, "openlicense/record.html", _codes() | {
        "d": d, "record": record, "position": position, "may_take": may_take, "case": case,
        "licences_count": len(service.licences_of(session, d)),
        "schedule": service.fee_schedule(session, position, "none")})


# --- declaring ----------------------------------------------------------------------------------------------

def _suggestions(session: Session, unit_name: str) -> list[tuple[str, str]]:
    """Granted patents of the unit in the register (for the patent-number field)."""
    return [("ZL" + r.app_number[2:] if r.app_number.startswith("CN") else r.app_number, r.title)
            for r in register.granted_naming(session, unit_name)]


def _form_context(session: Session, actor: Actor, values: dict, error: DomainError | None = None,
                  check=None) -> dict:
    return _codes() | {"values": values, "error": error, "patentee": actor.unit_name, "check": check,
                       "suggestions": _suggestions(session, actor.unit_name), "consent_rows": CONSENT_ROWS,
                       "co_owner_rows": CO_OWNER_ROWS, "caps": service.rules(session)}


@router.get("/declarations/new")
def new_declaration(request: Request, patent: str = "", actor: Actor = Depends(require(APPLICANT_COMPANY)),
                    session: Session = Depends(db_session)):
    values = {"mode": "", "rate_basis": "net_sales", "small_entity": "none", "patent_number": patent}
    check = None
    if patent.strip():
        try:
            position, grounds = service.check_patent(session, actor, patent)
            co_owners = domain.other_co_owners(position, actor.unit_name)
            check = {"position": position, "grounds": grounds, "co_owners": co_owners}
            # The co-owner rows start with the names the register gives (Patent Law Art 14: all declare jointly).
            values |= {f"co_owner_{i}": name for i, name in enumerate(co_owners[:CO_OWNER_ROWS], start=1)}
        except DomainError as exc:
            check = {"error": exc}
    return render(request, "openlicense/form.html", _form_context(session, actor, values, check=check))


@router.post("/declarations/new")
def file_declaration(request: Request, form: FormData = Depends(posted_form),
                     actor: Actor = Depends(require(APPLICANT_COMPANY)), session: Session = Depends(db_session)):
    values = texts(form, FORM_FIELDS)
    try:
        d = service.file_declaration(session, actor, values, _upload(form, "evaluation_report"), _consents(form),
                                     _co_declarations(form))
        session.commit()
    except DomainError as exc:
        session.rollback()
        if exc.status != 400:
            raise
        posted = values | _typed_rows(form)
        return render(request, "openlicense/form.html", _form_context(session, actor, posted, exc), status_code=400)
    return RedirectResponse(f"/openlicense/declarations/{d.id}", status_code=303)


@router.get("/declarations")
def declarations_page(request: Request, actor: Actor = Depends(require(*USERS)),
                      session: Session = Depends(db_session)):
    return list_page(request, session, actor, DECLARATIONS, _codes())


@router.post("/declarations/{declaration_id:int}/resubmit")
def resubmit(request: Request, declaration_id: int, form: FormData = Depends(posted_form),
             actor: Actor = Depends(require(APPLICANT_COMPANY)), session: Session = Depends(db_session)):
    d = service.DECLARATIONS.visible(session, actor, declaration_id)
    values, reason = texts(form, FORM_FIELDS), str(form.get("reason") or "")
    return DECLARATION_PAGE.submit(request, session, actor, declaration_id, lambda: service.resubmit(
        session, actor, d, values, _upload(form, "evaluation_report"), _consents(form), reason,
        _co_declarations(form)), form="resubmit",
        posted={"reason": reason}, values=values)


# --- taking a licence ---------------------------------------------------------------------------------------

def _take_context(session: Session, actor: Actor, d: Declaration, values: dict, error=None) -> dict:
    return _codes() | {"d": d, "values": values, "error": error, "licensee": actor.unit_name}


@router.get("/d/{number}/take")
def take_page(request: Request, number: str, actor: Actor = Depends(require(APPLICANT_COMPANY)),
              session: Session = Depends(db_session)):
    d = service.public_declaration(session, number)
    values = {"mode": d.mode, "start_on": max(today(), d.published_on or today()).isoformat()}
    return render(request, "openlicense/take.html", _take_context(session, actor, d, values))


@router.post("/d/{number}/take")
def take(request: Request, number: str, form: FormData = Depends(posted_form),
         actor: Actor = Depends(require(APPLICANT_COMPANY)), session: Session = Depends(db_session)):
    d = service.public_declaration(session, number)
    values = texts(form, ("mode", "start_on", "products", "contact"))
    try:
        lic = service.take_licence(session, actor, d, values)
        session.commit()
    except DomainError as exc:
        session.rollback()
        if exc.status not in (400, 409):
            raise
        d = service.public_declaration(session, number)
        return render(request, "openlicense/take.html", _take_context(session, actor, d, values, exc),
                      status_code=exc.status)
    return RedirectResponse(f"/openlicense/licences/{lic.id}", status_code=303)


# --- licences -----------------------------------------------------------------------------------------------

@router.get("/licences")
def licences_page(request: Request, actor: Actor = Depends(require(*USERS)), session: Session = Depends(db_session)):
    return list_page(request, session, actor, LICENCES, _codes())


@router.post("/licences/{licence_id:int}/record")
def record_licence(request: Request, licence_id: int, form: FormData = Depends(posted_form),
                   actor: Actor = Depends(require(APPLICANT_COMPANY)), session: Session = Depends(db_session)):
    lic = service.LICENCES.visible(session, actor, licence_id)
    return LICENCE_PAGE.submit(request, session, actor, licence_id, lambda: service.record_licence(
        session, actor, lic, _upload(form, "proof")), form="record")


@router.post("/licences/{licence_id:int}/payments")
def record_payment(request: Request, licence_id: int, form: FormData = Depends(posted_form),
                   actor: Actor = Depends(require(APPLICANT_COMPANY)), session: Session = Depends(db_session)):
    lic = service.LICENCES.visible(session, actor, licence_id)
    values = texts(form, ("amount", "paid_on", "period", "note"))
    return LICENCE_PAGE.submit(request, session, actor, licence_id, lambda: service.record_payment(
        session, actor, lic, values, _upload(form, "proof")), form="payment", posted=values)


@router.post("/licences/{licence_id:int}/end")
def end_licence(request: Request, licence_id: int, form: FormData = Depends(posted_form),
                actor: Actor = Depends(require(APPLICANT_COMPANY)), session: Session = Depends(db_session)):
    lic = service.LICENCES.visible(session, actor, licence_id)
    reason = str(form.get("reason") or "")
    return LICENCE_PAGE.submit(request, session, actor, licence_id,
                               lambda: service.end_licence(session, actor, lic, reason), form="end",
                               posted={"reason": reason})


# --- matchmaking, fees, statistics --------------------------------------------------------------------------

@router.get("/match")
def match_page(request: Request, need: str = "", actor: Actor = Depends(require(*USERS)),
               session: Session = Depends(db_session)):
    results = matching.match(session, need[:2000], encoder=matching.encoder_of(settings_of(request))) \
        if need.strip() else []
    return render(request, "openlicense/match.html", _codes() | {"need": need, "results": results,
                                                                  "company": actor.role == APPLICANT_COMPANY})


@router.get("/patents/{number}")
def patent_fees(request: Request, number: str, small_entity: str = "", actor: Actor = Depends(require(*USERS)),
                session: Session = Depends(db_session)):
    record = register.find(session, number)
    position = register.position(session, record)
    decls = list(session.scalars(select(Declaration).where(Declaration.app_number == register.key_of(record),
                                                           Declaration.published_on.is_not(None))
                                 .order_by(Declaration.published_on)))
    if small_entity not in domain.SMALL_ENTITY:
        own = [d for d in decls if actor.unit_id is not None and d.declarant_unit_id == actor.unit_id]
        small_entity = own[-1].small_entity if own else "none"
    return render(request, "openlicense/patent.html", _codes() | {
        "record": record, "position": position, "decls": decls, "chosen": small_entity,
        "schedule": service.fee_schedule(session, position, small_entity)})


@router.get("/stats")
def stats_page(request: Request, by: str = "section", format: str = "", actor: Actor = Depends(require(*AUDITORS)),
               session: Session = Depends(db_session)):
    ensure_office(session, actor)
    by = by if by in stats.BY else "section"
    rows, total = stats.table(session, by)
    if format == "csv":
        return csv_response(f"open-licensing-{by}.csv", stats.HEADER, [r.cells() for r in [*rows, total]])
    return render(request, "openlicense/stats.html", _codes() | {"rows": rows, "total": total, "by": by,
                                                                  "views": stats.BY})


mount_record(router, DECLARATION_PAGE, "/declarations")  # the declaration page and its step forms
mount_record(router, LICENCE_PAGE, "/licences")           # the licence page (its steps have their own forms)
