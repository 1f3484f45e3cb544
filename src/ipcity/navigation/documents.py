"""A navigation run's report as issued: both languages, HTML and PDF, rendered once and kept.

When a run finishes, its job renders the report in Chinese and in English, as the HTML page and as the PDF,
and keeps the four files as attachments of the run (OWNER; the HTML gzipped). The report pages serve the
stored files (a visit costs a file read, not seconds of layout); a run finished before reports were kept gets
each file rendered on its first visit and kept then. The office may issue a run's report again (a new
edition of the four files, the old ones kept and listed): `KIND`, declared by the plugin for core/documents.py.
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipcity.core import documents
from ipcity.core.files import FileStore, Upload
from ipcity.core.i18n import Msg
from ipcity.core.roles import ADMIN, OFFICIAL_ROLES, Actor
from ipcity.core.tables import Attachment
from ipcity.navigation.model import ReportDoc
from ipcity.navigation.tables import NavRun, NavTopic

OWNER = "navigation.report"
KIND_KEY = "navigation.report"
REISSUE_JOB = "navigation.reissue"
LANGS = ("zh", "en")
PDF, HTML = "pdf", "html"
FORMATS = (PDF, HTML)
TYPES = {".pdf": {"application/pdf"}, ".gz": {"application/gzip"}}
REISSUERS = OFFICIAL_ROLES | {ADMIN}  # the office issues reports again; agencies run topics but do not


def filename(run_id: int, lang: str, fmt: str) -> str:
    return f"navigation-{run_id}-{lang}.pdf" if fmt == PDF else f"navigation-{run_id}-{lang}.html.gz"


def render_one(doc: ReportDoc, fmt: str) -> bytes:
    """One stored file: the PDF, or the HTML page gzipped. fonts.MissingGlyphs where a glyph is missing."""
    from ipcity.navigation import report

    if fmt == PDF:
        return report.render_pdf(doc)
    return gzip.compress(report.render_html(doc).encode("utf-8"), mtime=0)


def render_all(doc_of: Callable[[str], ReportDoc]) -> dict[tuple[str, str], bytes]:
    """Both languages, both formats: {(lang, fmt): content}."""
    out = {}
    for lang in LANGS:
        doc = doc_of(lang)
        for fmt in FORMATS:
            out[(lang, fmt)] = render_one(doc, fmt)
    return out


def store(session: Session, files: FileStore, run_id: int, rendered: dict[tuple[str, str], bytes],
          user_id: int | None) -> list[Attachment]:
    """Keep rendered files as the run's newest editions (in the caller's transaction)."""
    kept = []
    for (lang, fmt), content in rendered.items():
        name = filename(run_id, lang, fmt)
        stored = files.put(session, Upload(name, io.BytesIO(content)), allowed=TYPES, max_bytes=max(len(content), 1))
        attachment = Attachment(sha256=stored.sha256, filename=name, owner_type=OWNER, owner_id=str(run_id),
                                uploaded_by=user_id)
        attachment.file = stored
        session.add(attachment)
        kept.append(attachment)
    session.flush()
    run = session.get(NavRun, run_id)
    if run is not None and (LANGS[0], PDF) in rendered:
        run.report_pdf = next(a.sha256 for a in kept if a.filename == filename(run_id, LANGS[0], PDF))
    return kept


def stored(session: Session, run_id: int, lang: str, fmt: str) -> Attachment | None:
    """The edition in force of one file (the newest)."""
    return session.scalar(select(Attachment).where(
        Attachment.owner_type == OWNER, Attachment.owner_id == str(run_id),
        Attachment.filename == filename(run_id, lang, fmt)).order_by(Attachment.id.desc()).limit(1))


def current(session: Session, run_id: int) -> list[Attachment]:
    found = [stored(session, run_id, lang, fmt) for lang in LANGS for fmt in FORMATS]
    return [a for a in found if a is not None]


def pdf_editions(session: Session, run_id: int) -> list[Attachment]:
    """Every PDF kept of the run's report, newest first (both languages)."""
    return [a for a in documents.editions(session, OWNER, run_id) if a.filename.endswith(".pdf")]


def content(files: FileStore, attachment: Attachment) -> bytes:
    """A stored file as served: the PDF as it is, the HTML unzipped."""
    with files.open(attachment.sha256) as fh:
        data = fh.read()
    return gzip.decompress(data) if attachment.filename.endswith(".gz") else data


def served(session: Session, db, files: FileStore, run: NavRun, lang: str, fmt: str,
           doc_of: Callable[[str], ReportDoc]) -> bytes:
    """The stored file; for a run finished before reports were kept, rendered now and kept (in its own short
    writing transaction, so the page's reading one stays a reading one)."""
    found = stored(session, run.id, lang, fmt)
    if found is not None and files.exists(found.sha256):
        return content(files, found)
    rendered = render_one(doc_of(lang), fmt)
    with db.session(write=True) as s:
        if stored(s, run.id, lang, fmt) is None:
            store(s, files, run.id, {(lang, fmt): rendered}, None)
            s.commit()
    return gzip.decompress(rendered) if fmt == HTML else rendered


# --- issuing again (core/documents.py) ------------------------------------------------------------------


def _subjects(session: Session) -> list[int]:
    return list(session.scalars(select(NavRun.id).where(NavRun.status == "done").order_by(NavRun.id)))


def may_reissue(session: Session, actor: Actor, run_id: int) -> bool:
    """An official (or administrator) who may see the run's topic, for a finished run."""
    from ipcity.navigation import service

    run = session.get(NavRun, run_id)
    if run is None or run.status != "done" or actor.role not in REISSUERS:
        return False
    topic = session.get(NavTopic, run.topic_id)
    return topic is not None and service.may_see(actor, topic)


def _doc_of(session: Session, run_id: int) -> Callable[[str], ReportDoc]:
    from ipcity.navigation import service

    run = session.get(NavRun, run_id)
    return lambda lang: service.report_doc(session, run, lang)


def _prepare(session: Session, run_id: int) -> dict[tuple[str, str], bytes]:
    return render_all(_doc_of(session, run_id))


def _reissue(session: Session, files: FileStore, actor: Actor, run_id: int, reason: str,
             prepared: dict | None) -> list[Attachment]:
    rendered = prepared if prepared is not None else _prepare(session, run_id)
    return store(session, files, run_id, rendered, actor.user_id)


KIND = documents.DocumentKind(
    key=KIND_KEY, label=Msg("Patent navigation report"), subjects=_subjects, current=current,
    may_reissue=may_reissue, reissue=_reissue, prepare=_prepare)


def may_see_report_file(session: Session, actor: Actor, owner_id: str) -> bool:
    """file_access hook for OWNER attachments (an earlier edition's link): whoever may see the run's topic."""
    from ipcity.navigation import service

    try:
        run = session.get(NavRun, int(owner_id))
    except (TypeError, ValueError):
        return False
    if run is None or actor.role not in service.NAVIGATORS:
        return False
    topic = session.get(NavTopic, run.topic_id)
    return topic is not None and service.may_see(actor, topic)


def reissuing(session: Session, run_id: int) -> bool:
    """Whether a job issuing the run's report again is queued or running."""
    from ipcity.core.tables import Job

    jobs = session.scalars(select(Job).where(Job.kind == REISSUE_JOB, Job.status.in_(("queued", "running"))))
    return any(str((job.params or {}).get("run_id")) == str(run_id) for job in jobs)
