"""Identity verification with materials (core/identity.py): the applicant's upload from their account page,
and the officials' queue of requests, each request's page with its materials, and the decision."""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from ipcity.core import audit, identity
from ipcity.core.errors import DomainError, NotFound
from ipcity.core.files import Upload
from ipcity.core.i18n import Msg
from ipcity.core.roles import PUBLIC_ROLES, ROLES, Actor
from ipcity.core.tables import Attachment, IdentityRequest
from ipcity.web.deps import db_session, require, writes
from ipcity.web.templating import render

router = APIRouter()
STATUSES = (identity.PENDING, identity.DONE, identity.NOT_DONE)


def _material(session: Session, request: IdentityRequest, attachment_id: int) -> Attachment:
    att = session.get(Attachment, attachment_id)
    if att is None or att.owner_type != identity.OWNER or att.owner_id != str(request.id):
        raise NotFound(Msg("No such file"))
    return att


def _download(request: Request, att: Attachment) -> Response:
    response = request.app.state.services.files.response(att)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@router.post("/account/identity")
def submit(request: Request, materials: list[UploadFile] = File(default=[]), note: str = Form(""),
           actor: Actor = Depends(require(*PUBLIC_ROLES)), session: Session = Depends(db_session)):
    """The applicant sends the materials for verification."""
    from ipcity.web.core_routes import render_account

    uploads = [Upload(m.filename or "", m.file) for m in materials]
    try:
        identity.submit(session, actor, request.app.state.services.files, uploads, note)
    except DomainError as exc:
        session.rollback()
        return render_account(request, session, actor, exc.status, identity_error=exc, note=note[:1000])
    session.commit()
    return RedirectResponse("/account#identity", status_code=303)


@router.get("/account/identity/{request_id}/files/{attachment_id}")
def own_material(request: Request, request_id: int, attachment_id: int,
                 actor: Actor = Depends(require(*PUBLIC_ROLES)), session: Session = Depends(db_session)):
    found = session.get(IdentityRequest, request_id)
    if found is None or found.user_id != actor.user_id:
        raise NotFound(Msg("No such file"))
    return _download(request, _material(session, found, attachment_id))


@router.get("/identity/requests")
def queue_page(request: Request, status: str = identity.PENDING,
               actor: Actor = Depends(require(*identity.REVIEWERS)), session: Session = Depends(db_session)):
    identity.check_may_decide(session, actor)
    status = status if status in STATUSES else identity.PENDING
    return render(request, "identity_queue.html", {"requests": identity.queue(session, status), "status": status,
                                                   "roles": ROLES})


def _request_page(request: Request, session: Session, found: IdentityRequest, status_code: int = 200, **extra):
    return render(request, "identity_request.html", {
        "req": found, "person": found.user, "roles": ROLES, "materials": identity.materials(session, found),
        "history": identity.history(session, found.user), **extra}, status_code=status_code)


@router.get("/identity/requests/{request_id}")
def request_page(request: Request, request_id: int, actor: Actor = Depends(require(*identity.REVIEWERS)),
                 session: Session = Depends(db_session)):
    identity.check_may_decide(session, actor)
    return _request_page(request, session, identity.get_request(session, request_id))


@router.post("/identity/requests/{request_id}")
def decide(request: Request, request_id: int, decision: str = Form(""), text: str = Form(""),
           actor: Actor = Depends(require(*identity.REVIEWERS)), session: Session = Depends(db_session)):
    """Verify (with the evidence examined) or refuse (with the reason); audited, the applicant told by e-mail."""
    identity.check_may_decide(session, actor)
    found = identity.get_request(session, request_id)
    try:
        identity.decide(session, actor, found, decision, text)
    except DomainError as exc:
        session.rollback()
        found = identity.get_request(session, request_id)
        return _request_page(request, session, found, exc.status, error=exc, text=text[:1000], decision=decision)
    session.commit()
    return RedirectResponse(f"/identity/requests/{request_id}", status_code=303)


@router.get("/identity/requests/{request_id}/files/{attachment_id}")
@writes()  # an official opening a person's identity documents is audited
def material(request: Request, request_id: int, attachment_id: int,
             actor: Actor = Depends(require(*identity.REVIEWERS)), session: Session = Depends(db_session)):
    identity.check_may_decide(session, actor)
    found = identity.get_request(session, request_id)
    att = _material(session, found, attachment_id)
    audit.record(session, actor, identity.MATERIAL_OPENED, "user", found.user_id,
                 summary=f"request {found.id}, {att.filename}"[:200])
    session.commit()
    return _download(request, att)
