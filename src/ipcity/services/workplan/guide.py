"""The service guide (办事指南) of plan supervision: reporting progress on the work points of 沪府办〔2023〕34号
(rules.md §0, §13). The plan sets no review time limit: the review and resubmission limits and the alert
thresholds are the lead unit's own rules (OWN_RULE), from the installation's settings."""

from __future__ import annotations

from ipcity.core.guides import CALENDAR_DAYS, OWN_RULE, Basis, Guide, Material, Question, Step, TimeLimit
from ipcity.core.i18n import Msg

REPORT = "workplan.progress_report"

GUIDE = Guide(
    who_may_apply=(Msg("Officials of the responsible municipal units"),),
    conditions=(
        Msg("Your unit is responsible for the work point, as the lead unit or a co-operating unit."),
        Msg("Reports are made by the unit's officials; the lead unit of the work point reviews them."),
    ),
    materials=(
        Material("report", Msg("Progress report"),
                 Msg("Entered on the report form; the template helps to collect the figures in the unit."),
                 fields=(Msg("Work point"), Msg("Reporting period"), Msg("Completion (%)"),
                         Msg("Progress summary"), Msg("Indicators"), Msg("Unit"), Msg("Contact"), Msg("Date"))),
        Material("attachments", Msg("Supporting documents"),
                 Msg("PDF, Word, Excel or images."), required=False,
                 condition=Msg("When the report refers to documents")),
    ),
    free=True,
    fees=(Msg("An internal supervision service of the government; no fee."),),
    basis=(
        Basis(Msg("Work points 2023–2025 for jointly building an IP-strong city (沪府办〔2023〕34号)"),
              provides=Msg("The work points, their responsible units and their deadlines")),
    ),
    time_limits=(
        TimeLimit(Msg("Review by the lead unit"), OWN_RULE, REPORT, "review"),
        TimeLimit(Msg("Revised report from the reporting unit"), OWN_RULE, REPORT, "resubmit"),
        TimeLimit(Msg("A dated point counts as due soon, before its deadline"), OWN_RULE,
                  setting="workplan_due_soon_days", unit=CALENDAR_DAYS),
        TimeLimit(Msg("An ongoing point without an accepted report counts as stale after"), OWN_RULE,
                  setting="workplan_stale_days", unit=CALENDAR_DAYS),
    ),
    steps=(
        Step(Msg("Prepare the report"), Msg("Open the work point and write a draft: period, completion, summary, "
                                            "indicators, attachments.")),
        Step(Msg("Submit"), Msg("The report goes to the lead unit of the work point.")),
        Step(Msg("Review"), Msg("The lead unit accepts the report, or returns it for revision with a reason.")),
        Step(Msg("Revise"), Msg("A returned report is revised and submitted again.")),
        Step(Msg("Dashboard"), Msg("Accepted reports count in the work point's status and on the leadership "
                                   "dashboard.")),
    ),
    questions=(
        Question(Msg("What happens when a work point is overdue?"),
                 Msg("The responsible units are alerted in their inbox, and the dashboard shows the point as "
                     "overdue.")),
        Question(Msg("Who sees our reports?"),
                 Msg("Your unit and the lead unit of the work point. The dashboard shows the status of every work "
                     "point to the supervising officials.")),
    ),
    channel=Msg("Online on this platform"),
)
