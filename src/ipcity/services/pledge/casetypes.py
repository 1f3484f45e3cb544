"""The case types of pledge registration, declared for the case engine (rules.md §3.1).

Registration: the pledgor prepares and confirms (create) → the pledgee's bank confirms (joint application;
the pledge is created on registration) → the examiner of the IP office checks the refusal grounds, may ask for a
correction (the time limit restarts when the defects are cured) → registers or refuses (不予登记) within the
working-day limit. The parties may withdraw before the decision; the pledgee may decline to confirm.
A registered pledge is cancelled (注销) through an amendment case. Changes (变更) and cancellations are cases of
their own: filed by the pledgor and confirmed by the pledgee, or filed by the pledgee alone for a cancellation.
Rules that need the database (who the pledgee is, the register check) are the guard/after hooks of service.py.
"""

from __future__ import annotations

from ipcity.core.i18n import Msg
from ipcity.core.roles import ADMIN, APPLICANT_COMPANY, BANK, HANDLER, HEAD, REVIEWER
from ipcity.services.pledge.domain import DECISION_BASIS, DECISION_DAYS, DECISION_SETTING, grounds_check
from ipcity.workflow.definition import (
    ANYONE,
    APPLICANT,
    ASSIGNED_UNIT,
    CONCLUSION,
    WORKING_DAYS,
    CaseType,
    DeadlineRule,
    FieldSpec,
    State,
    Transition,
)

REGISTRATION_KEY = "pledge.registration"
AMENDMENT_KEY = "pledge.amendment"

PLEDGORS = frozenset({APPLICANT_COMPANY})
PLEDGEES = frozenset({BANK})
OFFICIALS = frozenset({HANDLER, REVIEWER, HEAD})
DECIDERS = frozenset({REVIEWER, HEAD})
SYSTEM = frozenset({ADMIN})

BEFORE_DECISION = ("awaiting_pledgee", "submitted", "correction")


def _grounds() -> FieldSpec:
    return FieldSpec("grounds", Msg("Refusal grounds (不予登记理由)"), check=grounds_check)


def registration_type(decision_days: int = DECISION_DAYS) -> CaseType:
    return CaseType(
        key=REGISTRATION_KEY,
        label=Msg("Patent pledge registration (专利权质押登记)"),
        number_prefix="ZY",
        states=(
            State("awaiting_pledgee", Msg("Awaiting the pledgee's confirmation")),
            State("submitted", Msg("Filed jointly, awaiting the examiner")),
            State("correction", Msg("Correction requested (补正)")),
            State("registered", Msg("Registered (质押登记生效)"), stage=CONCLUSION),
            State("refused", Msg("Refused (不予登记)"), final=True),
            State("declined", Msg("Declined by the pledgee"), final=True),
            State("withdrawn", Msg("Withdrawn"), final=True),
            State("cancelled", Msg("Cancelled (注销)"), final=True),
        ),
        initial="awaiting_pledgee",
        transitions=(
            Transition("confirm", Msg("Confirm as pledgee (质权人确认)"), ("awaiting_pledgee",), "submitted",
                       PLEDGEES, ANYONE, irreversible=True),
            Transition("decline", Msg("Decline (质权人不予确认)"), ("awaiting_pledgee",), "declined", PLEDGEES,
                       ANYONE, reason_required=True),
            Transition("request_correction", Msg("Request a correction (通知补正)"), ("submitted",), "correction",
                       OFFICIALS, ASSIGNED_UNIT, reason_required=True),
            Transition("submit_correction", Msg("Submit the correction"), ("correction",), "submitted", PLEDGORS,
                       APPLICANT, fields=(FieldSpec("correction", Msg("What was corrected")),)),
            Transition("register", Msg("Register the pledge (准予登记)"), ("submitted",), "registered", DECIDERS,
                       ASSIGNED_UNIT, irreversible=True),
            Transition("refuse", Msg("Refuse registration (不予登记)"), ("submitted",), "refused", DECIDERS,
                       ASSIGNED_UNIT, fields=(_grounds(),), reason_required=True),
            Transition("withdraw", Msg("Withdraw the application"), BEFORE_DECISION, "withdrawn", PLEDGORS,
                       APPLICANT, reason_required=True),
            # Only an approved cancellation request, with its application form and proof that the pledge is
            # extinguished (rules.md §3.1, 变更/注销), cancels a registration: its own use case fires this step.
            Transition("cancel", Msg("Cancel the registration (注销)"), ("registered",), "cancelled",
                       DECIDERS | SYSTEM, ASSIGNED_UNIT, reason_required=True,
                       only_via=Msg("A registration is cancelled through a cancellation request")),
        ),
        deadlines=(
            DeadlineRule("decision", Msg("Examiner's decision (登记审查)"),
                         frozenset({"confirm", "submit_correction"}),
                         frozenset({"register", "refuse", "request_correction", "withdraw"}),
                         decision_days, WORKING_DAYS, DECISION_BASIS, setting=DECISION_SETTING),
        ),
        link=lambda case: f"/pledge/{case.subject_id}",
    )


def amendment_type(decision_days: int = DECISION_DAYS) -> CaseType:
    return CaseType(
        key=AMENDMENT_KEY,
        label=Msg("Change or cancellation of a pledge registration (质押登记变更/注销)"),
        number_prefix="ZYB",
        states=(
            State("awaiting_pledgee", Msg("Awaiting the pledgee's confirmation")),
            State("submitted", Msg("Filed, awaiting the examiner")),
            State("approved", Msg("Approved"), final=True),
            State("refused", Msg("Refused"), final=True),
            State("declined", Msg("Declined by the pledgee"), final=True),
            State("withdrawn", Msg("Withdrawn"), final=True),
        ),
        initial="awaiting_pledgee",
        transitions=(
            Transition("confirm", Msg("Confirm as pledgee (质权人确认)"), ("awaiting_pledgee",), "submitted",
                       PLEDGEES, ANYONE, irreversible=True),
            Transition("decline", Msg("Decline (质权人不予确认)"), ("awaiting_pledgee",), "declined", PLEDGEES,
                       ANYONE, reason_required=True),
            Transition("approve", Msg("Approve and update the register"), ("submitted",), "approved", DECIDERS,
                       ASSIGNED_UNIT),
            Transition("refuse", Msg("Refuse"), ("submitted",), "refused", DECIDERS, ASSIGNED_UNIT,
                       reason_required=True),
            Transition("withdraw", Msg("Withdraw"), ("awaiting_pledgee", "submitted"), "withdrawn",
                       PLEDGORS | PLEDGEES, APPLICANT, reason_required=True),
        ),
        deadlines=(
            DeadlineRule("decision", Msg("Examiner's decision"), frozenset({"confirm"}),
                         frozenset({"approve", "refuse", "withdraw"}), decision_days, WORKING_DAYS, DECISION_BASIS,
                         setting=DECISION_SETTING),
        ),
        link=lambda case: f"/pledge/{case.subject_id}",
    )
