"""The case types of data-IP registration, declared for the case engine.

Registration (设立登记) follows rules.md §1.4: filing → formal review (补正 possible) → substantive review with
an expert opinion step (补正 possible) → approval for publicity → publicity, during which anyone may object →
objection decision → registration, or refusal on Shanghai Art 7 grounds; withdrawal by the applicant at any
point before registration; after registration, cancellation by the holder (Art 12, 注销), revocation by the
office (撤销, on an Art 7 ground found later) and expiry. Changes and renewals of a registered product are
cases of their own (amendment). Service rules that need the database (publicity over, no open objection,
numbers, log entries) are the `guard` and `after` hooks that service.py adds.
"""

from __future__ import annotations

from ipcity.core.i18n import Msg
from ipcity.core.roles import ADMIN, ALL_ROLES, APPLICANT_COMPANY, APPLICANT_INDIVIDUAL, HANDLER, HEAD, REVIEWER
from ipcity.services.dataip.domain import PUBLIC, RULE_SETTINGS, Rules, grounds_check
from ipcity.workflow.definition import (
    ACCEPTANCE,
    APPLICANT,
    ASSIGNED_UNIT,
    CALENDAR_DAYS,
    CONCLUSION,
    PUBLICITY,
    WORKING_DAYS,
    CaseType,
    DeadlineRule,
    FieldSpec,
    State,
    Transition,
)

REGISTRATION_KEY = "dataip.registration"
AMENDMENT_KEY = "dataip.amendment"

APPLICANTS = frozenset({APPLICANT_COMPANY, APPLICANT_INDIVIDUAL})
OFFICIALS = frozenset({HANDLER, REVIEWER, HEAD})
DECIDERS = frozenset({REVIEWER, HEAD})
SYSTEM = frozenset({ADMIN})  # the daily sweep acts as the system

BEFORE_REGISTRATION = ("submitted", "formal_correction", "substantive_review", "expert_review",
                       "substantive_correction", "in_publicity", "objection_review")
UNDER_REVIEW = ("submitted", "formal_correction", "substantive_review", "expert_review", "substantive_correction")

SERVICE_COMMITMENT = Msg("Registration body's service commitment (not in the published measures; configurable)").msgid
# The deadlines' amounts are Rules' defaults; the engine takes the installation's own from its settings
# (DeadlineRule.setting: the IPCITY_DATAIP_* settings, core/config.py).
DEFAULTS = Rules()


def _grounds() -> FieldSpec:
    return FieldSpec("grounds", Msg("Grounds (Shanghai measures Art 7)"), check=grounds_check)


def _limit(name: str) -> dict:
    """The default amount of a Rules limit and the setting that overrides it."""
    return {"amount": getattr(DEFAULTS, name), "setting": RULE_SETTINGS[name]}


