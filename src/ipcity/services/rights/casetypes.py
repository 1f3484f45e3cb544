"""The case types of the rights-protection network, declared for the case engine.

Request (维权援助请求, one intake for everyone): received by the unit the routing table names → its first response
within the office's commitment: taken on (handled by the unit: consultation, assistance, a complaint), referred
into a case of its own (an adjudication, a mediation, a fair complaint, overseas guidance), transferred to another
unit (移送: the first-response clock starts again there), or declined with reasons; a handled request is closed
with its outcome; a referred one closes when its case does.

Adjudication (专利纠纷行政裁决, CNIPA Order No. 81, rules.md §9.2 as §14.1 corrects it, §14.2):
received → filed (立案) within 5 working days (10 when complex, Art 20), or one complete correction notice (Art 16)
and the request filed or not filed after it; filed → the request served on the respondent within 5 working days,
the answer within 15 days (30 without domicile in China, Art 22); the periods that do not count stop the decision
clock (Art 37); extensions of 1 and then 2 months, each with its approver; decided within 3 months of filing; the
parties have 15 days to sue (Patent Law Art 65), then the case closes. Settled and withdrawn cases end early.

Mediation (Order 81 Arts 63–69): received → the opinion notice to the respondent within 5 working days → the
respondent's statement within 15 days → filed (mediating) or not filed → an agreement (its PDF), judicial
confirmation at a party's request, performance → closed; or no agreement.

Fair complaint (展会投诉, 展会知识产权保护指引 Art 14): received at the desk → the respondent notified: 24 hours
for a written statement and evidence → the desk's measures (cover or withdraw the exhibits, take down links) or
no measures → closed.

Overseas guidance (海外知识产权纠纷应对指导): received → guiding (records of guidance) → closed.
"""

from __future__ import annotations

from ipcity.core.i18n import Msg
from ipcity.core.roles import ADMIN, APPLICANT_COMPANY, APPLICANT_INDIVIDUAL, HANDLER, HEAD, MEDIATOR, REVIEWER
from ipcity.services.rights import domain
from ipcity.workflow.definition import (
    ACCEPTANCE,
    ANYONE,
    APPLICANT,
    ASSIGNED_UNIT,
    CALENDAR_DAYS,
    CONCLUSION,
    REVIEW,
    WORKING_DAYS,
    CaseType,
    DeadlineRule,
    FieldSpec,
    State,
    Transition,
    chosen_from,
)

REQUEST_KEY = "rights.request"
ADJUDICATION_KEY = "rights.adjudication"
MEDIATION_KEY = "rights.mediation"
FAIR_KEY = "rights.fair_complaint"
OVERSEAS_KEY = "rights.overseas"

REQUESTERS = frozenset({APPLICANT_COMPANY, APPLICANT_INDIVIDUAL})
OFFICIALS = frozenset({HANDLER, REVIEWER, HEAD})
DECIDERS = frozenset({REVIEWER, HEAD})  # the panel's presiding members and the head sign decisions
MEDIATORS = OFFICIALS | {MEDIATOR}
STAFF = MEDIATORS  # who works a request at the unit it is with (a mediation body's mediators too)
SYSTEM = frozenset({ADMIN})

OFFICE_SETTING = Msg("The office's own service commitment (not fixed by the published rules; configurable)").msgid
ORDER81_ART16 = Msg("CNIPA Order No. 81 Art 16: the period the correction notice sets (the office's setting)").msgid
ORDER81_ART20 = Msg("CNIPA Order No. 81 Art 20: filed or refused within 5 working days (10 when complex)").msgid
ORDER81_ART22_SERVE = Msg("CNIPA Order No. 81 Art 22: the request served within 5 working days of filing").msgid
ORDER81_ART22_ANSWER = Msg("CNIPA Order No. 81 Art 22: the answer within 15 days (30 without domicile in "
                           "China)").msgid
ORDER81_ART37 = Msg("CNIPA Order No. 81 Art 37: decided within 3 months of filing, extensions of 1 and then 2 "
                    "months; the periods that do not count are not counted").msgid
ORDER81_ART65 = Msg("CNIPA Order No. 81 Art 65: the opinion notice within 5 working days; the respondent's "
                    "statement within 15 days").msgid
