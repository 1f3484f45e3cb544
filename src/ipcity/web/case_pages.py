"""Generic pages of a case service: lists with filters, paging and CSV/Excel; a record's page with its history,
documents and step forms; posting a step or a service's own form.

A service declares what differs (`ListPage`, `RecordPage`: templates, the read model's query and context, the
export's columns) and mounts the record routes with `mount_record`; its views.py keeps only its special pages (a
filing form, a public registry, a verification page). Every step still goes through the engine: the step form
posts the transition's declared fields to `RecordKind.act`, which refuses whatever the case type forbids.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from ipcity.core import documents
from ipcity.core.errors import DomainError, NotFound
from ipcity.core.files import FileStore, Upload
from ipcity.core.i18n import Msg
from ipcity.core.roles import Actor
from ipcity.web import flash
from ipcity.web.deps import db_session, require
from ipcity.web.export import csv_response, xlsx_response
from ipcity.web.paging import PAGE_SIZE, Page, paged, to_int, transition_values
from ipcity.web.templating import render
from ipcity.workflow import engine
from ipcity.workflow.records import RecordKind
from ipcity.workflow.tables import Case

EXPORTS = ("csv", "xlsx")


async def posted_form(request: Request) -> FormData:
    """The posted form, read once on the event loop (Starlette caches it; the CSRF check read it already)."""
    return await request.form()


def uploads(form: FormData, name: str) -> list[Upload]:
    """The files posted under `name` (empty file inputs left out)."""
    return [Upload(f.filename, f.file) for f in form.getlist(name) if isinstance(f, UploadFile) and f.filename]


def texts(form: FormData, names: Sequence[str]) -> dict[str, str]:
    return {name: str(form.get(name) or "") for name in names}


# --- lists ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ListPage:
    """One list: its filters (a dataclass of `ListFilters`), the read model's query, the export's columns."""

    template: str
    filters: type
    query: Callable[[Actor | None, object], Select]
    export: str                                     # the export's file name, without its extension
    header: Sequence[str]
    rows: Callable[[Session, list], list[list]]     # the export's rows of the records found
    page_size: int = PAGE_SIZE
    context: Callable[[Session, Actor | None, Page], dict] | None = None   # what else the page shows


def list_page(request: Request, session: Session, actor: Actor | None, spec: ListPage, codes: dict | None = None,
              **extra) -> Response:
    """The list as a page, or as CSV or Excel (`format=csv|xlsx`) with the same filters. A filter the query
    refuses (a malformed date) is shown on the page with the form kept, not answered as an error page."""
    filters = spec.filters.from_query(request.query_params)
    error, result = None, Page([], 0, 1, 1)
    try:
        stmt = spec.query(actor, filters)
        export = request.query_params.get("format", "")
        if export in EXPORTS:
            rows = spec.rows(session, list(session.scalars(stmt)))
            if export == "csv":
                return csv_response(f"{spec.export}.csv", spec.header, rows)
            return xlsx_response(f"{spec.export}.xlsx", {spec.export[:31]: (spec.header, rows)})
        result = paged(session, stmt, to_int(request.query_params.get("page", "1")), spec.page_size)
    except DomainError as exc:
        error = exc
    more = spec.context(session, actor, result) if spec.context is not None else {}
    return render(request, spec.template, (codes or {}) | {"result": result, "filters": filters, "error": error}
                  | more | extra)


# --- one record -------------------------------------------------------------------------------------------

def _no_forms(ctx: dict) -> set[str]:
    return set()


@dataclass(frozen=True)
class RecordPage:
    """A record's page: who may see it and how it is loaded (the kind), what it shows (the read model's
    context), the forms it has besides the step forms (so that an error is shown in the form it came from)."""

    kind: RecordKind
    template: str
    path: str                                         # the page's address, with `{id}`
    context: Callable[[Session, Actor, object], dict]
    codes: Callable[[], dict] = dict
    forms: Callable[[dict], set[str]] = _no_forms
    amendment: RecordKind | None = None               # requests on the record (change, renewal, cancellation)
    parent: str = ""                                  # the request row's attribute holding the record
    check_user: Callable[[Actor], None] | None = None  # who may use the service at all
    roles: tuple[str, ...] = ()                       # the roles the pages admit (empty: every signed-in role)
    step_values: Callable[[object, FormData], dict] = transition_values
    # Other services' panels on this page (plugins contribute them for this subject type, e.g. a valuation
    # summary on a pledge): {name: what the contributor returns}, None where it shows nothing to this person.
    panels: str = ""

    def show(self, request: Request, session: Session, actor: Actor, record_id: int, status: int = 200,
             **extra) -> Response:
        record = self.kind.visible(session, actor, record_id)
        ctx = self.context(session, actor, record)
        if self.panels:
            contributions = request.app.state.services.registry.panels_for(self.panels)
            ctx["panels"] = {name: panel(session, actor, record) for name, panel in contributions.items()}
        forms = {t.key for t in ctx.get("actions", ())} | self.forms(ctx)
        forms |= {f"amendment-{a['case'].id}-{t.key}" for a in ctx.get("amendments", ()) for t in a["actions"]}
        # A step refused a moment ago and redirected here (Post/Redirect/Get): its error, shown once.
        carried = flash.read(request) if "error" not in extra else None
        if carried is not None:
            extra = extra | {"error": carried.error, "error_for": carried.form, "posted": carried.posted}
        error = extra.get("error")
        response = render(request, self.template, self.codes() | ctx | {
            "type": self.kind.case_type, "amendment_type": self.amendment.case_type if self.amendment else None,
            # a party who is neither the applicant nor the office (the pledgee bank) sees the record, not the case
            "case_page_open": "case" in ctx and engine.may_view(ctx["case"], actor),
            "top_error": error if error is not None and extra.get("error_for") not in forms else None,
            "error": None, "error_for": "", "posted": {}} | extra, status_code=status)
        return flash.clear(response) if carried is not None else response

    def reissue(self, request: Request, session: Session, actor: Actor, record_id: int, kind: documents.DocumentKind,
                files: FileStore, form: FormData, *, form_name: str) -> Response:
        """Issue the record's stored documents again (core/documents.py): new editions, the old kept, audited."""
        self.kind.visible(session, actor, record_id)
        reason = str(form.get("reason") or "")
        return self.submit(request, session, actor, record_id,
                           lambda: documents.reissue(session, files, kind, actor, record_id, reason),
                           form=form_name, posted={"reason": reason})

    def submit(self, request: Request, session: Session, actor: Actor, record_id: int, call: Callable[[], object],
               *, form: str, posted: dict | None = None, **shown) -> Response:
        """Run a use case on the record: commit and go back to its page (303). A refusal writes nothing (rolled
        back); a browser is sent back to the page too, with the error in the form `form` and what was posted kept
        (web/flash.py: reloading the page then posts nothing again). The page is shown again under the POST
        instead where the form shows more than the flash carries (`shown`, e.g. a whole filing form's values),
        where what was typed does not fit in it, and for a client that did not ask for HTML (it reads the
        refusal's status)."""
        try:
            call()
            session.commit()
        except DomainError as exc:
            session.rollback()
            return self.refused(request, session, actor, record_id, exc, form=form, posted=posted, **shown)
        return RedirectResponse(self.path.format(id=record_id), status_code=303)

    def refused(self, request: Request, session: Session, actor: Actor, record_id: int, error: DomainError, *,
                form: str, posted: dict | None = None, **shown) -> Response:
        if error.status == 403:  # refused to the person, whose page has no such form: shown above the forms
            form = ""
        if not shown and flash.wants_html(request):
            back = flash.redirect_with_error(request, self.path.format(id=record_id), error, form=form,
                                             posted=posted)
            if back is not None:
                return back
        return self.show(request, session, actor, record_id, error.status, error=error, error_for=form,
                         posted=posted or {}, **shown)

    def step(self, request: Request, session: Session, actor: Actor, record_id: int, form: FormData) -> Response:
        """A step form: the transition's declared fields and the reason, to the engine through the kind."""
        record = self.kind.visible(session, actor, record_id)
        key, reason = str(form.get("transition") or ""), str(form.get("reason") or "")
        try:
            t = self.kind.case_type.transition(key)
        except KeyError:
            error = DomainError(Msg("Unknown action {action}", action=key[:40]), field="transition")
            return self.refused(request, session, actor, record_id, error, form=key[:40])
        values = self.step_values(t, form)
        return self.submit(request, session, actor, record_id,
                           lambda: self.kind.act(session, actor, record, key, values, reason),
                           form=key, posted=values | {"reason": reason})

    def amendment_step(self, request: Request, session: Session, actor: Actor, case_id: int,
                       form: FormData) -> Response:
        """A step of a request on the record (approve, refuse, withdraw a change), shown on the record's page."""
        case = session.get(Case, case_id)
        if case is None or self.amendment is None or case.type_key != self.amendment.case_type.key:
            raise NotFound(Msg("No request number {id}", id=case_id))
        record = self.kind.visible(session, actor, getattr(self.amendment.of_case(session, case), self.parent).id)
        key, reason = str(form.get("transition") or ""), str(form.get("reason") or "")
        return self.submit(request, session, actor, record.id,
                           lambda: engine.fire(session, self.amendment.case_type, case, key, actor, reason=reason),
                           form=f"amendment-{case_id}-{key}", posted={"reason": reason})

    def ensure(self, actor: Actor) -> Actor:
        if self.check_user is not None:
            self.check_user(actor)
        return actor


