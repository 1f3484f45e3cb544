"""HTML pages of the portal."""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from ipcity.core import calendar as cal
from ipcity.core import inbox
from ipcity.core.errors import DomainError, NotFound
from ipcity.core.files import Upload
from ipcity.core.i18n import Msg
from ipcity.core.roles import ALL_ROLES, OFFICIAL_ROLES, Actor
from ipcity.core.tables import Unit
from ipcity.portal import cases as case_views
from ipcity.portal import services
from ipcity.portal.guides import headline_limits
from ipcity.web import flash
from ipcity.web.deps import SESSION_COOKIE, db_session, public, require, writes
from ipcity.web.export import csv_response
from ipcity.web.templating import render
from ipcity.workflow import engine

router = APIRouter()


@router.get("/")
@public
def home(request: Request, session: Session = Depends(db_session)):
    from ipcity.core import accounts

    found = accounts.resolve_session(session, request.cookies.get(SESSION_COOKIE))
    if found is None:
        # The public home: every page a visitor may open, by the service that offers it, each with a line
        # saying what it is (the plugins' public menu entries), then the services one applies for online.
        registry = request.app.state.services.registry
        request.state.page_context = {"menu": registry.menu_for(None)}
        return render(request, "portal/home.html",
                      {"public_pages": registry.public_pages(), "services": registry.services(),
                       "limits": headline_limits(registry, request.app.state.services.settings)})
    return RedirectResponse("/services", status_code=303)


@router.get("/services")
def catalogue(request: Request, q: str = "", actor: Actor = Depends(require())):
    items = request.app.state.services.registry.services()
    if q:
        items = [s for s in items if q.lower() in (str(s.name) + str(s.description)).lower()]
    services = request.app.state.services
    return render(request, "portal/catalogue.html", {
        "services": items, "q": q, "limits": headline_limits(services.registry, services.settings)})


def _case_rows(request: Request, session: Session, cases, q: str, state: str):
    registry = request.app.state.services.registry
    units = {u.id: u.name_zh for u in session.query(Unit).all()}
    calendar = cal.load(session)  # once for the list, not once per case
    rows = []
    for c in cases:
        ct = registry.case_type(c.type_key)
        if q and q.lower() not in (c.number + c.title).lower():
            continue
        if state and c.state != state:
            continue
        dls = engine.deadlines(session, ct, c, calendar=calendar)
        running = [d for d in dls if d.stopped_on is None]
        rows.append({"case": c, "type": ct, "state": ct.state(c.state), "deadline": running[0] if running else None,
                     "applicant_unit": units.get(c.applicant_unit_id, ""),
                     "assigned_unit": units.get(c.assigned_unit_id, "")})
    return rows


def _case_list(request: Request, session: Session, cases, title: Msg, q: str, state: str, fmt: str, name: str):
    rows = _case_rows(request, session, cases, q, state)
    if fmt == "csv":
        return csv_response(f"{name}.csv", ["number", "title", "type", "state", "applicant_unit", "assigned_unit",
                                            "deadline", "working_days_left", "overdue", "updated"],
                            [[r["case"].number, r["case"].title, str(r["type"].label), str(r["state"].label),
                              r["applicant_unit"], r["assigned_unit"],
                              r["deadline"].due_on.isoformat() if r["deadline"] else "",
                              r["deadline"].working_days_left if r["deadline"] else "",
                              r["deadline"].overdue if r["deadline"] else "",
                              r["case"].updated_at.isoformat()] for r in rows])
    return render(request, "portal/case_list.html", {"rows": rows, "title": title, "q": q, "state": state})


@router.get("/my/applications")
def my_applications(request: Request, q: str = "", state: str = "", format: str = "",
                    actor: Actor = Depends(require()), session: Session = Depends(db_session)):
    return _case_list(request, session, engine.my_cases(session, actor), Msg("My applications"), q, state, format,
                      "my-applications")


