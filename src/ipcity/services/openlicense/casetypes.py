"""The case types of open licensing, declared for the case engine.

Declaration (rules.md §2.4): filed → formal check by the IP office → published (effective) | returned for
correction (→ corrected and filed again) | refused with grounds; published → withdrawal requested → withdrawn
(published). The declarant may abandon a declaration not yet published. Eligibility is re-checked at publication
and the register entries are written by the hooks that service.py adds.

Licence (Patent Law Art 51, Implementing Regulations 2023 Art 87): the licensee notifies the patentee (the case
is assigned to the patentee's unit) → the licence is recorded (备案) with its written proof, by either party →
ended by either party.
"""

from __future__ import annotations

from ipcity.core.i18n import Msg
from ipcity.core.roles import ADMIN, APPLICANT_COMPANY, HANDLER, HEAD, REVIEWER
from ipcity.services.openlicense.domain import GROUNDS
from ipcity.workflow.definition import (
    ANYONE,
    APPLICANT,
    ASSIGNED_UNIT,
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

DECLARATION_KEY = "openlicense.declaration"
LICENCE_KEY = "openlicense.licence"

COMPANIES = frozenset({APPLICANT_COMPANY})
OFFICIALS = frozenset({HANDLER, REVIEWER, HEAD})
SYSTEM = frozenset({ADMIN})

UNPUBLISHED = ("filed", "correction")
# The office's service commitment (not in the sources): the default; the engine applies the installation's own,
# IPCITY_OPENLICENSE_FORMAL_CHECK_DAYS (Settings.openlicense_formal_check_days).
FORMAL_CHECK_DAYS = 10
FORMAL_CHECK_SETTING = "openlicense_formal_check_days"
SERVICE_COMMITMENT = Msg("The IP office's service commitment (not in the published rules; configurable)").msgid


_grounds_check = chosen_from(GROUNDS, Msg("Choose at least one ground"))


def declaration_type(formal_check_days: int = FORMAL_CHECK_DAYS) -> CaseType:
    return CaseType(
        key=DECLARATION_KEY,
        label=Msg("Open licence declaration (开放许可声明)"),
        number_prefix="OLD",
        states=(
            State("filed", Msg("Filed, awaiting the formal check"), stage=REVIEW),
            State("correction", Msg("Returned for correction")),
            State("published", Msg("Published (in effect)"), stage=CONCLUSION),
            State("withdrawal_requested", Msg("Withdrawal requested"), stage=CONCLUSION),
            State("withdrawn", Msg("Withdrawn (published)"), final=True),
            State("refused", Msg("Refused"), final=True),
            State("abandoned", Msg("Abandoned by the declarant"), final=True),
        ),
        initial="filed",
        transitions=(
            Transition("publish", Msg("Pass the formal check and publish"), ("filed",), "published", OFFICIALS,
                       ASSIGNED_UNIT, irreversible=True),
            Transition("return", Msg("Return for correction"), ("filed",), "correction", OFFICIALS, ASSIGNED_UNIT,
                       reason_required=True),
            Transition("refuse", Msg("Refuse the declaration"), ("filed",), "refused", OFFICIALS, ASSIGNED_UNIT,
                       fields=(FieldSpec("grounds", Msg("Grounds"), check=_grounds_check),), reason_required=True),
            Transition("resubmit", Msg("Submit the corrected declaration"), ("correction",), "filed", COMPANIES,
                       APPLICANT, only_via=Msg("Submit the corrected declaration with its form")),
            Transition("abandon", Msg("Abandon the declaration"), UNPUBLISHED, "abandoned", COMPANIES, APPLICANT,
                       reason_required=True),
            Transition("request_withdrawal", Msg("Request withdrawal (撤回)"), ("published",),
                       "withdrawal_requested", COMPANIES, APPLICANT, reason_required=True),
            Transition("withdraw", Msg("Publish the withdrawal"), ("withdrawal_requested",), "withdrawn", OFFICIALS,
                       ASSIGNED_UNIT),
        ),
        deadlines=(
            DeadlineRule("formal_check", Msg("Formal check"), frozenset({"create", "resubmit"}),
                         frozenset({"publish", "return", "refuse", "abandon"}), formal_check_days, WORKING_DAYS,
                         SERVICE_COMMITMENT, setting=FORMAL_CHECK_SETTING),
            DeadlineRule("withdrawal", Msg("Publication of the withdrawal"), frozenset({"request_withdrawal"}),
                         frozenset({"withdraw"}), formal_check_days, WORKING_DAYS, SERVICE_COMMITMENT,
                         setting=FORMAL_CHECK_SETTING),
        ),
        link=lambda case: f"/openlicense/declarations/{case.subject_id}",
    )


def licence_type() -> CaseType:
    return CaseType(
        key=LICENCE_KEY,
        label=Msg("Open licence taken (开放许可实施)"),
        number_prefix="OLL",
        states=(
            State("notified", Msg("Patentee notified (licence obtained)")),
            State("recorded", Msg("Recorded (备案)"), stage=CONCLUSION),
            State("ended", Msg("Ended"), final=True),
        ),
        initial="notified",
        transitions=(
            # Either party may record or end: the guard in service.py checks that the actor is one of them.
            Transition("record", Msg("Record the licence (备案)"), ("notified",), "recorded", COMPANIES, ANYONE),
            Transition("end", Msg("End the licence"), ("notified", "recorded"), "ended", COMPANIES, ANYONE,
                       reason_required=True),
        ),
        link=lambda case: f"/openlicense/licences/{case.subject_id}",
    )