GUIDE_ART14 = Msg("CNIPA Guide to IP protection at exhibitions (2022) Art 14: a written statement within 24 "
                  "hours").msgid

OUTCOMES: dict[str, Msg] = {
    "answered": Msg("Answered or advised (已答复)"),
    "assisted": Msg("Assistance given (已援助)"),
    "enforced": Msg("Enforcement action taken (已查处)"),
    "no_infringement": Msg("No infringement found (未发现侵权)"),
    "settled": Msg("Settled between the parties (当事人和解)"),
    "referred_court": Msg("Referred to the court or another authority (移交司法或其他机关)"),
    "other": Msg("Other (其他)"),
}
DECISIONS: dict[str, Msg] = {
    "infringes": Msg("Infringement found: ordered to stop (认定侵权，责令停止侵权)"),
    "no_infringement": Msg("No infringement: the request is dismissed (不构成侵权，驳回请求)"),
    "partly": Msg("Infringement found in part (部分认定侵权)"),
}
CLOSING: dict[str, Msg] = {
    "settled": Msg("Settled (和解)"),
    "mediated": Msg("Mediated agreement (调解达成协议)"),
    "withdrawn": Msg("Withdrawn by the requester (请求人撤回)"),
}

_outcome_check = chosen_from(OUTCOMES, Msg("Choose the outcome"), single=True)
_decision_check = chosen_from(DECISIONS, Msg("Choose the decision"), single=True)
_stop_check = chosen_from(domain.STOP_KINDS, Msg("Choose why the clock stops"), single=True)
_level_check = chosen_from(domain.EXTENSION_LEVELS, Msg("Choose who approved the extension"), single=True)
_measure_check = chosen_from(domain.FAIR_MEASURES, Msg("Choose at least one measure"))


def _first_response_link(case) -> str:
    return f"/rights/requests/{case.subject_id}"


def request_type() -> CaseType:
    return CaseType(
        key=REQUEST_KEY,
        label=Msg("Rights-protection request (维权援助请求)"),
        number_prefix="WQ",
        states=(
            State("received", Msg("Received, awaiting the unit's first response"), stage=ACCEPTANCE),
            State("handling", Msg("Being handled (办理中)"), stage=REVIEW),
            State("referred", Msg("Taken on as a case (已立案或转入专门程序)"), stage=REVIEW),
            State("closed", Msg("Closed (办结)"), final=True),
            State("declined", Msg("Declined (不予受理)"), final=True),
            State("withdrawn", Msg("Withdrawn (撤回)"), final=True),
        ),
        initial="received",
        transitions=(
            Transition("take", Msg("Take on the request (受理)"), ("received",), "handling", STAFF, ASSIGNED_UNIT),
            Transition("refer", Msg("Take on as an adjudication, mediation, fair complaint or overseas case"),
                       ("received", "handling"), "referred", STAFF, ASSIGNED_UNIT,
                       only_via=Msg("Open the case from the request's page")),
            Transition("transfer", Msg("Transfer to another unit (移送)"), ("received", "handling"), "received",
                       STAFF, ASSIGNED_UNIT, only_via=Msg("Transfer the request from its page, choosing the unit"),
                       reason_required=True),
            Transition("decline", Msg("Decline the request (不予受理)"), ("received", "handling"), "declined",
                       STAFF, ASSIGNED_UNIT, reason_required=True),
            Transition("close", Msg("Close with the outcome (办结)"), ("handling",), "closed", STAFF,
                       ASSIGNED_UNIT, fields=(FieldSpec("outcome", Msg("Outcome"), check=_outcome_check),),
                       reason_required=True),
            Transition("conclude", Msg("Close: its case has ended"), ("referred",), "closed", STAFF | SYSTEM,
                       ANYONE, only_via=Msg("The request closes when its case ends")),
            Transition("withdraw", Msg("Withdraw the request"), ("received", "handling"), "withdrawn", REQUESTERS,
                       APPLICANT, reason_required=True),
        ),
        deadlines=(
            DeadlineRule("first_response", Msg("The unit's first response"), frozenset({"create", "transfer"}),
                         frozenset({"take", "refer", "transfer", "decline", "withdraw"}), 2, WORKING_DAYS,
                         OFFICE_SETTING, setting="rights_first_response_days"),
        ),
        link=_first_response_link,
    )


