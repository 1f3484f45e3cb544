"""Fast pre-examination registers its pages, API, menu, catalogue entry, case types, file rules, jobs and demo
data."""

from __future__ import annotations

from pathlib import Path

from ipcity.core.i18n import Msg
from ipcity.core.plugins import APPLY, WORK, MenuEntry, Plugin, ServiceInfo
from ipcity.core.roles import APPLICANT_COMPANY, OFFICIAL_ROLES
from ipcity.services.preexam.access import CENTRE


def plugin() -> Plugin:
    from ipcity.services.preexam import access, api, demo, domain, jobs, service, stats, views
    from ipcity.services.preexam.guide import GUIDE

    return Plugin(
        key="preexam",
        tables=("ipcity.services.preexam.tables",),
        service=ServiceInfo(
            key="preexam",
            name=Msg("Fast patent pre-examination (专利快速预审)"),
            description=Msg("Companies register with the IP protection centre (备案) and submit applications for "
                            "pre-examination before filing at CNIPA: the platform checks the technical field, the "
                            "exclusions and the form and shows the nearest prior art; the centre's examiners work "
                            "a queue with working-day clocks and issue the notices; a passed case is followed to "
                            "its filing and grant."),
            who_may_apply=Msg("Companies registered in the centre's area whose business lies in its fields"),
            time_limit=Msg("The centre's own working-day clocks, per patent type"),
            path="/preexam",
            plan_items=(6,),
        ),
        routers=[views.router, api.router],
        menu=[MenuEntry(Msg("Pre-examination: my cases"), "/preexam/cases", frozenset({APPLICANT_COMPANY}),
                        order=40, group=APPLY, summary=Msg(
                            "Register with the protection centre and submit applications for fast pre-examination.")),
              MenuEntry(Msg("Pre-examination queue"), "/preexam/cases", CENTRE, order=41, group=WORK,
                        unit_kinds=frozenset({"protection_centre"})),
              # Administrators reach these from the queue's page: their work menu is full.
              MenuEntry(Msg("Pre-examination registrations"), "/preexam/registrations", OFFICIAL_ROLES, order=42,
                        group=WORK, unit_kinds=frozenset({"protection_centre"})),
              MenuEntry(Msg("Pre-examination dashboard"), "/preexam/dashboard", OFFICIAL_ROLES, order=43,
                        group=WORK, unit_kinds=frozenset({"protection_centre"}))],
        case_types=[service.REGISTRATION, service.SUBMISSION],
        file_access={service.NOTICE_OWNER: access.may_see_case_file,
                     **{service.owner_type(service.EVIDENCE_OWNER, k): access.may_see_evidence
                        for k in domain.REGISTRATION_DOCUMENTS},
                     **{service.owner_type(service.DOCUMENT_OWNER, k): access.may_see_case_file
                        for k in domain.CASE_DOCUMENTS}},
        jobs={jobs.SWEEP_JOB: jobs.sweep},
        job_labels={jobs.SWEEP_JOB: Msg("Deem withdrawn the cases whose correction is late; record grants from the "
                                        "register")},
        templates=Path(__file__).resolve().parent / "templates",
        guide=GUIDE,
        demo=demo.load_demo,
        figures={6: stats.plan_figures},  # what plan supervision shows on plan item 6
    )
