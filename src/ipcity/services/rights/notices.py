"""The documents an adjudicating office issues on a patent dispute, as PDFs (core/notice_pdf.py): the filing notice
(立案通知书), the correction notice (补正通知书), the notice of not filing (不予立案通知书) and the decision (专利侵权
纠纷行政裁决书). Each is kept in the case's documents (owner type rights.adjudication.notice), audited, and announced
to the requester."""

from __future__ import annotations

import io

from sqlalchemy.orm import Session

from ipcity.core import audit, notice_pdf
from ipcity.core.clock import today
from ipcity.core.context import files_of
from ipcity.core.files import Upload
from ipcity.core.i18n import Msg
from ipcity.core.roles import Actor
from ipcity.core.tables import Attachment
from ipcity.services.rights import casetypes, domain
from ipcity.services.rights.tables import Adjudication

REQUEST, FILED, CORRECTION, NOT_FILED, DECISION = "request", "filed", "correction", "not_filed", "decision"
TITLES = {
    REQUEST: ("专利纠纷行政裁决请求书", "Request for Administrative Adjudication of a Patent Dispute"),
    FILED: ("专利纠纷行政裁决立案通知书", "Notice of Filing: Administrative Adjudication of a Patent Dispute"),
    CORRECTION: ("专利纠纷行政裁决请求补正通知书", "Notice to Correct a Request for Administrative Adjudication"),
    NOT_FILED: ("专利纠纷行政裁决不予立案通知书", "Notice of Not Filing a Request for Administrative Adjudication"),
    DECISION: ("专利侵权纠纷行政裁决书", "Administrative Adjudication Decision on a Patent Infringement Dispute"),
}
TITLE_MSGS = {
    REQUEST: Msg("Request for adjudication (请求书)"),
    FILED: Msg("Notice of filing (立案通知书)"),
    CORRECTION: Msg("Notice to correct (补正通知书)"),
    NOT_FILED: Msg("Notice of not filing (不予立案通知书)"),
    DECISION: Msg("Adjudication decision (行政裁决书)"),
}
NOTICE_OWNER = "rights.adjudication.notice"
SUBJECT_ZH = {domain.INFRINGEMENT: "专利侵权纠纷", domain.DRUG_LINKAGE: "药品专利纠纷",
              domain.OPEN_LICENCE: "开放许可实施纠纷"}
FOOTNOTE = ("本文书由平台以电子方式出具，依据《专利纠纷行政裁决和调解办法》（国家知识产权局令第81号）。电子印章示意，"
            "非法定电子签章。",
            "Issued electronically under CNIPA Order No. 81. The seal is not a legal electronic seal.")


def _rows(adj: Adjudication) -> list[tuple[str, str, str]]:
    return [("请求人", "Requester", adj.requester),
            ("被请求人", "Respondent", adj.respondent),
            ("专利号", "Patent", adj.patent_number),
            ("纠纷类型", "Dispute", SUBJECT_ZH.get(adj.subject, adj.subject)),
            ("收到请求日", "Request received", adj.received_on.isoformat())]


