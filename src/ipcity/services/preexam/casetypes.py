"""The case types of fast pre-examination, declared for the case engine.

Registration (备案, rules.md §8 "Eligibility"): the company files → the centre admits it (for a year), returns it for
correction, or refuses it with reasons; an admission may be suspended (an abnormal-filing finding, rules.md §5.1)
and reinstated, is renewed yearly on the company's request, and may be revoked.

Pre-examination (rules.md §8 "Flow"): submitted → accepted (or not accepted, e.g. an excluded PCT or divisional
application) → formal and preliminary substantive examination, with correction requests that stop the clock until
the company replies (deemed withdrawn when the reply is late) → 预审合格 (passed, with the period within which the
case must be filed at CNIPA) or not passed with reasons → filed at CNIPA (its application number) → granted, or
lapsed when it was not filed in time. The clocks are the centre's own settings (rules.md §14.10: not public).
The steps open to an official of any unit or to the system (ANYONE) are narrowed by the service's guard
(service.py): only the centre's own officials, and only once the reply or filing period has passed.
"""

from __future__ import annotations

from ipcity.core.i18n import Msg
from ipcity.core.numbers import DESIGN, INVENTION, UTILITY
from ipcity.core.roles import ADMIN, APPLICANT_COMPANY, HANDLER, HEAD, REVIEWER
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

REGISTRATION_KEY = "preexam.registration"
SUBMISSION_KEY = "preexam.submission"

COMPANIES = frozenset({APPLICANT_COMPANY})
OFFICIALS = frozenset({HANDLER, REVIEWER, HEAD})
EXAMINERS = frozenset({REVIEWER, HEAD})  # the centre's examiners decide; handlers accept and ask for corrections
SYSTEM = frozenset({ADMIN})

CENTRE_SETTING = Msg("The protection centre's own time limit (not in the published rules; configurable)").msgid
EXAM_SETTINGS = {INVENTION: "preexam_exam_days_invention", UTILITY: "preexam_exam_days_utility",
                 DESIGN: "preexam_exam_days_design"}

# Why a case does not pass or is not accepted (the examiner picks one or more; the notice lists them).
REASONS: dict[str, Msg] = {
    "outside_fields": Msg("Outside the centre's technical fields (不属于预审技术领域)"),
    "excluded": Msg("An excluded kind of application: PCT, divisional, or a same-day invention and utility model "
                    "(不属于预审受理范围)"),
    "applicant": Msg("The applicant does not meet the registration conditions (申请主体不符合备案条件)"),
    "formal": Msg("Formal defects not remedied (形式缺陷未克服)"),
    "unclear": Msg("Claims unclear or not supported by the description (权利要求不清楚或得不到说明书支持)"),
    "novelty": Msg("Apparently lacks novelty or inventive step against the prior art (明显不具备新颖性或创造性)"),
    "subject": Msg("Not patentable subject matter (不属于专利保护客体)"),
    "other": Msg("Other (其他)"),
}


_reasons_check = chosen_from(REASONS, Msg("Choose at least one reason"))


def _exam_days(settings, case) -> int | None:
    setting = EXAM_SETTINGS.get((case.data or {}).get("patent_type", ""))
    return int(getattr(settings, setting)) if setting else None


def registration_type() -> CaseType:
    return CaseType(
        key=REGISTRATION_KEY,
        label=Msg("Registration with the protection centre (预审备案)"),
        number_prefix="PRB",
        states=(
            State("filed", Msg("Filed, awaiting the centre's review"), stage=ACCEPTANCE),
            State("correction", Msg("Returned for correction")),
            State("admitted", Msg("Admitted (备案通过)"), stage=CONCLUSION),
            State("suspended", Msg("Admission suspended"), stage=CONCLUSION),
            State("renewal", Msg("Renewal requested"), stage=REVIEW),
            State("refused", Msg("Refused"), final=True),
            State("revoked", Msg("Admission revoked"), final=True),
            State("withdrawn", Msg("Withdrawn by the company"), final=True),
        ),
        initial="filed",
        transitions=(
            Transition("admit", Msg("Admit the company (备案通过)"), ("filed",), "admitted", OFFICIALS, ASSIGNED_UNIT),
            Transition("return", Msg("Return for correction"), ("filed",), "correction", OFFICIALS, ASSIGNED_UNIT,
                       reason_required=True),
            Transition("refuse", Msg("Refuse the registration"), ("filed",), "refused", OFFICIALS, ASSIGNED_UNIT,
                       reason_required=True),
            Transition("resubmit", Msg("Submit the corrected registration"), ("correction",), "filed", COMPANIES,
                       APPLICANT, only_via=Msg("Submit the corrected registration with its form")),
            Transition("withdraw", Msg("Withdraw the registration"), ("filed", "correction"), "withdrawn", COMPANIES,
                       APPLICANT, reason_required=True),
            Transition("suspend", Msg("Suspend the admission"), ("admitted", "renewal"), "suspended", OFFICIALS,
                       ASSIGNED_UNIT, reason_required=True),
            Transition("reinstate", Msg("Reinstate the admission"), ("suspended",), "admitted", OFFICIALS,
                       ASSIGNED_UNIT, reason_required=True),
            Transition("request_renewal", Msg("Request renewal for another year"), ("admitted",), "renewal",
                       COMPANIES, APPLICANT, only_via=Msg("Request the renewal with its form")),
            Transition("renew", Msg("Renew the admission for a year"), ("renewal",), "admitted", OFFICIALS,
                       ASSIGNED_UNIT),
            Transition("revoke", Msg("Revoke the admission"), ("admitted", "suspended", "renewal"), "revoked",
                       OFFICIALS, ASSIGNED_UNIT, reason_required=True),
        ),
        deadlines=(
            DeadlineRule("review", Msg("Review of the registration"), frozenset({"create", "resubmit"}),
                         frozenset({"admit", "return", "refuse", "withdraw"}), 5, WORKING_DAYS, CENTRE_SETTING,
                         setting="preexam_registration_days"),
            DeadlineRule("renewal", Msg("Review of the renewal"), frozenset({"request_renewal"}),
                         frozenset({"renew", "suspend", "revoke"}), 5, WORKING_DAYS, CENTRE_SETTING,
                         setting="preexam_registration_days"),
        ),
        link=lambda case: f"/preexam/registrations/{case.subject_id}",
    )


