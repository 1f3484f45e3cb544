"""JSON API of data-IP registration: applications (same access as the pages), the public registry, and the
transparency log in the manner of RFC 6962 §4 (signed tree head, entries, inclusion and consistency proofs,
hashes in hex rather than base64), so that anyone can audit the registry without the web pages. An entry not yet
under a signed head has its signed inclusion promise instead of a proof (`/log/promise`; `/log/proof/inclusion`
answers 202 with it), which says by when the proof will be served.

It reads the service's read model (queries.py), as the pages do, and never the HTML views.

Numeric parameters are read as text and checked here, so that a wrong one gets a 400 naming the parameter in
the request's language (DomainError), not the framework's generic 422.
"""

from __future__ import annotations

from fastapi import APIRouter, Body, Depends
from fastapi.responses import JSONResponse, PlainTextResponse
from sqlalchemy.orm import Session

from ipcity.core.errors import DomainError, NotFound
from ipcity.core.files import attachments_of
from ipcity.core.i18n import Msg
from ipcity.core.roles import Actor
from ipcity.services.dataip import domain, queries, sequencer, service, tlog
from ipcity.services.dataip.tables import DataProduct, LogLeaf, TreeHead
from ipcity.web.deps import db_session, public, require
from ipcity.web.paging import paged
from ipcity.workflow.tables import Case

router = APIRouter(prefix="/api/dataip")
MAX_ENTRIES = 1000  # RFC 6962 §4.6: a log may return fewer entries than asked for


# --- parameters -------------------------------------------------------------------------------------------

def int_param(value: str | None, name: str, *, default: int | None = None, minimum: int = 0) -> int:
    text = (value or "").strip()
    if not text:
        if default is None:
            raise DomainError(Msg("The parameter {name} is required", name=name), field=name)
        return default
    try:
        number = int(text)
    except ValueError:
        raise DomainError(Msg("The parameter {name} must be a whole number, not '{value}'", name=name,
                              value=text[:40]), field=name) from None
    if number < minimum:
        raise DomainError(Msg("The parameter {name} must be at least {minimum}", name=name, minimum=minimum),
                          field=name)
    return number


def _signed_size(session: Session) -> TreeHead:
    sequencer.ensure(session, service.signer_of(session))  # deferred mode: this process signs what is pending
    head = tlog.latest_head(session)
    if head is None:
        raise NotFound(Msg("The log has no signed tree head yet"))
    return head


def _root_of(session: Session, size: int) -> str | None:
    head = session.get(TreeHead, size)
    return head.root_hash if head else None


# --- what a product looks like --------------------------------------------------------------------------

def _date(value) -> str | None:
    return value.isoformat() if value else None


def _data(product: DataProduct) -> list[dict]:
    return [{"filename": e.filename, "sha256": e.sha256, "size": e.size, "mode": e.mode} for e in product.data_files]


def _entry(leaf: LogLeaf) -> dict:
    return {"index": leaf.idx, "kind": leaf.kind, "subject": leaf.subject, "leaf_input": leaf.entry,
            "leaf_hash": leaf.leaf_hash, "appended_at": leaf.appended_at.isoformat()}


def public_json(session: Session, product: DataProduct) -> dict:
    """The public record: never the source description, lawful statement, rules, structure, sample or objectors."""
    case = session.get(Case, product.case_id)
    ends = service.publicity_ends(session, case)
    until = queries.objection_open(session, product)
    return {"application_number": product.application_number, "name": product.name,
            "category": product.category, "category_label": domain_label(product.category),
            "industry_code": product.industry_code, "industry_name": queries.industry_name(product.industry_code),
            "holder_name": product.holder_name, "holder_type": product.holder_type, "scenario": product.scenario,
            "summary": product.summary, "data_format": product.data_format, "scale": product.scale,
            "update_frequency": product.update_frequency, "state": product.state,
            "state_label": queries.state_label(product.state).render(),
            "registration_number": product.registration_number, "certificate_number": product.certificate_number,
            "registered_on": _date(product.registered_on), "valid_until": _date(product.valid_until),
            "revision": product.revision, "publicity_ends": _date(ends), "objections_until": _date(until),
            "data": _data(product), "log": [{"index": leaf.idx, "kind": leaf.kind}
                                            for leaf in queries.log_entries_of(session, product)],
            "url": f"/dataip/registry/{product.application_number}",
            "verify_url": f"/dataip/verify/{product.certificate_number}" if product.certificate_number else None}


def domain_label(category: str) -> str:
    return domain.CATEGORIES[category].render() if category in domain.CATEGORIES else category


def brief_json(product: DataProduct) -> dict:
    return {"id": product.id, "application_number": product.application_number, "name": product.name,
            "category": product.category, "industry_code": product.industry_code,
            "holder_name": product.holder_name, "state": product.state,
            "state_label": queries.state_label(product.state).render(), "filed_at": product.filed_at.isoformat(),
            "registration_number": product.registration_number, "certificate_number": product.certificate_number,
            "registered_on": _date(product.registered_on), "valid_until": _date(product.valid_until),
            "url": f"/dataip/{product.id}"}