def notice_for(adj: Adjudication, kind: str, *, body: str, reason: str, correction_days: int = 0) -> notice_pdf.Notice:
    rows = _rows(adj)
    text: list[str] = []
    if kind == REQUEST:  # Order 81 Arts 14-15: the request as the requester made it, for the file and the respondent
        text.append("请求事项及事实和理由：")
        text.append(reason or "—")
        text.append("请求人保证所提交材料真实、合法；未就本纠纷向人民法院起诉，当事人之间亦无其他约定的纠纷解决方式"
                    "（第12条）。")
    elif kind == FILED:
        rows.append(("立案日", "Filed on", adj.filed_on.isoformat() if adj.filed_on else ""))
        rows.append(("合议组", "Panel", "、".join(m.get("name", "") for m in adj.panel)))
        rows.append(("裁决期限", "Decision due", adj.decision_due.isoformat() if adj.decision_due else ""))
        text.append("你方提交的专利纠纷行政裁决请求符合受理条件，本部门已依法立案，并组成合议组审理。"
                    "本部门将于立案之日起5个工作日内将请求书副本送达被请求人；被请求人应当自收到之日起15日内"
                    "（在中国境内没有住所的，30日内）提交答辩书。")
        text.append("案件自立案之日起3个月内结案；情况复杂的，经批准可以延长。中止、公告、勘验、鉴定、管辖权异议、"
                    "当事人申请延期举证及和解期间不计入期限（第37条）。")
        text.append("当事人认为合议组成员应当回避的，可以在收到本通知之日起提出回避申请并说明理由。")
    elif kind == CORRECTION:
        due = adj.correction_due.isoformat() if adj.correction_due else ""
        text.append("经审查，你方提交的专利纠纷行政裁决请求存在以下需要补正的事项（本部门一次性告知）：")
        text.append(reason or "—")
        text.append(f"请于 {due} 前补正（{correction_days} 日内）。"
                    "期满未补正或者补正后仍不符合规定的，不予立案（第16条）。" if due else "请按要求补正。")
    elif kind == NOT_FILED:
        text.append("经审查，你方提交的专利纠纷行政裁决请求不符合立案条件，本部门决定不予立案，理由如下：")
        text.append(reason or "—")
        text.append("你方可以依法向人民法院起诉。")
    else:  # DECISION
        outcome = casetypes.DECISIONS.get(adj.outcome)
        rows.append(("立案日", "Filed on", adj.filed_on.isoformat() if adj.filed_on else ""))
        rows.append(("合议组", "Panel", "、".join(m.get("name", "") for m in adj.panel)))
        rows.append(("裁决结果", "Decision", outcome.render("zh_Hans") if outcome else adj.outcome))
        if adj.acts:
            rows.append(("认定的侵权行为", "Acts found",
                         "、".join(domain.INFRINGING_ACTS[a].render("zh_Hans").split(" (")[0]
                                  if a in domain.INFRINGING_ACTS else a for a in adj.acts)))
        text.append(adj.decision_text or "—")
        if adj.outcome in ("infringes", "partly"):
            text.append("被请求人应当自收到本裁决书之日起立即停止上述侵权行为。")
        if adj.repeat_infringement:
            text.append("被请求人在生效裁判认定侵权后再次实施同一类型侵权行为，属于重复侵权，本部门依法直接责令其停止"
                        "侵权行为（第34条）。")
        if adj.dishonest:
            text.append("被请求人的行为依法列入严重违法失信名单（第34条）。")
        text.append("当事人不服本裁决的，可以自收到本裁决书之日起15日内，依照《中华人民共和国行政诉讼法》向人民法院"
                    "起诉；期满不起诉又不停止侵权行为的，本部门可以申请人民法院强制执行（《专利法》第65条）。")
    return notice_pdf.Notice(kind=kind, title=TITLES[kind], number_label=("案号", "Case No."), number=adj.number,
                             body=body, issued_on=today().isoformat(), rows=rows, text=text, footnote=FOOTNOTE)


def filename(notice: notice_pdf.Notice) -> str:
    return f"{notice.title[0]}-{notice.number}.pdf"


def issue(session: Session, actor: Actor, adj: Adjudication, kind: str, *, body: str, reason: str = "",
          correction_days: int = 0) -> Attachment:
    """Render the document (refused, before anything is kept, when a glyph is missing), keep it with the case and
    record it in the audit trail."""
    notice = notice_for(adj, kind, body=body, reason=reason, correction_days=correction_days)
    pdf = notice_pdf.render_pdf(notice)
    kept = files_of(session).attach(session, Upload(filename(notice), io.BytesIO(pdf)), NOTICE_OWNER, adj.id,
                                    actor.user_id, field=kind, allowed={".pdf": {"application/pdf"}})
    audit.record(session, actor, "rights.document", "rights.adjudication", adj.id, summary=f"{adj.number} {kind}",
                 detail={"kind": kind, "file": kept.id})
    return kept


def kind_of(attachment: Attachment) -> str:
    """The kind of a kept document, read from its file name (attachments carry no kind of their own)."""
    return next((k for k, (zh, _) in TITLES.items() if attachment.filename.startswith(f"{zh}-")), "")