def submission_type() -> CaseType:
    return CaseType(
        key=SUBMISSION_KEY,
        label=Msg("Fast pre-examination (专利快速预审)"),
        number_prefix="PRE",
        states=(
            State("submitted", Msg("Submitted, awaiting acceptance"), stage=ACCEPTANCE),
            State("examining", Msg("Under pre-examination"), stage=REVIEW),
            State("correction", Msg("Correction requested")),
            State("passed", Msg("Passed (预审合格): to be filed at CNIPA"), stage=CONCLUSION),
            State("filed", Msg("Filed at CNIPA, awaiting grant"), stage=CONCLUSION),
            State("granted", Msg("Granted"), final=True),
            State("not_accepted", Msg("Not accepted (不予受理)"), final=True),
            State("not_passed", Msg("Not passed (预审不合格)"), final=True),
            State("withdrawn", Msg("Withdrawn"), final=True),
            State("lapsed", Msg("Not filed in time"), final=True),
        ),
        initial="submitted",
        transitions=(
            Transition("accept", Msg("Accept for pre-examination (受理)"), ("submitted",), "examining", OFFICIALS,
                       ASSIGNED_UNIT),
            Transition("not_accept", Msg("Do not accept (不予受理)"), ("submitted",), "not_accepted", OFFICIALS,
                       ASSIGNED_UNIT, fields=(FieldSpec("reasons", Msg("Reasons"), check=_reasons_check),),
                       reason_required=True),
            Transition("request_correction", Msg("Ask for a correction (补正)"), ("examining",), "correction",
                       OFFICIALS, ASSIGNED_UNIT, reason_required=True),
            Transition("reply", Msg("Submit the correction"), ("correction",), "examining", COMPANIES, APPLICANT,
                       only_via=Msg("Submit the correction with its form")),
            Transition("pass", Msg("Pass the pre-examination (预审合格)"), ("examining",), "passed", EXAMINERS,
                       ASSIGNED_UNIT, irreversible=True),
            Transition("fail", Msg("Do not pass (预审不合格)"), ("examining",), "not_passed", EXAMINERS, ASSIGNED_UNIT,
                       fields=(FieldSpec("reasons", Msg("Reasons"), check=_reasons_check),), reason_required=True),
            Transition("deem_withdrawn", Msg("Deem withdrawn: no reply in time (视为撤回)"), ("correction",),
                       "withdrawn", OFFICIALS | SYSTEM, ANYONE),
            Transition("withdraw", Msg("Withdraw the case"), ("submitted", "examining", "correction"), "withdrawn",
                       COMPANIES, APPLICANT, reason_required=True),
            Transition("record_filing", Msg("Record the CNIPA filing"), ("passed",), "filed",
                       COMPANIES | OFFICIALS | SYSTEM, ANYONE,
                       only_via=Msg("Record the filing with its application number and date")),
            Transition("lapse", Msg("Close: not filed in time"), ("passed",), "lapsed", OFFICIALS | SYSTEM,
                       ANYONE),
            Transition("grant", Msg("Record the grant"), ("filed",), "granted", OFFICIALS | SYSTEM, ANYONE,
                       only_via=Msg("The grant is recorded from the patent register")),
        ),
        deadlines=(
            DeadlineRule("acceptance", Msg("Acceptance"), frozenset({"create"}),
                         frozenset({"accept", "not_accept", "withdraw"}), 2, WORKING_DAYS, CENTRE_SETTING,
                         setting="preexam_acceptance_days"),
            DeadlineRule("examination", Msg("Pre-examination"), frozenset({"accept"}),
                         frozenset({"pass", "fail", "withdraw", "deem_withdrawn"}), 15, WORKING_DAYS, CENTRE_SETTING,
                         pauses_on=frozenset({"request_correction"}), resumes_on=frozenset({"reply"}),
                         days_for=_exam_days),
            DeadlineRule("correction", Msg("The company's correction"), frozenset({"request_correction"}),
                         frozenset({"reply", "withdraw", "deem_withdrawn"}), 5, WORKING_DAYS, CENTRE_SETTING,
                         setting="preexam_correction_days"),
            DeadlineRule("filing", Msg("Filing at CNIPA after passing"), frozenset({"pass"}),
                         frozenset({"record_filing", "lapse"}), 30, CALENDAR_DAYS, CENTRE_SETTING,
                         setting="preexam_filing_days"),
        ),
        link=lambda case: f"/preexam/cases/{case.subject_id}",
    )
