"""HTML pages of the network's requests, adjudications and routing table.

Signed in: a company or a person files a request (the web form); an official enters a request taken by phone, at
the window or at a fair desk; the unit the request is with takes it on, transfers it, declines it, or opens the
adjudication, mediation, fair complaint or overseas case it becomes; the adjudicating office files, serves, hears
and decides. Anyone: the tracking look-up (status and next step only), slowed down after repeated misses. The
lists, the record pages and their step forms are the case kit's (web/case_pages.py); the read model is
queries.py.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from ipcity.core.errors import DomainError, NotFound
from ipcity.core.i18n import Msg
from ipcity.core.roles import ADMIN, PUBLIC_ROLES, Actor
from ipcity.services.rights import adjudication, domain, routing, service
from ipcity.services.rights.access import OFFICIALS, REQUESTERS, USERS
from ipcity.services.rights.queries import (
    ADJUDICATION_HEADER,
    REQUEST_HEADER,
    AdjudicationFilters,
    RequestFilters,
    adjudication_context,
    adjudication_rows,
    adjudications_query,
    codes,
    districts,
    request_context,
    request_rows,
    requests_query,
    routing_table,
    transfer_units,
)
from ipcity.web.case_pages import ListPage, RecordPage, list_page, mount_record, posted_form, texts, uploads
from ipcity.web.deps import db_session, public, require, signed_in_or_anonymous, writes
from ipcity.web.templating import render
from ipcity.workflow import engine

router = APIRouter(prefix="/rights")

INTAKE_FIELDS = (*service.TEXT_FIELDS, "knew_on", "respondent_code", "booth", "industry", "stage", "opponent")
INTAKE_TICKS = ("court_action", "other_method", "patentee_not_requesting", "authorised", "granted", "continuing",
                "foreign", "hk_macao_taiwan", "multi_district", "major_impact", "complex_case", "respondent_abroad")

REQUESTS = ListPage("rights/requests.html", RequestFilters, requests_query, "rights-requests", REQUEST_HEADER,
                    request_rows, context=lambda session, actor, result: {
                        "clocks": engine.running_clocks(session, service.REQUEST, result.rows),
                        "requester": actor is not None and actor.role in PUBLIC_ROLES,
                        "districts": districts()})
ADJUDICATIONS = ListPage("rights/adjudications.html", AdjudicationFilters, adjudications_query,
                         "rights-adjudications", ADJUDICATION_HEADER, adjudication_rows,
                         context=lambda session, actor, result: {
                             "clocks": engine.running_clocks(session, adjudication.ADJUDICATION, result.rows)})
REQUEST_PAGE = RecordPage(service.REQUESTS, "rights/request.html", "/rights/requests/{id}", request_context,
                          codes=codes, forms=lambda ctx: {"transfer", "refer"}, roles=tuple(USERS))
ADJUDICATION_PAGE = RecordPage(adjudication.ADJUDICATIONS, "rights/adjudication.html", "/rights/adjudications/{id}",
                               adjudication_context, codes=codes,
                               forms=lambda ctx: {"file", "serve", "evidence", "hearing", "recuse", "decide",
                                                  "receipt", "correct"}, roles=tuple(USERS))


def _intake_values(form: FormData) -> dict:
    values: dict = texts(form, INTAKE_FIELDS)
    for tick in INTAKE_TICKS:
        values[tick] = str(form.get(tick) or "")
    values["respondent_in_china"] = "" if values.pop("respondent_abroad") else "1"
    values["major"] = [str(m) for m in form.getlist("major")]
    values["acts"] = [str(a) for a in form.getlist("acts")]
    return values


def _intake_form(request: Request, session: Session, actor: Actor, values: dict, error=None, status=200):
    return render(request, "rights/request_form.html", codes() | {
        "values": values, "error": error, "official": actor.role not in PUBLIC_ROLES,
        "districts": districts(), "fairs": service.fairs_open(session),
        "countries": sorted(domain.territories().items(), key=lambda kv: kv[1])}, status_code=status)


@router.get("")
def home(request: Request, actor: Actor = Depends(require(*USERS))):
    return RedirectResponse("/rights/requests", status_code=303)


@router.get("/requests")
def requests_page(request: Request, actor: Actor = Depends(require(*USERS)), session: Session = Depends(db_session)):
    return list_page(request, session, actor, REQUESTS, codes())


@router.get("/requests/new")
def new_request(request: Request, kind: str = "", actor: Actor = Depends(require(*REQUESTERS, *OFFICIALS)),
                session: Session = Depends(db_session)):
    own = actor.role in PUBLIC_ROLES
    values = {"kind": kind if kind in domain.REQUEST_KINDS else "", "role": domain.RIGHT_HOLDER,
              "channel": domain.WEB if own else domain.PHONE,
              "requester_name": actor.unit_name if own else "", "contact_name": actor.display_name if own else ""}
    return _intake_form(request, session, actor, values)


@router.post("/requests/new")
def file_request(request: Request, form: FormData = Depends(posted_form),
                 actor: Actor = Depends(require(*REQUESTERS, *OFFICIALS)), session: Session = Depends(db_session)):
    values = _intake_values(form)
    try:
        req = service.submit(session, actor, values, uploads(form, "evidence"))
        session.commit()
    except DomainError as exc:
        session.rollback()
        if exc.status not in (400, 409):
            raise
        return _intake_form(request, session, actor, values, exc, exc.status)
    return RedirectResponse(f"/rights/requests/{req.id}?filed=1", status_code=303)


@router.post("/requests/{request_id:int}/transfer")
def transfer(request: Request, request_id: int, form: FormData = Depends(posted_form),
             actor: Actor = Depends(require(*OFFICIALS)), session: Session = Depends(db_session)):
    req = service.REQUESTS.visible(session, actor, request_id)
    posted = texts(form, ("unit_id", "reason"))
    unit_id = int(posted["unit_id"]) if posted["unit_id"].isdigit() else 0
    return REQUEST_PAGE.submit(request, session, actor, request_id, lambda: service.transfer(
        session, actor, req, unit_id, posted["reason"]), form="transfer", posted=posted)


@router.post("/requests/{request_id:int}/refer")
def refer(request: Request, request_id: int, form: FormData = Depends(posted_form),
          actor: Actor = Depends(require(*OFFICIALS)), session: Session = Depends(db_session)):
    req = service.REQUESTS.visible(session, actor, request_id)
    posted = texts(form, ("mediator_kind", "body_unit_id", "complex_case", "reason"))
    values = {k: v for k, v in posted.items() if k != "reason"}
    if values["body_unit_id"].isdigit():
        values["body_unit_id"] = int(values["body_unit_id"])

    response = REQUEST_PAGE.submit(request, session, actor, request_id,
                                   lambda: service.refer(session, actor, req, values, posted["reason"]),
                                   form="refer", posted=posted)
    if response.status_code == 303 and req.followup_type:  # taken on: to the case it became
        records = service.followup_records(req.followup_type)
        record = session.get(records.model, req.followup_id)
        return RedirectResponse(records.case_type.link(records.case_of(session, record)), status_code=303)
    return response


# --- the public tracking look-up ----------------------------------------------------------------------------------

def _client(request: Request) -> str:
    return request.client.host if request.client else ""


@router.get("/track")
@public
@writes(lambda request: bool(request.query_params.get("number")))
def track(request: Request, number: str = "", actor: Actor | None = Depends(signed_in_or_anonymous()),
          session: Session = Depends(db_session)):
    """Status and next step of the request a tracking number names; misses are counted per address and slow
    that address down (a number is 1 in 2⁴⁰ to guess; see domain.py)."""
    context: dict = {"number": number[:60], "status": None, "error": None, "wait": 0,
                     "example": domain.EXAMPLE_TRACKING}
    status = 200
    if number:
        wait = service.lookup_wait(session, _client(request))
        if wait:
            context |= {"wait": wait, "error": Msg("Too many look-ups from this address: try again in {n} seconds",
                                                   n=wait)}
            status = 429
        else:
            try:
                context["status"] = service.public_status(session, number[:60])
            except domain.TrackingError as exc:
                context["error"], status = exc.msg, 400
            except NotFound as exc:
                context["error"], status = exc.message, 404
            if context["error"] is not None:
                service.lookup_missed(session, _client(request))
            session.commit()
    return render(request, "rights/track.html", codes() | context, status_code=status)


# --- the routing table ------------------------------------------------------------------------------------------

def _routing_page(request: Request, session: Session, actor: Actor, error=None, posted=None, status=200, trial=None):
    return render(request, "rights/routing.html", codes() | {
        "table": routing_table(session), "units": transfer_units(session), "districts": districts(),
        "fairs": service.fairs_open(session), "error": error, "posted": posted or {}, "editable": actor.role == ADMIN,
        "ambiguous": routing.ambiguous(session), "trial": trial}, status_code=status)


@router.get("/routing")
def routing_page(request: Request, right: str = "", kind: str = "", area: str = "",
                 actor: Actor = Depends(require(*OFFICIALS)), session: Session = Depends(db_session)):
    trial = None
    if right and kind:
        clean = {"kind": kind[:40], "right": right[:40], "area": area[:60], "details": {}}
        found = service.route(session, clean)
        trial = {"right": right, "kind": kind, "area": area, "unit": found.unit.name_zh, "why": found.why}
    return _routing_page(request, session, actor, trial=trial)


ROUTE_FIELDS = ("right", "kind", "area", "unit_id", "priority", "note")


def _routing_call(request: Request, session: Session, actor: Actor, call, posted: dict):
    try:
        call()
        session.commit()
    except DomainError as exc:
        session.rollback()
        if exc.status not in (400, 404, 409):
            raise
        return _routing_page(request, session, actor, exc, posted, exc.status)
    return RedirectResponse("/rights/routing", status_code=303)


@router.post("/routing")
def add_route(request: Request, form: FormData = Depends(posted_form), actor: Actor = Depends(require(ADMIN)),
              session: Session = Depends(db_session)):
    posted = texts(form, ROUTE_FIELDS)
    return _routing_call(request, session, actor, lambda: routing.add_rule(session, actor, posted), posted)


@router.post("/routing/{rule_id:int}")
def change_route(request: Request, rule_id: int, form: FormData = Depends(posted_form),
                 actor: Actor = Depends(require(ADMIN)), session: Session = Depends(db_session)):
    op = str(form.get("op") or "")
    if op in ("up", "down"):
        call = lambda: routing.move(session, actor, rule_id, op == "up")  # noqa: E731
    elif op in ("on", "off"):
        call = lambda: routing.set_active(session, actor, rule_id, op == "on")  # noqa: E731
    else:
        posted = texts(form, ROUTE_FIELDS)
        return _routing_call(request, session, actor, lambda: routing.update_rule(session, actor, rule_id, posted),
                             posted)
    return _routing_call(request, session, actor, call, {})


# --- adjudication -------------------------------------------------------------------------------------------------

@router.get("/adjudications")
def adjudications_page(request: Request, actor: Actor = Depends(require(*USERS)),
                       session: Session = Depends(db_session)):
    return list_page(request, session, actor, ADJUDICATIONS, codes())


def _adj_step(request: Request, session: Session, actor: Actor, adj_id: int, form_name: str, posted: dict, call):
    return ADJUDICATION_PAGE.submit(request, session, actor, adj_id, call, form=form_name, posted=posted)


@router.post("/adjudications/{adj_id:int}/file")
def file_case(request: Request, adj_id: int, form: FormData = Depends(posted_form),
              actor: Actor = Depends(require(*OFFICIALS)), session: Session = Depends(db_session)):
    adj = adjudication.ADJUDICATIONS.visible(session, actor, adj_id)
    posted = texts(form, ("panel", "presiding", "reason"))
    members = [m.strip() for m in posted["panel"].replace("、", "\n").replace(",", "\n").splitlines() if m.strip()]
    return _adj_step(request, session, actor, adj_id, "file", posted, lambda: adjudication.file_case(
        session, actor, adj, members, posted["presiding"], posted["reason"]))


@router.post("/adjudications/{adj_id:int}/serve")
def serve(request: Request, adj_id: int, form: FormData = Depends(posted_form),
          actor: Actor = Depends(require(*OFFICIALS)), session: Session = Depends(db_session)):
    adj = adjudication.ADJUDICATIONS.visible(session, actor, adj_id)
    posted = texts(form, ("served_on", "received_on"))
    return _adj_step(request, session, actor, adj_id, "serve", posted, lambda: adjudication.record_service(
        session, actor, adj, posted["served_on"], posted["received_on"]))


@router.post("/adjudications/{adj_id:int}/evidence")
def evidence(request: Request, adj_id: int, form: FormData = Depends(posted_form),
             actor: Actor = Depends(require(*OFFICIALS)), session: Session = Depends(db_session)):
    adj = adjudication.ADJUDICATIONS.visible(session, actor, adj_id)
    posted = texts(form, ("kind", "by", "note"))
    return _adj_step(request, session, actor, adj_id, "evidence", posted, lambda: adjudication.add_evidence(
        session, actor, adj, posted["kind"], posted["by"], posted["note"]))


@router.post("/adjudications/{adj_id:int}/hearing")
def hearing(request: Request, adj_id: int, form: FormData = Depends(posted_form),
            actor: Actor = Depends(require(*OFFICIALS)), session: Session = Depends(db_session)):
    adj = adjudication.ADJUDICATIONS.visible(session, actor, adj_id)
    posted = texts(form, ("held_on", "place", "record"))
    return _adj_step(request, session, actor, adj_id, "hearing", posted, lambda: adjudication.record_hearing(
        session, actor, adj, posted["held_on"], posted["place"], posted["record"]))


@router.post("/adjudications/{adj_id:int}/recuse")
def recuse(request: Request, adj_id: int, form: FormData = Depends(posted_form),
           actor: Actor = Depends(require(*OFFICIALS)), session: Session = Depends(db_session)):
    adj = adjudication.ADJUDICATIONS.visible(session, actor, adj_id)
    posted = texts(form, ("member", "replacement", "asked_by", "reason"))
    return _adj_step(request, session, actor, adj_id, "recuse", posted, lambda: adjudication.recuse(
        session, actor, adj, posted["member"], posted["replacement"], posted["asked_by"], posted["reason"]))


@router.post("/adjudications/{adj_id:int}/decide")
def decide(request: Request, adj_id: int, form: FormData = Depends(posted_form),
           actor: Actor = Depends(require(*OFFICIALS)), session: Session = Depends(db_session)):
    adj = adjudication.ADJUDICATIONS.visible(session, actor, adj_id)
    posted = texts(form, ("outcome", "decision_text", "amount", "wilful"))
    acts = [str(a) for a in form.getlist("acts")]
    return _adj_step(request, session, actor, adj_id, "decide", posted | {"acts": acts}, lambda: adjudication.decide(
        session, actor, adj, posted["outcome"], acts, posted["decision_text"], wilful=posted["wilful"] == "1",
        amount=posted["amount"]))


@router.post("/adjudications/{adj_id:int}/receipt")
def receipt(request: Request, adj_id: int, form: FormData = Depends(posted_form),
            actor: Actor = Depends(require(*OFFICIALS)), session: Session = Depends(db_session)):
    adj = adjudication.ADJUDICATIONS.visible(session, actor, adj_id)
    posted = texts(form, ("received_on",))
    return _adj_step(request, session, actor, adj_id, "receipt", posted, lambda: adjudication.record_receipt(
        session, actor, adj, posted["received_on"]))


@router.post("/adjudications/{adj_id:int}/correct")
def correct(request: Request, adj_id: int, form: FormData = Depends(posted_form),
            actor: Actor = Depends(require(*REQUESTERS)), session: Session = Depends(db_session)):
    adj = adjudication.ADJUDICATIONS.visible(session, actor, adj_id)
    posted = texts(form, ("reason",))
    return _adj_step(request, session, actor, adj_id, "correct", posted, lambda: adjudication.correct(
        session, actor, adj, posted["reason"], uploads(form, "evidence")))


mount_record(router, REQUEST_PAGE, "/requests")             # the request page and its step forms
mount_record(router, ADJUDICATION_PAGE, "/adjudications")   # the adjudication page and its step forms
