"""Use cases of plan supervision: load the plan, file and review progress reports, flag, summarise.

Each function works in the caller's transaction and records what it changes in the audit trail.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipcity.core import audit, inbox
from ipcity.core.accounts import create_unit
from ipcity.core.cache import VersionedCache, data_version
from ipcity.core.clock import today
from ipcity.core.context import settings_of
from ipcity.core.errors import DomainError, NotFound, PermissionDenied
from ipcity.core.files import FileStore, Upload
from ipcity.core.i18n import N_, Msg
from ipcity.core.roles import Actor
from ipcity.core.tables import Unit
from ipcity.services.workplan import domain
from ipcity.services.workplan.tables import PlanPoint, Responsibility
from ipcity.workflow import engine
from ipcity.workflow.tables import Case

SUBJECT = "workplan.point"


# --- the case type, with the rules that need the database ------------------------------------------

def _guard(session: Session, case: Case, transition, actor: Actor):
    # Four-eyes rule: whoever submitted a report does not accept it.
    if transition.key == "accept":
        last_submit = next((e for e in reversed(case.events) if e.transition == "submit"), None)
        if last_submit is not None and last_submit.actor_id == actor.user_id:
            return Msg("A report cannot be accepted by the person who submitted it")
    return None


def _accepted(session: Session, case: Case, event, _record) -> None:
    """An accepted report sets the point's completion: the one the unit submitted (the accept step itself
    carries no values, so a reviewer cannot rewrite it)."""
    point = session.get(PlanPoint, int(case.subject_id))
    point.completion = int(case.data.get("completion") or 0)
    point.last_accepted_on = today()
    point.updated_at = event.at


REPORT = dataclasses.replace(domain.progress_report_type(), guard=_guard, on={"accept": _accepted})


# --- loading the plan ------------------------------------------------------------------------------

def _unit_kind(name: str, level: str) -> str:
    if level == domain.NATIONAL:
        return "national_dept"
    if name == "上海市知识产权局":
        return "ip_office"
    if name in domain.district_governments():
        return "district_gov"
    return "municipal_dept"


def _unit_named(session: Session, actor: Actor, name: str, legacy: tuple[str, ...] = ()) -> Unit | None:
    """The unit of that name; else one created under a name the plan shortens it to (an installation loaded
    before names were resolved), given its full name now. The unit keeps its id, so its people stay in it."""
    unit = session.scalar(select(Unit).where(Unit.name_zh == name))
    if unit is not None or not legacy:
        return unit
    unit = session.scalar(select(Unit).where(Unit.name_zh.in_(legacy)).order_by(Unit.id).limit(1))
    if unit is not None:
        before, unit.name_zh = unit.name_zh, name
        audit.record(session, actor, "unit.update", "unit", unit.id, summary=name, detail={"name_zh": before})
    return unit


def _new_code(session: Session, code: str, name: str) -> str:
    if not session.scalar(select(Unit.id).where(Unit.code == code)):
        return code
    return f"{code[:40]}-{hashlib.sha1(name.encode()).hexdigest()[:10]}"


def ensure_units(session: Session, actor: Actor) -> Unit:
    """The units the plan's groups and shortened names stand for, which every installation has: the 16 district
    governments (各区政府) and CNIPA, the parent of the national departments. Idempotent; returns CNIPA."""
    cnipa = _unit_named(session, actor, domain.CNIPA)
    if cnipa is None:
        cnipa = create_unit(session, actor, code=_new_code(session, "cn-cnipa", domain.CNIPA), name_zh=domain.CNIPA,
                            name_en=domain.CNIPA_EN, kind="national_dept", level="national")
    for district, english in domain.SHANGHAI_DISTRICTS:
        name = domain.district_government(district)
        unit = _unit_named(session, actor, name, legacy=(f"{district}政府", f"上海市{district}人民政府"))
        if unit is None:
            slug = english.split()[0].lower().replace("'", "")
            create_unit(session, actor, code=_new_code(session, f"sh-district-{slug}", name), name_zh=name,
                        name_en=domain.district_government_en(english), kind="district_gov", level="district")
        else:  # one made from the plan before: a district government, at the district level, named in English
            wanted = {"kind": "district_gov", "level": "district",
                      "name_en": unit.name_en or domain.district_government_en(english)}
            changed = {k: getattr(unit, k) for k, v in wanted.items() if getattr(unit, k) != v}
            if changed:
                for k in changed:
                    setattr(unit, k, wanted[k])
                audit.record(session, actor, "unit.update", "unit", unit.id, summary=name, detail=changed)
    return cnipa


def _unit_for(session: Session, actor: Actor, name: str, level: str, cnipa: Unit) -> Unit:
    national = level == domain.NATIONAL
    legacy = (name.removeprefix(domain.CNIPA),) if national and name != domain.CNIPA else ()
    unit = _unit_named(session, actor, name, legacy)
    if unit is None:
        digest = hashlib.sha1(name.encode()).hexdigest()[:10]
        code = f"{'cn' if national else 'sh'}-{digest}"
        unit = create_unit(session, actor, code=code, name_zh=name, kind=_unit_kind(name, level),
                           level="national" if national else "municipal",
                           parent_id=cnipa.id if national and name != domain.CNIPA else None)
    elif national and unit.parent_id is None and unit.id != cnipa.id:
        unit.parent_id = cnipa.id
        audit.record(session, actor, "unit.update", "unit", unit.id, summary=name, detail={"parent_id": cnipa.id})
    return unit


def import_plan(session: Session, actor: Actor, points: list[domain.WorkPoint]) -> dict:
    """Load or refresh the work points. The units a point names become units of the platform, resolved first
    (domain.resolve_units): a group naming every district is the 16 district governments, a shortened name the
    unit's full one; a group naming no determinate set ("各有关部门") is kept as a remark, without a unit.
    Idempotent."""
    cnipa = ensure_units(session, actor)
    created = updated = 0
    for wp in points:
        row = session.scalar(select(PlanPoint).where(PlanPoint.number == wp.number))
        if row is None:
            row = PlanPoint(number=wp.number)
            session.add(row)
            created += 1
        else:
            updated += 1
        row.section_number, row.section_title, row.content = wp.section_number, wp.section_title, wp.content
        row.deadline_label, row.due_on = wp.deadline.label, wp.deadline.due
        row.responsibilities.clear()
        session.flush()
        for pos, u in enumerate(domain.resolve_units(wp.units)):
            unit_id = None if u.collective else _unit_for(session, actor, u.name, u.level, cnipa).id
            row.responsibilities.append(Responsibility(position=pos, unit_name=u.name, level=u.level,
                                                       collective=u.collective, lead=u.lead, unit_id=unit_id))
    session.flush()
    audit.record(session, actor, "workplan.import", "workplan", "plan",
                 summary=f"{len(points)} points", detail={"created": created, "updated": updated})
    return {"points": len(points), "created": created, "updated": updated}


# --- reading -----------------------------------------------------------------------------------------

@dataclass
class PointView:
    point: PlanPoint
    status: domain.PointStatus
    days_overdue: int
    open_reports: int = 0

    @property
    def lead_unit_id(self) -> int | None:
        return next((r.unit_id for r in self.point.responsibilities if r.lead), None)


def _deadline(point: PlanPoint) -> domain.Deadline:
    return domain.Deadline(point.deadline_label, point.due_on)


def view(session: Session, point: PlanPoint, on: date | None = None) -> PointView:
    """The point's status on `on` (today), with the thresholds of the settings (IPCITY_WORKPLAN_DUE_SOON_DAYS,
    IPCITY_WORKPLAN_STALE_DAYS)."""
    on = on or today()
    settings = settings_of(session)
    status = domain.point_status(_deadline(point), completion=point.completion,
                                 last_accepted_on=point.last_accepted_on, today=on,
                                 due_soon_days=settings.workplan_due_soon_days, stale_days=settings.workplan_stale_days)
    return PointView(point, status, domain.days_overdue(_deadline(point), on)
                     if status == domain.PointStatus.OVERDUE else 0)


def is_responsible(point: PlanPoint, unit: Unit | None) -> bool:
    if unit is None:
        return False
    for r in point.responsibilities:
        if r.unit_id == unit.id:
            return True
        # a point loaded before groups were expanded (domain.resolve_units) still names the group itself
        if r.collective and r.unit_name in domain.ALL_DISTRICTS_GROUPS and unit.kind == "district_gov":
            return True
    return False


def unit_names(point: PlanPoint, level: str = domain.MUNICIPAL, locale: str | None = None) -> list[str]:
    """The accountable units of a point at `level`, as pages and exports list them: the 16 district governments
    (what the plan's "各区政府" stands for) as one entry where all of them answer, groups left out (`remarks`)."""
    names = [r.unit_name for r in point.responsibilities if r.level == level and not r.collective]
    districts = set(domain.district_governments())
    if level == domain.MUNICIPAL and districts <= set(names):
        first = next(i for i, n in enumerate(names) if n in districts)
        names = [n for n in names if n not in districts]
        names.insert(first, Msg("The governments of all {n} districts", n=len(districts)).render(locale))
    return names


def _units_text(point: PlanPoint, locale: str | None = None) -> str:
    """The municipal units in one line, a group naming no particular unit said to be one."""
    text = "、".join(unit_names(point, domain.MUNICIPAL, locale))
    groups = remarks(point)
    if groups:
        text += " " + Msg("and {groups} (no particular unit named)", groups="、".join(groups)).render(locale)
    return text


def district_names(point: PlanPoint) -> list[str]:
    """The district governments answering for a point, in the municipality's order."""
    named = {r.unit_name for r in point.responsibilities}
    return [n for n in domain.district_governments() if n in named]


def remarks(point: PlanPoint) -> list[str]:
    """The groups a point names that stand for no determinate set of units ("各有关部门"): shown as written."""
    return [r.unit_name for r in point.responsibilities if r.collective]


def get_point(session: Session, number: int) -> PlanPoint:
    point = session.scalar(select(PlanPoint).where(PlanPoint.number == number))
    if point is None:
        raise NotFound(Msg("There is no work point {n}", n=number))
    return point


def list_points(session: Session, *, section: int | None = None, status: str = "", unit_id: int | None = None,
                q: str = "", deadline: str = "", on: date | None = None) -> list[PointView]:
    points = session.scalars(select(PlanPoint).order_by(PlanPoint.number)).all()
    unit = session.get(Unit, unit_id) if unit_id else None
    out = []
    for p in points:
        v = view(session, p, on)
        if section and p.section_number != section:
            continue
        if status and v.status != status:
            continue
        if deadline and p.deadline_label != deadline:
            continue
        if unit_id and not is_responsible(p, unit):
            continue
        if q and q not in p.content and not any(q in r.unit_name for r in p.responsibilities):
            continue
        out.append(v)
    return out


def reports_of(session: Session, point: PlanPoint) -> list[Case]:
    return list(session.scalars(select(Case).where(Case.subject_type == SUBJECT, Case.subject_id == str(point.id))
                                .order_by(Case.id.desc())))


def report(session: Session, actor: Actor, case_id: int) -> tuple[Case, PlanPoint]:
    case = engine.get_case(session, case_id)
    if case.type_key != REPORT.key:
        raise NotFound(Msg("No progress report number {id}", id=case_id))
    if not engine.may_view(case, actor):
        raise PermissionDenied(Msg("This report belongs to another unit"))
    return case, session.get(PlanPoint, int(case.subject_id))


# --- filing and reviewing reports -------------------------------------------------------------------

@dataclass
class ReportForm:
    period: str
    summary: str
    completion: object
    indicators: list[dict]

    def problems(self) -> list[tuple[str, Msg]]:
        found = domain.validate_report(completion=self.completion, summary=self.summary,
                                       indicators=self.indicators)
        if not self.period.strip():
            found.append(("period", Msg("{field} is required", field=Msg("Reporting period"))))
        return found

    def values(self) -> dict:
        rows = [i for i in self.indicators if (i.get("name") or "").strip()]
        return {"period": self.period.strip(), "summary": self.summary.strip(), "completion": self.completion,
                "indicators": rows}


def parse_completion(raw: str | int | None):
    """Form text to int; anything else stays as given so the domain rule names the problem."""
    if isinstance(raw, int):
        return raw
    try:
        return int(str(raw).strip())
    except (TypeError, ValueError):
        return raw


def _check_form(form: ReportForm) -> None:
    problems = form.problems()
    if problems:
        raise DomainError(problems[0][1], field=problems[0][0], problems=problems)


def file_report(session: Session, files: FileStore, actor: Actor, point_number: int, form: ReportForm,
                uploads: list[Upload], submit: bool) -> Case:
    """A responsible unit files a report on a point (saved as draft, or submitted at once)."""
    point = get_point(session, point_number)
    unit = session.get(Unit, actor.unit_id) if actor.unit_id else None
    if not actor.is_official or not is_responsible(point, unit):
        raise PermissionDenied(Msg("Your unit is not responsible for work point {n}", n=point_number))
    _check_form(form)
    lead = view(session, point).lead_unit_id
    case = engine.open_case(session, REPORT, actor, title=f"{point.number}. {point.content[:40]}… · {form.period}",
                            applicant_unit_id=actor.unit_id, assigned_unit_id=lead, subject_type=SUBJECT,
                            subject_id=str(point.id), data=form.values())
    _attach(session, files, actor, case, uploads)
    if submit:
        engine.fire(session, REPORT, case, "submit", actor, values=form.values())
    return case


def revise_report(session: Session, files: FileStore, actor: Actor, case_id: int, form: ReportForm,
                  uploads: list[Upload], submit: bool) -> Case:
    case, _point = report(session, actor, case_id)
    if not engine.standing(case, actor).is_applicant:
        raise PermissionDenied(Msg("Only the reporting unit may change its report"))
    if case.state not in ("draft", "returned"):
        raise DomainError(Msg("Only a draft or a returned report can be changed"), field="state")
    _check_form(form)
    if submit:
        _attach(session, files, actor, case, uploads)
        engine.fire(session, REPORT, case, "submit", actor, values=form.values())
    else:
        case.data = {**case.data, **form.values()}
        _attach(session, files, actor, case, uploads)
        audit.record(session, actor, "case.update", "case", case.id, summary=case.number, detail=form.values())
    return case


def _attach(session: Session, files: FileStore, actor: Actor, case: Case, uploads: list[Upload]) -> None:
    from ipcity.portal.services import add_documents

    uploads = [u for u in uploads if u.filename]
    if uploads:
        add_documents(session, files, actor, case, uploads)


def review(session: Session, actor: Actor, case_id: int, decision: str, reason: str) -> Case:
    case, _ = report(session, actor, case_id)
    if decision not in ("accept", "return"):
        raise DomainError(Msg("Choose accept or return"), field="decision")
    engine.fire(session, REPORT, case, decision, actor, reason=reason)
    return case


# --- flags and the leadership dashboard ----------------------------------------------------------------

def sweep(session: Session, on: date | None = None) -> dict:
    """Tell responsible units about overdue, due-soon and stale points (once per point, status and month)."""
    on = on or today()
    sent = Counter()
    for v in list_points(session, on=on):
        if v.status not in (domain.PointStatus.OVERDUE, domain.PointStatus.DUE_SOON, domain.PointStatus.STALE):
            continue
        for r in v.point.responsibilities:
            if r.unit_id is None or r.level != domain.MUNICIPAL:
                continue
            item = inbox.notify(session, unit_id=r.unit_id, kind="notice", link=f"/workplan/points/{v.point.number}",
                                title=N_("Work point {n} is {status}"),
                                params={"n": v.point.number, "status": STATUS_LABELS[v.status].msgid},
                                dedupe_key=f"wp:{v.point.number}:{v.status}:{r.unit_id}:{on:%Y-%m}")
            if item is not None:
                sent[str(v.status)] += 1
    return dict(sent)


STATUS_LABELS = {
    domain.PointStatus.COMPLETED: Msg("completed"),
    domain.PointStatus.OVERDUE: Msg("overdue"),
    domain.PointStatus.DUE_SOON: Msg("due soon"),
    domain.PointStatus.ON_TRACK: Msg("on track"),
    domain.PointStatus.ONGOING: Msg("ongoing, reported"),
    domain.PointStatus.STALE: Msg("ongoing, no recent report"),
}


def dashboard(session: Session, on: date | None = None) -> dict:
    """Figures for the leadership: by section, by unit, by deadline, completion and flags."""
    on = on or today()
    views = list_points(session, on=on)
    open_counts = Counter(
        sid for sid, in session.execute(select(Case.subject_id).where(Case.type_key == REPORT.key,
                                                                      Case.state == "submitted")))
    by_status = Counter(str(v.status) for v in views)
    sections: dict[int, dict] = {}
    units: dict[str, dict] = defaultdict(lambda: {"points": 0, "overdue": 0, "completion_sum": 0, "reported": 0})
    deadlines: dict[str, Counter] = defaultdict(Counter)
    for v in views:
        p = v.point
        s = sections.setdefault(p.section_number, {"number": p.section_number, "title": p.section_title,
                                                   "points": 0, "completion_sum": 0, "overdue": 0, "completed": 0})
        s["points"] += 1
        s["completion_sum"] += p.completion or 0
        s["overdue"] += v.status == domain.PointStatus.OVERDUE
        s["completed"] += v.status == domain.PointStatus.COMPLETED
        deadlines[p.deadline_label][str(v.status)] += 1
        for r in p.responsibilities:
            if r.level != domain.MUNICIPAL or r.lead or r.unit_id is None:  # a group is no unit
                continue
            u = units[r.unit_name]
            u["points"] += 1
            u["overdue"] += v.status == domain.PointStatus.OVERDUE
            u["completion_sum"] += p.completion or 0
            u["reported"] += p.completion is not None
    for s in sections.values():
        s["completion"] = round(s.pop("completion_sum") / s["points"], 1) if s["points"] else 0
    unit_rows = []
    for name, u in units.items():
        unit_rows.append({"unit": name, "points": u["points"], "overdue": u["overdue"], "reported": u["reported"],
                          "completion": round(u["completion_sum"] / u["points"], 1) if u["points"] else 0})
    unit_rows.sort(key=lambda r: (-r["overdue"], -r["points"], r["unit"]))
    total = len(views)
    return {
        "today": on.isoformat(),
        "total": total,
        "by_status": dict(by_status),
        "completion": round(sum(v.point.completion or 0 for v in views) / total, 1) if total else 0,
        "awaiting_review": sum(open_counts.values()),
        "sections": [sections[k] for k in sorted(sections)],
        "units": unit_rows,
        "deadlines": {k: dict(v) for k, v in sorted(deadlines.items())},
        "points": [{"number": v.point.number, "section": v.point.section_number, "deadline": v.point.deadline_label,
                    "status": str(v.status), "completion": v.point.completion, "days_overdue": v.days_overdue,
                    "awaiting_review": open_counts.get(str(v.point.id), 0)} for v in views],
    }


CACHE = VersionedCache()


def dashboard_cached(session: Session) -> dict:
    """The dashboard for today, recomputed only when something was changed (see core/cache.py)."""
    on = today()
    return CACHE.get(("dashboard", str(session.get_bind().url), on), data_version(session),
                     lambda: dashboard(session, on))


def dashboard_json(session: Session) -> bytes:
    """The dashboard as the API's JSON body, serialised once per data version (as JSONResponse would)."""
    on = today()
    return CACHE.get(("dashboard.json", str(session.get_bind().url), on), data_version(session),
                     lambda: json.dumps(dashboard_cached(session), ensure_ascii=False, allow_nan=False,
                                        separators=(",", ":")).encode("utf-8"))


def export_sheets(session: Session, on: date | None = None) -> dict:
    """The dashboard as worksheets (Chinese headers first, English beside them)."""
    data = dashboard(session, on)
    views = {v.point.number: v for v in list_points(session, on=on)}
    points = [(p["number"], p["section"], views[p["number"]].point.content,
               _units_text(views[p["number"]].point, "zh_Hans"),
               "、".join(unit_names(views[p["number"]].point, domain.NATIONAL, "zh_Hans")),
               p["deadline"], STATUS_LABELS[domain.PointStatus(p["status"])].render("zh_Hans"), p["completion"],
               p["days_overdue"], p["awaiting_review"]) for p in data["points"]]
    return {
        "工作要点 Points": (["序号 No.", "部分 Section", "内容 Content", "市级责任单位 Municipal units",
                           "国家级责任单位 National units", "完成时限 Deadline", "状态 Status",
                           "完成度% Completion", "逾期天数 Days overdue", "待审核报告 Awaiting review"], points),
        "按部分 Sections": (["部分 Section", "标题 Title", "要点数 Points", "平均完成度% Completion",
                          "逾期 Overdue", "已完成 Completed"],
                         [(s["number"], s["title"], s["points"], s["completion"], s["overdue"], s["completed"])
                          for s in data["sections"]]),
        "按单位 Units": (["单位 Unit", "要点数 Points", "逾期 Overdue", "已报告 Reported", "平均完成度% Completion"],
                       [(u["unit"], u["points"], u["overdue"], u["reported"], u["completion"]) for u in data["units"]]),
        "说明 About": (["项目 Item", "值 Value"], [("统计日期 As of", data["today"]),
                                                ("依据 Source", "沪府办〔2023〕34号"),
                                                ("要点总数 Points", data["total"])]),
    }