def _acceptance_days(settings, case) -> int | None:
    extra = domain.COMPLEX_EXTRA_DAYS if (case.data or {}).get("complex_case") else 0
    return domain.ACCEPTANCE_DAYS + extra


def _answer_days(settings, case) -> int | None:
    abroad = (case.data or {}).get("respondent_in_china") is False
    return domain.ANSWER_DAYS_ABROAD if abroad else domain.ANSWER_DAYS


def _decision_days(settings, case) -> int | None:
    """The three months as calendar days from today (the filing day): the service sets the exact due day, with
    its extensions and stops, after each step (service.adjudication)."""
    from ipcity.core.clock import today

    start = today()
    return (domain.add_months(start, domain.DECISION_MONTHS) - start).days


ADJ_OPEN = ("filed", "stopped")


def adjudication_type() -> CaseType:
    return CaseType(
        key=ADJUDICATION_KEY,
        label=Msg("Administrative adjudication of a patent dispute (专利纠纷行政裁决)"),
        number_prefix="CJ",
        states=(
            State("received", Msg("Request received, awaiting filing (待立案)"), stage=ACCEPTANCE),
            State("correction", Msg("Correction requested (补正中)")),
            State("filed", Msg("Filed, under adjudication (已立案，审理中)"), stage=REVIEW),
            State("stopped", Msg("Clock stopped: a period that does not count (期限中止计算)"), stage=REVIEW),
            State("decided", Msg("Decided: the period to sue runs (已裁决)"), stage=CONCLUSION),
            State("closed", Msg("Closed (结案)"), final=True),
            State("ended", Msg("Ended by settlement, mediation or withdrawal (撤销或和解结案)"), final=True),
            State("not_filed", Msg("Not filed (不予立案)"), final=True),
        ),
        initial="received",
        transitions=(
            Transition("file", Msg("File the case (立案)"), ("received",), "filed", OFFICIALS, ASSIGNED_UNIT,
                       only_via=Msg("File the case from its page, with the panel")),
            Transition("request_correction", Msg("Send the correction notice (补正通知)"), ("received",),
                       "correction", OFFICIALS, ASSIGNED_UNIT, reason_required=True),
            Transition("correct", Msg("Submit the corrected request"), ("correction",), "received", REQUESTERS,
                       APPLICANT, only_via=Msg("Submit the corrected request with its form")),
            Transition("refuse", Msg("Do not file (不予立案)"), ("received", "correction"), "not_filed", OFFICIALS,
                       ASSIGNED_UNIT, reason_required=True),
            Transition("serve", Msg("Record service of the request on the respondent (送达)"), ("filed",), "filed",
                       OFFICIALS, ASSIGNED_UNIT, only_via=Msg("Record the service with its date")),
            Transition("record_answer", Msg("Record the respondent's answer (答辩)"), ("filed",), "filed",
                       OFFICIALS, ASSIGNED_UNIT, reason_required=True),
            Transition("stop_clock", Msg("Stop the clock: a period that does not count"), ("filed",), "stopped",
                       OFFICIALS, ASSIGNED_UNIT, fields=(FieldSpec("stop", Msg("Why"), check=_stop_check),),
                       reason_required=True),
            Transition("resume_clock", Msg("Resume the clock"), ("stopped",), "filed", OFFICIALS, ASSIGNED_UNIT,
                       reason_required=True),
            Transition("extend", Msg("Extend the decision period (延长)"), ("filed",), "filed", DECIDERS,
                       ASSIGNED_UNIT, fields=(FieldSpec("level", Msg("Approved by"), check=_level_check),
                                              FieldSpec("approver", Msg("Approver"), max_length=100)),
                       reason_required=True),
            Transition("decide", Msg("Issue the decision (作出裁决)"), ("filed",), "decided", DECIDERS,
                       ASSIGNED_UNIT, only_via=Msg("Issue the decision with its form")),
            Transition("end", Msg("End the case: settled, mediated or withdrawn (结案)"), ("received", "correction",
                       "filed", "stopped"), "ended", OFFICIALS, ASSIGNED_UNIT,
                       fields=(FieldSpec("closing", Msg("How it ended"),
                                         check=chosen_from(CLOSING, Msg("Choose how the case ended"), single=True)),),
                       reason_required=True),
            Transition("withdraw", Msg("Withdraw the request (撤回请求)"), ("received", "correction", "filed",
                       "stopped"), "ended", REQUESTERS, APPLICANT, reason_required=True),
            Transition("close", Msg("Close: the period to sue has passed (结案)"), ("decided",), "closed",
                       OFFICIALS | SYSTEM, ANYONE),
        ),
        deadlines=(
            DeadlineRule("acceptance", Msg("Filing or refusal (立案审查)"), frozenset({"create", "correct"}),
                         frozenset({"file", "request_correction", "refuse", "end", "withdraw"}), 5, WORKING_DAYS,
                         ORDER81_ART20, days_for=_acceptance_days),
            DeadlineRule("correction", Msg("The requester's correction (补正)"), frozenset({"request_correction"}),
                         frozenset({"correct", "refuse", "end", "withdraw"}), 15, CALENDAR_DAYS, ORDER81_ART16,
                         setting="rights_correction_days"),
            DeadlineRule("service", Msg("Service on the respondent (送达)"), frozenset({"file"}),
                         frozenset({"serve", "end", "withdraw"}), 5, WORKING_DAYS, ORDER81_ART22_SERVE),
            DeadlineRule("answer", Msg("The respondent's answer (答辩)"), frozenset({"serve"}),
                         frozenset({"record_answer", "decide", "end", "withdraw"}), 15, CALENDAR_DAYS,
                         ORDER81_ART22_ANSWER, days_for=_answer_days, period=True),
            DeadlineRule("decision", Msg("The decision (裁决)"), frozenset({"file"}),
                         frozenset({"decide", "end", "withdraw"}), 90, CALENDAR_DAYS, ORDER81_ART37,
                         pauses_on=frozenset({"stop_clock"}), resumes_on=frozenset({"resume_clock"}),
                         days_for=_decision_days),
        ),
        link=lambda case: f"/rights/adjudications/{case.subject_id}",
    )


