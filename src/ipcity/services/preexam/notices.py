"""The centre's notices on a pre-examination case, as PDFs (core/notice_pdf.py): accepted (受理通知书), correction
(补正通知书), passed (预审合格通知书), not passed (预审不合格通知书) and not accepted (不予受理通知书). Each is kept in
the case's documents (owner type preexam.notice) and announced in the company's inbox."""

from __future__ import annotations

import io

from sqlalchemy.orm import Session

from ipcity.core import notice_pdf
from ipcity.core.clock import today
from ipcity.core.context import files_of
from ipcity.core.files import Upload
from ipcity.core.i18n import Msg
from ipcity.core.tables import Attachment
from ipcity.services.preexam import casetypes, domain
from ipcity.services.preexam.tables import Submission

ACCEPTED, CORRECTION, PASSED, NOT_PASSED, NOT_ACCEPTED = "accepted", "correction", "passed", "not_passed", \
    "not_accepted"
TITLES = {
    ACCEPTED: ("专利预审受理通知书", "Notice of Acceptance for Patent Pre-examination"),
    CORRECTION: ("专利预审补正通知书", "Notice to Correct (Patent Pre-examination)"),
    PASSED: ("专利预审合格通知书", "Notice of Passed Patent Pre-examination"),
    NOT_PASSED: ("专利预审不合格通知书", "Notice of Failed Patent Pre-examination"),
    NOT_ACCEPTED: ("专利预审不予受理通知书", "Notice of Non-acceptance for Patent Pre-examination"),
}
TITLE_MSGS = {
    ACCEPTED: Msg("Notice of acceptance (受理通知书)"),
    CORRECTION: Msg("Notice to correct (补正通知书)"),
    PASSED: Msg("Notice of passed pre-examination (预审合格通知书)"),
    NOT_PASSED: Msg("Notice of failed pre-examination (预审不合格通知书)"),
    NOT_ACCEPTED: Msg("Notice of non-acceptance (不予受理通知书)"),
}
NOTICE_OWNER = "preexam.notice"
TYPE_ZH = {"invention": "发明", "utility": "实用新型", "design": "外观设计"}
FOOTNOTE = ("本通知书由平台以电子方式出具。预审合格不产生申请日和申请号，以向国家知识产权局正式提交申请为准。"
            "电子印章示意，非法定电子签章。",
            "Issued electronically. Passing pre-examination creates no filing date or number: only the formal filing "
            "at CNIPA does. The seal is not a legal electronic seal.")


def _due(deadlines, key: str) -> str:
    running = [d for d in deadlines if d.key == key and not d.stopped_on]
    return running[-1].due_on.isoformat() if running else ""


def notice_for(sub: Submission, kind: str, *, body: str, reason: str, deadlines, values: dict,
               fields: tuple = domain.DEFAULT_RULES.fields) -> notice_pdf.Notice:
    """What the notice of `kind` says about the case, from its record, the step's reason and values, and its
    running time limits."""
    classes = "、".join(sub.locarno if sub.patent_type == "design" else sub.ipc) or "—"
    rows = [("申请人", "Applicants", "、".join(sub.applicants) or "—"),
            ("专利类型", "Patent type", TYPE_ZH.get(sub.patent_type, sub.patent_type)),
            ("发明创造名称", "Title", sub.title),
            ("分类号", "Classes", classes),
            ("提交日", "Submitted on", sub.submitted_at.date().isoformat() if sub.submitted_at else "")]
    text: list[str] = []
    if kind == ACCEPTED:
        due = _due(deadlines, "examination")
        text.append(f"你单位提交的专利预审请求已于 {today().isoformat()} 受理，本中心将进行形式审查和初步实质审查"
                    + (f"，预计于 {due} 前完成（本中心时限）。" if due else "。"))
    elif kind == CORRECTION:
        due = _due(deadlines, "correction")
        text.append("经审查，你单位提交的预审材料存在以下需要补正的问题：")
        text.append(reason or "—")
        text.append(f"请于 {due} 前通过平台提交补正材料；期满未答复的，该预审请求视为撤回。补正期间预审时限暂停计算。"
                    if due else "请通过平台提交补正材料。")
    elif kind == PASSED:
        deadline = sub.filing_deadline.isoformat() if sub.filing_deadline else ""
        text.append("经预审，你单位的专利申请预审合格。")
        text.append(f"请于 {deadline} 前通过快速通道向国家知识产权局正式提交专利申请，逾期未提交的不再享受快速审查。"
                    if deadline else "请通过快速通道向国家知识产权局正式提交专利申请。")
        rows.append(("正式提交期限", "File at CNIPA by", deadline))
    else:  # NOT_PASSED, NOT_ACCEPTED
        reasons = values.get("reasons") or []
        outcome = "预审不合格" if kind == NOT_PASSED else "不予受理"
        text.append(f"经审查，你单位的专利预审请求{outcome}，理由如下：")
        text += [f"{i}. {casetypes.REASONS[r].render('zh_Hans')}" for i, r in enumerate(reasons, start=1)
                 if r in casetypes.REASONS]
        if reason:
            text.append(reason)
        text.append("你单位仍可按一般程序向国家知识产权局提交专利申请。")
    field = next((f for f in fields if f.key == sub.field_key), None)
    if field is not None:
        rows.insert(3, ("预审技术领域", "Technical field", field.label.render("zh_Hans")))
    return notice_pdf.Notice(kind=kind, title=TITLES[kind], number_label=("预审编号", "Pre-examination No."),
                             number=sub.number, body=body, issued_on=today().isoformat(), rows=rows, text=text,
                             footnote=FOOTNOTE)


def filename(notice: notice_pdf.Notice) -> str:
    return f"{notice.title[0]}-{notice.number}.pdf"


def issue(session: Session, sub: Submission, kind: str, *, body: str, reason: str, deadlines,
          values: dict, fields: tuple = domain.DEFAULT_RULES.fields) -> Attachment:
    """Render the notice (refused, before anything is kept, when a glyph is missing) and keep it with the case."""
    notice = notice_for(sub, kind, body=body, reason=reason, deadlines=deadlines, values=values, fields=fields)
    pdf = notice_pdf.render_pdf(notice)
    return files_of(session).attach(session, Upload(filename(notice), io.BytesIO(pdf)), NOTICE_OWNER, sub.id, None,
                                    field=kind, allowed={".pdf": {"application/pdf"}})