def full_json(session: Session, actor: Actor, product: DataProduct) -> dict:
    ctx = queries.product_context(session, actor, product)
    case: Case = ctx["case"]
    objections = []
    for o in ctx["objections"]:
        item = {"id": o.id, "grounds": o.grounds, "statement": o.statement, "filed_at": o.filed_at.isoformat(),
                "decision": o.decision, "decision_reason": o.decision_reason, "log_index": o.log_index}
        if ctx["officials"]:
            item |= {"objector_name": o.objector_name, "objector_contact": o.objector_contact,
                     "evidence": [{"id": a.id, "filename": a.filename, "sha256": a.sha256, "url": f"/files/{a.id}"}
                                  for a in attachments_of(session, service.OBJECTION_OWNER, o.id)]}
        objections.append(item)
    return brief_json(product) | {
        "facts": {k: getattr(product, k) for k in queries.FORM_FIELDS if k != "accept_undertaking"},
        "holder_type": product.holder_type, "revision": product.revision, "data": _data(product),
        "case": {"id": case.id, "number": case.number, "state": case.state},
        "publicity_ends": _date(ctx["publicity_ends"]), "duplicates": ctx["duplicates"], "expert": ctx["expert"],
        "sample": [{"id": a.id, "filename": a.filename, "sha256": a.sha256, "url": f"/files/{a.id}"}
                   for a in ctx["samples"]],
        "deadlines": [{"label": d.label.render(), "basis": d.basis, "started_on": d.started_on.isoformat(),
                       "due_on": d.due_on.isoformat(), "stopped_on": _date(d.stopped_on),
                       "working_days_left": d.working_days_left, "overdue": d.overdue} for d in ctx["deadlines"]],
        "history": [{"seq": e.seq, "transition": e.transition, "from": e.from_state, "to": e.to_state,
                     "actor": e.actor_name if e.transition != "object" or ctx["officials"] else None,
                     "unit": e.unit_name, "at": e.at.isoformat(), "reason": e.reason,
                     "values": e.values} for e in case.events],
        "actions": [{"transition": t.key, "label": t.label.render(), "fields": [f.name for f in t.fields],
                     "reason_required": t.reason_required} for t in ctx["actions"]],
        "objections": objections,
        "amendments": [{"case_id": a["case"].id, "number": a["case"].number, "kind": a["kind"],
                        "changes": a["changes"], "reason": a["reason"], "state": a["case"].state,
                        "actions": [t.key for t in a["actions"]]} for a in ctx["amendments"]],
        "log": [{"index": leaf.idx, "kind": leaf.kind, "appended_at": leaf.appended_at.isoformat()}
                for leaf in ctx["entries"]],
        "certificate_url": f"/dataip/{product.id}/certificate.pdf" if product.state == "registered" else None}


# --- applications (signed in) ----------------------------------------------------------------------------

@router.get("/applications")
def applications(q: str = "", state: str = "", category: str = "", industry: str = "", filed_from: str = "",
                 filed_to: str = "", page: str = "1", actor: Actor = Depends(require()),
                 session: Session = Depends(db_session)):
    queries.ensure_user(actor)
    filters = queries.Filters(q=q, state=state, category=category, industry=industry, filed_from=filed_from,
                            filed_to=filed_to)
    result = paged(session, queries.applications_query(actor, filters), int_param(page, "page", minimum=1),
                   queries.PAGE_SIZE)
    return {"total": result.total, "page": result.page, "pages": result.pages, "per_page": queries.PAGE_SIZE,
            "items": [brief_json(p) for p in result.rows]}


@router.get("/applications/{product_id}")
def application(product_id: int, actor: Actor = Depends(require()), session: Session = Depends(db_session)):
    queries.ensure_user(actor)
    return full_json(session, actor, service.PRODUCTS.visible(session, actor, product_id))


@router.post("/applications/{product_id}/act")
def act(product_id: int, payload: dict = Body(default_factory=dict), actor: Actor = Depends(require()),
        session: Session = Depends(db_session)):
    """`{"transition": "pass_formal", "values": {...}, "reason": "..."}`; objections go through the public form."""
    queries.ensure_user(actor)
    product = service.PRODUCTS.visible(session, actor, product_id)
    transition = str(payload.get("transition") or "")
    values = payload.get("values") or {}
    if not isinstance(values, dict):
        raise DomainError(Msg("values must be an object of field names and values"), field="values")
    service.PRODUCTS.act(session, actor, product, transition, values, str(payload.get("reason") or ""))
    session.commit()
    return full_json(session, actor, product)


# --- the public registry ------------------------------------------------------------------------------------

@router.get("/registry")
@public
def registry(q: str = "", state: str = "", category: str = "", industry: str = "", holder: str = "",
             page: str = "1", session: Session = Depends(db_session)):
    filters = queries.Filters(q=q, state=state, category=category, industry=industry, holder=holder)
    result = paged(session, queries.registry_query(filters), int_param(page, "page", minimum=1), queries.PAGE_SIZE)
    return {"total": result.total, "page": result.page, "pages": result.pages, "per_page": queries.PAGE_SIZE,
            "items": [public_json(session, p) for p in result.rows]}