def mediation_type() -> CaseType:
    return CaseType(
        key=MEDIATION_KEY,
        label=Msg("Mediation of an IP dispute (知识产权纠纷调解)"),
        number_prefix="TJ",
        states=(
            State("received", Msg("Received: the respondent to be asked (待通知)"), stage=ACCEPTANCE),
            State("notified", Msg("Respondent notified: awaiting its statement (待答复)"), stage=ACCEPTANCE),
            State("mediating", Msg("Mediation filed: mediating (调解中)"), stage=REVIEW),
            State("agreed", Msg("Agreement reached: performance followed (已达成协议)"), stage=CONCLUSION),
            State("closed", Msg("Closed (结案)"), final=True),
            State("not_filed", Msg("Not filed: the respondent declined or did not answer (不予立案)"), final=True),
            State("failed", Msg("Ended without agreement (调解不成)"), final=True),
            State("withdrawn", Msg("Withdrawn (撤回)"), final=True),
        ),
        initial="received",
        transitions=(
            Transition("notify", Msg("Send the opinion notice to the respondent"), ("received",), "notified",
                       MEDIATORS, ASSIGNED_UNIT),
            Transition("agree", Msg("Record the respondent's agreement to mediate"), ("notified",), "mediating",
                       MEDIATORS, ASSIGNED_UNIT, reason_required=True),
            Transition("not_file", Msg("Do not file: the respondent declined or did not answer"), ("notified",),
                       "not_filed", MEDIATORS, ASSIGNED_UNIT, reason_required=True),
            Transition("record_agreement", Msg("Record the mediation agreement (调解协议)"), ("mediating",),
                       "agreed", MEDIATORS, ASSIGNED_UNIT, only_via=Msg("Record the agreement with its form")),
            Transition("fail", Msg("End without agreement (调解不成)"), ("mediating",), "failed", MEDIATORS,
                       ASSIGNED_UNIT, reason_required=True),
            Transition("close", Msg("Close: the agreement is performed (履行完毕)"), ("agreed",), "closed",
                       MEDIATORS, ASSIGNED_UNIT, reason_required=True),
            Transition("withdraw", Msg("Withdraw the request for mediation"), ("received", "notified",
                       "mediating"), "withdrawn", REQUESTERS, APPLICANT, reason_required=True),
        ),
        deadlines=(
            DeadlineRule("notice", Msg("The opinion notice to the respondent"), frozenset({"create"}),
                         frozenset({"notify", "withdraw"}), domain.MEDIATION_NOTICE_DAYS, WORKING_DAYS,
                         ORDER81_ART65),
            DeadlineRule("statement", Msg("The respondent's statement"), frozenset({"notify"}),
                         frozenset({"agree", "not_file", "withdraw"}), domain.MEDIATION_STATEMENT_DAYS,
                         CALENDAR_DAYS, ORDER81_ART65, period=True),
        ),
        link=lambda case: f"/rights/mediations/{case.subject_id}",
    )


