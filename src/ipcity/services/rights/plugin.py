"""The rights-protection network registers its pages, API, menu, catalogue entry, case types, file rules, jobs
and demo data."""

from __future__ import annotations

from pathlib import Path

from ipcity.core.i18n import Msg
from ipcity.core.plugins import ADMIN_GROUP, APPLY, PUBLIC, WORK, MenuEntry, Plugin, ServiceInfo
from ipcity.core.roles import ADMIN, ALL_ROLES, MEDIATOR, OFFICIAL_ROLES, PUBLIC_ROLES

NETWORK_UNITS = frozenset({"ip_office", "district_office", "protection_centre", "assistance_centre",
                           "mediation_body", "national_dept", "division"})


def plugin() -> Plugin:
    from ipcity.services.rights import (
        access,
        adjudication,
        api,
        demo,
        fair_views,
        fairs,
        mediation,
        mediation_views,
        notices,
        overseas,
        overseas_views,
        report_api,
        report_views,
        service,
        stats,
        views,
    )
    from ipcity.services.rights import (
        jobs as rights_jobs,
    )
    from ipcity.services.rights.guide import GUIDE

    return Plugin(
        key="rights",
        tables=("ipcity.services.rights.tables",),
        service=ServiceInfo(
            key="rights",
            name=Msg("Rights-protection network (维权援助“全市一张网”)"),
            description=Msg("One intake for every IP dispute: consultation, assistance, complaints, administrative "
                            "adjudication of patent disputes, mediation, the fairs' fast track and overseas "
                            "guidance, routed to the competent unit and followed with a public tracking number."),
            who_may_apply=Msg("Right holders, licensees, accused parties, exhibitors and enterprises facing disputes "
                              "abroad"),
            time_limit=Msg("CNIPA Order No. 81's clocks; the office's own first-response commitment"),
            path="/rights",
            plan_items=(7, 8, 21, 25),
        ),
        routers=[views.router, api.router, fair_views.router, mediation_views.router, overseas_views.router,
                 report_views.router, report_api.router],
        menu=[MenuEntry(Msg("Rights protection: ask for help"), "/rights/requests", PUBLIC_ROLES, order=45,
                        group=APPLY, summary=Msg("Ask for consultation, assistance, a complaint, administrative "
                                                 "adjudication, mediation or overseas guidance.")),
              MenuEntry(Msg("Look up a rights-protection request"), "/rights/track", frozenset({None}) | ALL_ROLES,
                        order=46, group=PUBLIC, summary=Msg("The status and next step of a request, by its tracking "
                                                            "number.")),
              MenuEntry(Msg("Rights-protection requests"), "/rights/requests", OFFICIAL_ROLES, order=47, group=WORK,
                        unit_kinds=NETWORK_UNITS),
              MenuEntry(Msg("Mediations"), "/rights/mediations", frozenset({MEDIATOR}), order=48, group=WORK),
              # Administrators reach the requests from the routing table: their work menu is full.
              MenuEntry(Msg("Rights-protection routing table"), "/rights/routing", frozenset({ADMIN}), order=49,
                        group=ADMIN_GROUP)],
        case_types=[service.REQUEST, adjudication.ADJUDICATION, fairs.COMPLAINT, mediation.MEDIATION,
                    overseas.OVERSEAS],
        file_access={service.EVIDENCE_OWNER: access.may_see_evidence, notices.NOTICE_OWNER: access.may_see_notice,
                     mediation.AGREEMENT_OWNER: mediation.may_see_agreement,
                     **{service.case_evidence_owner(kind): service.may_see_case_evidence(kind)
                        for kind in service.FOLLOWUPS}},
        jobs={fairs.SWEEP_JOB: fairs.sweep_job, rights_jobs.SWEEP_JOB: rights_jobs.sweep_job},
        job_labels={fairs.SWEEP_JOB: fairs.SWEEP_LABEL, rights_jobs.SWEEP_JOB: rights_jobs.SWEEP_LABEL},
        figures=stats.PLAN_FIGURES,  # what plan supervision shows on plan items 7, 8, 21 and 25
        documents={mediation.AGREEMENT_OWNER: mediation.AGREEMENTS},
        templates=Path(__file__).resolve().parent / "templates",
        guide=GUIDE,
        demo=demo.load_demo,
    )