def registration_type() -> CaseType:
    return CaseType(
        key=REGISTRATION_KEY,
        label=Msg("Data-IP registration (数据知识产权登记)"),
        number_prefix="DIP",
        states=(
            State("submitted", Msg("Filed, awaiting formal review")),
            State("formal_correction", Msg("Correction requested (formal review)"), stage=ACCEPTANCE),
            State("substantive_review", Msg("Substantive review")),
            State("expert_review", Msg("Awaiting the expert opinion")),
            State("substantive_correction", Msg("Correction requested (substantive review)")),
            State("in_publicity", Msg("In publicity (公示)"), stage=PUBLICITY),
            State("objection_review", Msg("Objection under review"), stage=PUBLICITY),
            State("registered", Msg("Registered"), stage=CONCLUSION),
            State("refused", Msg("Refused registration"), final=True),
            State("withdrawn", Msg("Withdrawn"), final=True),
            State("cancelled", Msg("Cancelled (注销)"), final=True),
            State("revoked", Msg("Revoked (撤销)"), final=True),
            State("expired", Msg("Expired"), final=True),
        ),
        initial="submitted",
        transitions=(
            Transition("pass_formal", Msg("Pass formal review"), ("submitted",), "substantive_review", OFFICIALS,
                       ASSIGNED_UNIT),
            Transition("request_formal_correction", Msg("Request correction (formal)"), ("submitted",),
                       "formal_correction", OFFICIALS, ASSIGNED_UNIT, reason_required=True),
            Transition("submit_formal_correction", Msg("Submit the correction"), ("formal_correction",),
                       "submitted", APPLICANTS, APPLICANT,
                       fields=(FieldSpec("correction", Msg("What was corrected")),)),
            Transition("request_expert", Msg("Ask the expert committee"), ("substantive_review",),
                       "expert_review", OFFICIALS, ASSIGNED_UNIT,
                       fields=(FieldSpec("experts", Msg("Experts consulted")),), reason_required=True),
            Transition("record_expert_opinion", Msg("Record the expert opinion"), ("expert_review",),
                       "substantive_review", OFFICIALS, ASSIGNED_UNIT,
                       fields=(FieldSpec("expert_opinion", Msg("Expert opinion")),
                               FieldSpec("expert_conclusion", Msg("Expert conclusion"),
                                         check=lambda v: None if v in ("supports", "opposes", "mixed")
                                         else Msg("Choose the expert conclusion")))),
            Transition("request_substantive_correction", Msg("Request correction (substantive)"),
                       ("substantive_review",), "substantive_correction", OFFICIALS, ASSIGNED_UNIT,
                       reason_required=True),
            Transition("submit_substantive_correction", Msg("Submit the correction (substantive)"),
                       ("substantive_correction",), "substantive_review", APPLICANTS, APPLICANT,
                       fields=(FieldSpec("correction", Msg("What was corrected")),)),
            Transition("approve_publicity", Msg("Approve for publicity"), ("substantive_review",), "in_publicity",
                       DECIDERS, ASSIGNED_UNIT, irreversible=True),
            Transition("object", Msg("File an objection"), ("in_publicity",), "objection_review",
                       ALL_ROLES | {PUBLIC},
                       only_via=Msg("Objections are filed through the public registry's objection form")),
            Transition("uphold_objection", Msg("Uphold the objection and refuse"), ("objection_review",), "refused",
                       DECIDERS, ASSIGNED_UNIT, fields=(_grounds(),), reason_required=True),
            Transition("dismiss_objection", Msg("Dismiss the objection"), ("objection_review",), "in_publicity",
                       DECIDERS, ASSIGNED_UNIT, reason_required=True),
            Transition("register", Msg("Register and issue the certificate"), ("in_publicity",), "registered",
                       DECIDERS | SYSTEM, irreversible=True),
            Transition("refuse", Msg("Refuse registration"), UNDER_REVIEW, "refused", DECIDERS, ASSIGNED_UNIT,
                       fields=(_grounds(),), reason_required=True),
            Transition("deem_withdrawn", Msg("Deem withdrawn (correction not made in time)"),
                       ("formal_correction", "substantive_correction"), "withdrawn", OFFICIALS, ASSIGNED_UNIT,
                       reason_required=True),
            Transition("withdraw", Msg("Withdraw the application"), BEFORE_REGISTRATION, "withdrawn", APPLICANTS,
                       APPLICANT, reason_required=True),
            Transition("cancel", Msg("Cancel the registration (注销)"), ("registered",), "cancelled", APPLICANTS,
                       APPLICANT, reason_required=True),
            Transition("revoke", Msg("Revoke the registration (撤销)"), ("registered",), "revoked", DECIDERS,
                       ASSIGNED_UNIT, fields=(_grounds(),), reason_required=True),
            Transition("expire", Msg("Expire (validity ended)"), ("registered",), "expired", SYSTEM),
        ),
        deadlines=(
            DeadlineRule("formal_review", Msg("Formal review"), frozenset({"create", "submit_formal_correction"}),
                         frozenset({"pass_formal", "request_formal_correction", "refuse", "withdraw"}),
                         unit=WORKING_DAYS, basis=SERVICE_COMMITMENT, **_limit("formal_review_days")),
            DeadlineRule("formal_correction", Msg("Correction by the applicant"),
                         frozenset({"request_formal_correction"}),
                         frozenset({"submit_formal_correction", "withdraw", "deem_withdrawn"}),
                         unit=WORKING_DAYS, basis=SERVICE_COMMITMENT, **_limit("correction_days")),
            DeadlineRule("substantive_review", Msg("Substantive review"),
                         frozenset({"pass_formal", "submit_substantive_correction"}),
                         frozenset({"approve_publicity", "request_substantive_correction", "refuse", "withdraw"}),
                         unit=WORKING_DAYS, basis=SERVICE_COMMITMENT, **_limit("substantive_review_days")),
            DeadlineRule("expert_opinion", Msg("Expert opinion"), frozenset({"request_expert"}),
                         frozenset({"record_expert_opinion", "refuse", "withdraw"}),
                         unit=WORKING_DAYS, basis=SERVICE_COMMITMENT, **_limit("expert_opinion_days")),
            DeadlineRule("substantive_correction", Msg("Correction by the applicant (substantive)"),
                         frozenset({"request_substantive_correction"}),
                         frozenset({"submit_substantive_correction", "withdraw", "deem_withdrawn"}),
                         unit=WORKING_DAYS, basis=SERVICE_COMMITMENT, **_limit("correction_days")),
            DeadlineRule("publicity", Msg("Publicity (公示) — objections may be filed"),
                         frozenset({"approve_publicity"}), frozenset({"register", "withdraw", "uphold_objection"}),
                         unit=DEFAULTS.publicity_unit, unit_setting=RULE_SETTINGS["publicity_unit"],
                         # The 15-day period is the official guide's [S13]; the office sets its own (publicity_days).
                         basis=Msg("上海市数据产品知识产权登记存证暂行办法: the publicity period (公示期) the "
                                   "registration body has set").msgid, period=True, **_limit("publicity_days")),
            DeadlineRule("objection_decision", Msg("Decision on the objection"), frozenset({"object"}),
                         frozenset({"uphold_objection", "dismiss_objection", "withdraw"}),
                         unit=CALENDAR_DAYS,
                         basis=Msg("上海市数据产品知识产权登记存证暂行办法: objection decided within 60 days (source "
                                   "not confirmed; configurable)").msgid, **_limit("objection_decision_days")),
        ),
        link=lambda case: f"/dataip/{case.subject_id}",
    )