def mount_record(router: APIRouter, page: RecordPage, base: str = "") -> None:
    """The record's routes: its page, its step form and (with an amendment type) the steps of its requests.
    Mounted after the service's fixed paths, so that `/registry` is not taken for a record id."""

    def show(request: Request, record_id: int, actor: Actor = Depends(require(*page.roles)),
             session: Session = Depends(db_session)):
        return page.show(request, session, page.ensure(actor), record_id)

    def step(request: Request, record_id: int, form: FormData = Depends(posted_form),
             actor: Actor = Depends(require(*page.roles)), session: Session = Depends(db_session)):
        return page.step(request, session, page.ensure(actor), record_id, form)

    router.add_api_route(f"{base}/{{record_id:int}}", show, methods=["GET"], name=f"{page.template}:show")
    router.add_api_route(f"{base}/{{record_id:int}}/act", step, methods=["POST"], name=f"{page.template}:act")
    if page.amendment is not None:
        def amendment_step(request: Request, case_id: int, form: FormData = Depends(posted_form),
                           actor: Actor = Depends(require(*page.roles)), session: Session = Depends(db_session)):
            return page.amendment_step(request, session, page.ensure(actor), case_id, form)

        router.add_api_route(f"{base}/amendments/{{case_id:int}}/act", amendment_step, methods=["POST"],
                             name=f"{page.template}:amendment")