@router.get("/queue")
def work_queue(request: Request, q: str = "", state: str = "", format: str = "",
               actor: Actor = Depends(require(*OFFICIAL_ROLES)), session: Session = Depends(db_session)):
    cases = engine.work_queue(session, request.app.state.services.registry, actor)
    return _case_list(request, session, cases, Msg("Work queue of my unit"), q, state, format, "work-queue")


@router.get("/inbox")
def inbox_page(request: Request, kind: str = "", open: str = "", actor: Actor = Depends(require()),
               session: Session = Depends(db_session)):
    kind = kind if kind in ("task", "notice") else ""
    items = inbox.items_for(session, actor, kind=kind or None, open_only=bool(open))
    return render(request, "portal/inbox.html", {"items": items, "kind": kind, "open": open})  # `unread`: render


@router.post("/inbox/read-all")
def inbox_read_all(actor: Actor = Depends(require()), session: Session = Depends(db_session)):
    """Mark everything in the person's inbox read (their own items and their unit's)."""
    inbox.mark_all_read(session, actor)
    session.commit()
    return RedirectResponse("/inbox", status_code=303)


@router.get("/inbox/{item_id}/open")
@writes()  # following an item's link marks it read
def inbox_open(item_id: int, actor: Actor = Depends(require()), session: Session = Depends(db_session)):
    """Follow an item's link: reading it marks it read (only a path on this site is followed)."""
    item = inbox.item_of(session, actor, item_id)
    if item is None:
        raise NotFound(Msg("No item {id} in your inbox", id=item_id))
    inbox.mark_read(session, actor, item_id)
    session.commit()
    return RedirectResponse(inbox.local_link(item.link) or "/inbox", status_code=303)


@router.post("/inbox/{item_id}/read")
def inbox_read(item_id: int, actor: Actor = Depends(require()), session: Session = Depends(db_session)):
    inbox.mark_read(session, actor, item_id)
    session.commit()
    return RedirectResponse("/inbox", status_code=303)


@router.get("/cases/{case_id}")
def case_page(request: Request, case_id: int, actor: Actor = Depends(require(*ALL_ROLES)),
              session: Session = Depends(db_session)):
    carried = flash.read(request)  # a step refused a moment ago (case_act): shown once, in its form
    shown = {"error": carried.error, "error_for": carried.form, "posted": carried.posted} if carried else {}
    response = render(request, "portal/case.html", case_views.case_context(request, session, actor, case_id) | shown)
    return flash.clear(response) if carried else response


@router.post("/cases/{case_id}/act/{transition}")
async def case_act(request: Request, case_id: int, transition: str, actor: Actor = Depends(require()),
                   session: Session = Depends(db_session)):
    """A step from the generic case page. A refused step sends a browser back to the case page with the error
    (Post/Redirect/Get, web/flash.py: a reload posts nothing again); other clients get the refusal's status."""
    form = await request.form()
    reason = str(form.get("reason") or "")
    values = {k: v for k, v in form.items() if k not in ("csrf_token", "reason") and isinstance(v, str)}
    services.visible_case(session, actor, case_id)  # a case they may not see is an error page, not a flash
    try:
        case_views.act(request, session, actor, case_id, transition, values, reason)
        session.commit()
    except DomainError as exc:
        session.rollback()
        back = flash.redirect_with_error(request, f"/cases/{case_id}", exc, form=transition[:64],
                                         posted={"reason": reason}) if flash.wants_html(request) else None
        if back is None:
            raise
        return back
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.post("/cases/{case_id}/documents")
def case_documents(request: Request, case_id: int, files: list[UploadFile] = File(default=[]),
                   csrf_token: str = Form(""), actor: Actor = Depends(require()),
                   session: Session = Depends(db_session)):
    case = services.visible_case(session, actor, case_id)
    services.add_documents(session, request.app.state.services.files, actor, case,
                           [Upload(f.filename or "", f.file) for f in files])
    session.commit()
    return RedirectResponse(f"/cases/{case_id}", status_code=303)