def fair_complaint_type() -> CaseType:
    return CaseType(
        key=FAIR_KEY,
        label=Msg("Complaint at a fair (展会知识产权投诉)"),
        number_prefix="ZH",
        states=(
            State("received", Msg("Received at the desk (已接收)"), stage=ACCEPTANCE),
            State("notified", Msg("Respondent notified: 24 hours for a written statement"), stage=REVIEW),
            State("measures", Msg("Measures taken (已采取处置措施)"), stage=CONCLUSION),
            State("closed", Msg("Closed (办结)"), final=True),
            State("rejected", Msg("Not accepted (不予受理)"), final=True),
            State("withdrawn", Msg("Withdrawn (撤回)"), final=True),
        ),
        initial="received",
        transitions=(
            Transition("notify", Msg("Notify the respondent (通知被投诉人)"), ("received",), "notified", OFFICIALS,
                       ASSIGNED_UNIT),
            Transition("reject", Msg("Do not accept the complaint"), ("received",), "rejected", OFFICIALS,
                       ASSIGNED_UNIT, reason_required=True),
            Transition("take_measures", Msg("Take the measures (处置)"), ("notified",), "measures", OFFICIALS,
                       ASSIGNED_UNIT, fields=(FieldSpec("measures", Msg("Measures"), check=_measure_check),),
                       reason_required=True),
            Transition("close", Msg("Close the complaint (办结)"), ("notified", "measures"), "closed", OFFICIALS,
                       ASSIGNED_UNIT, fields=(FieldSpec("outcome", Msg("Outcome"), check=_outcome_check),),
                       reason_required=True),
            Transition("withdraw", Msg("Withdraw the complaint"), ("received", "notified"), "withdrawn", REQUESTERS,
                       APPLICANT, reason_required=True),
        ),
        link=lambda case: f"/rights/fair-complaints/{case.subject_id}",
    )


def overseas_type() -> CaseType:
    return CaseType(
        key=OVERSEAS_KEY,
        label=Msg("Overseas dispute guidance (海外知识产权纠纷应对指导)"),
        number_prefix="HW",
        states=(
            State("received", Msg("Received (已接收)"), stage=ACCEPTANCE),
            State("guiding", Msg("Guidance under way (指导中)"), stage=REVIEW),
            State("closed", Msg("Closed (办结)"), final=True),
            State("withdrawn", Msg("Withdrawn (撤回)"), final=True),
        ),
        initial="received",
        transitions=(
            Transition("begin_guidance", Msg("Start the guidance"), ("received",), "guiding", OFFICIALS, ASSIGNED_UNIT),
            Transition("close", Msg("Close the guidance (办结)"), ("guiding",), "closed", OFFICIALS, ASSIGNED_UNIT,
                       fields=(FieldSpec("outcome", Msg("Outcome"), check=_outcome_check),), reason_required=True),
            Transition("withdraw", Msg("Withdraw the request"), ("received", "guiding"), "withdrawn", REQUESTERS,
                       APPLICANT, reason_required=True),
        ),
        deadlines=(
            DeadlineRule("first_guidance", Msg("The first guidance"), frozenset({"create"}),
                         frozenset({"begin_guidance", "withdraw"}),
                         5, WORKING_DAYS, OFFICE_SETTING),
        ),
        link=lambda case: f"/rights/overseas/{case.subject_id}",
    )