@router.get("/registry/{application_number}")
@public
def registry_record(application_number: str, session: Session = Depends(db_session)):
    return public_json(session, queries.public_product(session, application_number))


# --- the transparency log (RFC 6962 §4, hex) -----------------------------------------------------------------

@router.get("/log/sth")
@public
def signed_tree_head(session: Session = Depends(db_session)):
    """RFC 6962 §4.3 get-sth: the latest signed tree head, with the public key that signs it."""
    signer = service.signer_of(session)
    return tlog.head_json(_signed_size(session), signer.public_raw) | {"public_key_pem": signer.public_pem().decode()}


@router.get("/log/entries")
@public
def entries(start: str | None = None, end: str | None = None, session: Session = Depends(db_session)):
    """RFC 6962 §4.6 get-entries: leaves `start` to `end` inclusive, at most 1000 per call."""
    size = _signed_size(session).size
    first = int_param(start, "start")
    if first >= size:
        raise DomainError(Msg("The parameter start must be below the tree size {size}", size=size), field="start")
    last = int_param(end, "end", default=min(size - 1, first + MAX_ENTRIES - 1))
    if last < first:
        raise DomainError(Msg("The parameter end must not be below start"), field="end")
    last = min(last, size - 1, first + MAX_ENTRIES - 1)
    return {"tree_size": size, "start": first, "end": last,
            "entries": [_entry(leaf) for leaf in tlog.entries(session, first, last + 1)]}


def promise_json(session: Session, index: int) -> dict:
    """The signed inclusion promise of entry `index` and where it stands: "included" (under the newest signed
    head: its proof is served) or "promised" (a head will include it by `included_by`)."""
    promise = service.promise_of(session, index)
    if promise is None:
        raise DomainError(Msg("The parameter index must be below the log size {size}", size=tlog.size(session)),
                          field="index")
    signed = tlog.signed_size(session)
    return {"status": "included" if index < signed else "promised", "signed_tree_size": signed,
            "promise": promise.json(service.merge_delay(session))}


@router.get("/log/promise")
@public
def inclusion_promise(index: str | None = None, session: Session = Depends(db_session)):
    """The registry's signed inclusion promise of an entry (like an RFC 6962 SCT), with its state."""
    sequencer.ensure(session, service.signer_of(session))
    return promise_json(session, int_param(index, "index"))


@router.get("/log/proof/inclusion")
@public
def inclusion(index: str | None = None, tree_size: str | None = None, session: Session = Depends(db_session)):
    """RFC 6962 §4.5: the audit path of leaf `index` in the tree of `tree_size` leaves (default: the latest).
    An entry appended after the newest signed head gets 202 and its promise: the proof follows with the next head."""
    leaf_index = int_param(index, "index")
    if tree_size is None and tlog.signed_size(session) <= leaf_index < tlog.size(session):
        return JSONResponse(promise_json(session, leaf_index), status_code=202)
    head = _signed_size(session)
    size = int_param(tree_size, "tree_size", default=head.size, minimum=1)
    if size > head.size:
        raise DomainError(Msg("The parameter tree_size must not exceed the signed tree size {size}", size=head.size),
                          field="tree_size")
    if leaf_index >= size:
        raise DomainError(Msg("The parameter index must be below tree_size {size}", size=size), field="index")
    leaf = tlog.leaf(session, leaf_index)
    return {"leaf_index": leaf_index, "tree_size": size, "leaf_hash": leaf.leaf_hash, "leaf_input": leaf.entry,
            "audit_path": [h.hex() for h in tlog.inclusion_proof(session, leaf_index, size)],
            "root_hash": _root_of(session, size)}


@router.get("/log/proof/consistency")
@public
def consistency(first: str | None = None, second: str | None = None, session: Session = Depends(db_session)):
    """RFC 6962 §4.4 get-sth-consistency: that the tree of `first` leaves is a prefix of the one of `second`."""
    head = _signed_size(session)
    old = int_param(first, "first", minimum=1)
    new = int_param(second, "second", default=head.size, minimum=1)
    if new > head.size:
        raise DomainError(Msg("The parameter second must not exceed the signed tree size {size}", size=head.size),
                          field="second")
    if old > new:
        raise DomainError(Msg("The parameter first must not exceed second"), field="first")
    return {"first": old, "second": new, "first_root": _root_of(session, old), "second_root": _root_of(session, new),
            "consistency": [h.hex() for h in tlog.consistency_proof(session, old, new)]}


@router.get("/log/public-key")
@public
def public_key(session: Session = Depends(db_session)):
    """The registry's Ed25519 public key (PEM): what `ipcity dataip verify --key` pins."""
    return PlainTextResponse(service.signer_of(session).public_pem().decode(),
                             headers={"Content-Disposition": 'inline; filename="registry-key.pem"'})