CHANGE = "change"
RENEWAL = "renewal"
CHANGE_LABELS = {"name": Msg("Data product name"), "holder_name": Msg("Holder"),
                 "scenario": Msg("Application scenario"), "scale": Msg("Scale"),
                 "update_frequency": Msg("Update frequency")}
CHANGEABLE = tuple(CHANGE_LABELS)


def amendment_type() -> CaseType:
    return CaseType(
        key=AMENDMENT_KEY,
        label=Msg("Change or renewal of a data-IP registration"),
        number_prefix="DIPA",
        states=(
            State("submitted", Msg("Filed, awaiting review")),
            State("approved", Msg("Approved"), final=True),
            State("refused", Msg("Refused"), final=True),
            State("withdrawn", Msg("Withdrawn"), final=True),
        ),
        initial="submitted",
        transitions=(
            Transition("approve", Msg("Approve and reissue the certificate"), ("submitted",), "approved",
                       DECIDERS, ASSIGNED_UNIT),
            Transition("refuse", Msg("Refuse"), ("submitted",), "refused", DECIDERS, ASSIGNED_UNIT,
                       reason_required=True),
            Transition("withdraw", Msg("Withdraw"), ("submitted",), "withdrawn", APPLICANTS, APPLICANT,
                       reason_required=True),
        ),
        deadlines=(
            DeadlineRule("review", Msg("Review of the change or renewal"), frozenset({"create"}),
                         frozenset({"approve", "refuse", "withdraw"}), unit=WORKING_DAYS, basis=SERVICE_COMMITMENT,
                         **_limit("amendment_review_days")),
        ),
        link=lambda case: f"/dataip/{case.subject_id}",
    )
