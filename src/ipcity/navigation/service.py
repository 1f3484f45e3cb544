"""Use cases of patent navigation: save and share topics, run them, read runs and their reports.

Every change is audited in the same transaction. Who sees what: a topic's owner; the owner's unit when
the topic is shared; administrators. Running a topic needs the same right as seeing it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ipcity.core import audit
from ipcity.core.clock import now, today
from ipcity.core.errors import DomainError, NotFound, PermissionDenied
from ipcity.core.files import FileStore
from ipcity.core.i18n import Msg, current_locale
from ipcity.core.roles import ADMIN, AGENCY, OFFICIAL_ROLES, Actor
from ipcity.navigation import domain, pipeline, sei
from ipcity.navigation.model import ReportDoc
from ipcity.navigation.tables import NavRun, NavTopic
from ipcity.patents.ipc import IpcError, normalise_ipc
from ipcity.patents.regions import regions
from ipcity.patents.search.query import QuerySyntaxError, parse

NAVIGATORS = OFFICIAL_ROLES | {ADMIN, AGENCY}  # GB/T 39551.7: the office's staff and navigation service agencies
RUN_STATUSES = {"queued": Msg("Queued"), "running": Msg("Running"), "done": Msg("Done"), "failed": Msg("Failed")}
PDF_TYPES = {".pdf": {"application/pdf"}}
MAX_NAME = 200


# -- definitions -----------------------------------------------------------------------------------------
def _ipc_ok(code: str) -> str | None:
    try:
        return normalise_ipc(code)
    except IpcError:
        return None


def _query_error(text: str) -> Msg | None:
    try:
        parse(text)
    except QuerySyntaxError as exc:
        return Msg("Query syntax error at position {pos}: {zh} / {en}", pos=exc.pos + 1, zh=exc.message_zh,
                   en=exc.message_en)
    return None


def _region_ok(code: str) -> bool:
    """A Chinese division code (31, 3101, 310115) or a country of origin (FR, US …)."""
    return code in regions() or domain.is_country(code)


def validate_definition(form: dict) -> domain.TopicDefinition:
    return domain.validate(form, current_year=today().year, ipc_ok=_ipc_ok, sei_ok=sei.is_code,
                           region_ok=_region_ok, query_check=_query_error)


def _check_name(form: dict) -> tuple[str, str]:
    name = (form.get("name") or "").strip()
    if not name:
        raise DomainError(Msg("Give the topic a name"), field="name")
    if len(name) > MAX_NAME:
        raise DomainError(Msg("The name is longer than {n} characters", n=MAX_NAME), field="name")
    return name, (form.get("description") or "").strip()


def _validated(form: dict) -> tuple[str, str, domain.TopicDefinition]:
    """Name and definition checked together, so that the form shows every problem at once."""
    problems: list[tuple[str | None, Msg]] = []
    name = description = ""
    definition = None
    try:
        name, description = _check_name(form)
    except DomainError as exc:
        problems += exc.problems
    try:
        definition = validate_definition(form)
    except DomainError as exc:
        problems += exc.problems
    if problems:
        raise DomainError(problems[0][1], field=problems[0][0], problems=problems)
    return name, description, definition


# -- topics ----------------------------------------------------------------------------------------------
def may_see(actor: Actor, topic: NavTopic) -> bool:
    return (actor.role == ADMIN or topic.owner_id == actor.user_id
            or (topic.shared and actor.unit_id is not None and topic.unit_id == actor.unit_id))


def may_edit(actor: Actor, topic: NavTopic) -> bool:
    return actor.role == ADMIN or topic.owner_id == actor.user_id


def get_topic(session: Session, actor: Actor, topic_id: int) -> NavTopic:
    topic = session.get(NavTopic, topic_id)
    if topic is None:
        raise NotFound(Msg("No such topic"))
    if not may_see(actor, topic):
        raise PermissionDenied(Msg("This topic is neither yours nor shared with your unit"))
    return topic


def create_topic(session: Session, actor: Actor, form: dict, *, is_demo: bool = False) -> NavTopic:
    name, description, definition = _validated(form)
    topic = NavTopic(name=name, description=description, nav_type=definition.nav_type, kind=definition.kind,
                     definition=definition.to_json(), owner_id=actor.user_id, unit_id=actor.unit_id,
                     shared=domain.is_checked(form.get("shared")), is_demo=is_demo)
    session.add(topic)
    session.flush()
    audit.record(session, actor, "create", "nav_topic", topic.id, summary=name, detail=definition.to_json())
    return topic


def update_topic(session: Session, actor: Actor, topic_id: int, form: dict) -> NavTopic:
    topic = get_topic(session, actor, topic_id)
    if not may_edit(actor, topic):
        raise PermissionDenied(Msg("Only the owner of a topic may change it"))
    name, description, definition = _validated(form)
    before = {"name": topic.name, "definition": topic.definition, "shared": topic.shared}
    topic.name, topic.description = name, description
    topic.nav_type, topic.kind, topic.definition = definition.nav_type, definition.kind, definition.to_json()
    topic.shared = domain.is_checked(form.get("shared"))
    topic.updated_at = now()
    audit.record(session, actor, "update", "nav_topic", topic.id, summary=name,
                 detail={"before": before, "after": {"name": name, "definition": topic.definition,
                                                     "shared": topic.shared}})
    return topic


def delete_topic(session: Session, actor: Actor, topic_id: int) -> None:
    topic = get_topic(session, actor, topic_id)
    if not may_edit(actor, topic):
        raise PermissionDenied(Msg("Only the owner of a topic may delete it"))
    for run in session.scalars(select(NavRun).where(NavRun.topic_id == topic.id)):
        session.delete(run)
    audit.record(session, actor, "delete", "nav_topic", topic.id, summary=topic.name)
    session.delete(topic)


@dataclass
class TopicRow:
    topic: NavTopic
    runs: int
    last_run: NavRun | None


def list_topics(session: Session, actor: Actor, *, q: str = "", nav_type: str = "", kind: str = "",
                mine: bool = False) -> list[TopicRow]:
    stmt = select(NavTopic).order_by(NavTopic.updated_at.desc(), NavTopic.id.desc())
    if actor.role != ADMIN or mine:
        visible = [NavTopic.owner_id == actor.user_id]
        if actor.unit_id is not None and not mine:
            visible.append((NavTopic.shared.is_(True)) & (NavTopic.unit_id == actor.unit_id))
        stmt = stmt.where(or_(*visible))
    if q.strip():
        like = f"%{q.strip()}%"
        stmt = stmt.where(or_(NavTopic.name.ilike(like), NavTopic.description.ilike(like)))
    if nav_type:
        stmt = stmt.where(NavTopic.nav_type == nav_type)
    if kind:
        stmt = stmt.where(NavTopic.kind == kind)
    topics = list(session.scalars(stmt))
    ids = [t.id for t in topics]
    counts = dict(session.execute(select(NavRun.topic_id, func.count()).where(NavRun.topic_id.in_(ids))
                                  .group_by(NavRun.topic_id)).all()) if ids else {}
    latest: dict[int, NavRun] = {}
    if ids:
        for run in session.scalars(select(NavRun).where(NavRun.topic_id.in_(ids)).order_by(NavRun.id)):
            latest[run.topic_id] = run
    return [TopicRow(t, counts.get(t.id, 0), latest.get(t.id)) for t in topics]


def runs_of(session: Session, topic_id: int) -> list[NavRun]:
    return list(session.scalars(select(NavRun).where(NavRun.topic_id == topic_id).order_by(NavRun.id.desc())))


# -- runs ------------------------------------------------------------------------------------------------
RUN_JOB = "navigation.run"


def new_run(session: Session, actor: Actor, topic: NavTopic) -> NavRun:
    """A run of the topic with its current definition, audited; the caller queues its job (RUN_JOB)."""
    run = NavRun(topic_id=topic.id, definition=dict(topic.definition), topic_name=topic.name,
                 created_by=actor.user_id)
    session.add(run)
    session.flush()
    audit.record(session, actor, "run", "nav_topic", topic.id, summary=topic.name, detail={"run_id": run.id})
    return run


def start_run(session: Session, services, actor: Actor, topic_id: int) -> NavRun:
    """Queue a run with the register as it is now ("re-run with fresh data" is simply another run)."""
    run = new_run(session, actor, get_topic(session, actor, topic_id))
    run.job_id = services.start_job(session, actor, RUN_JOB, {"run_id": run.id}).id
    session.commit()
    return run


def get_run(session: Session, actor: Actor, run_id: int) -> NavRun:
    run = session.get(NavRun, run_id)
    if run is None:
        raise NotFound(Msg("No such analysis run"))
    get_topic(session, actor, run.topic_id)
    return run


def job_of(session: Session, run: NavRun):
    from ipcity.core.tables import Job

    return session.get(Job, run.job_id) if run.job_id else None


def execute_run(db, engine, files: FileStore, run_id: int, progress=None) -> dict:
    """The job: select and analyse, then render the report in both languages, HTML and PDF, and keep them
    (navigation/documents.py: the pages serve the stored files); the run row says how it went."""
    from ipcity.navigation import documents, report_builder

    # Short transactions that write hold SQLite's write lock from their start; the long reading and rendering
    # happen outside them (a transaction that read, then saw another commit, could not write any more).
    with db.session(write=True) as s:
        run = s.get(NavRun, run_id)
        run.status = "running"
        s.commit()
        definition = domain.TopicDefinition.from_json(run.definition)
    stages = pipeline.Stages()
    try:
        with db.session() as s:
            results = pipeline.run(s, definition, engine=engine, progress=progress, stages=stages)
        with db.session() as s:
            run = s.get(NavRun, run_id)
            topic = s.get(NavTopic, run.topic_id)
            title, description, demo = run.topic_name, topic.description if topic else "", bool(topic and topic.is_demo)
        stages.done("report")
        rendered = documents.render_all(lambda lang: report_builder.build(
            results, definition, title=title, lang=lang, description=description, demo=demo))
        stages.done("pdf")
        with db.session(write=True) as s:
            run = s.get(NavRun, run_id)
            documents.store(s, files, run_id, rendered, run.created_by)  # sets run.report_pdf (the Chinese PDF)
            run.results = pipeline.dump(results)
            run.records, run.publications = results.records, results.publications
            run.data_date = date.fromisoformat(results.data_date) if results.data_date else None
            run.timings = stages.as_dict()
            run.status, run.finished_at = "done", now()
            s.commit()
            return {"run_id": run_id, "records": results.records, "timings": run.timings}
    except Exception as exc:
        with db.session(write=True) as s:
            run = s.get(NavRun, run_id)
            run.status, run.message, run.finished_at = "failed", str(exc)[:2000], now()
            s.commit()
        raise


def report_lang() -> str:
    """The report language that matches the interface language (zh_Hans → zh)."""
    return "zh" if current_locale.get().startswith("zh") else "en"


def report_doc(session: Session, run: NavRun, lang: str) -> ReportDoc:
    from ipcity.navigation import report_builder

    if run.status != "done":
        raise DomainError(Msg("The analysis has not finished yet"))
    topic = session.get(NavTopic, run.topic_id)
    return report_builder.build(pipeline.load(run.results), domain.TopicDefinition.from_json(run.definition),
                                title=run.topic_name, lang=lang, description=topic.description if topic else "",
                                demo=bool(topic and topic.is_demo))


def report_file(session: Session, db, files: FileStore, run: NavRun, lang: str, fmt: str) -> bytes:
    """The report as the run kept it (navigation/documents.py), in `lang` ("zh", "en"), "pdf" or "html"."""
    from ipcity.navigation import documents

    return documents.served(session, db, files, run, lang, fmt, lambda lang: report_doc(session, run, lang))
