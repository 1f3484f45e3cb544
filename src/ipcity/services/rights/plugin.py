"""The rights-protection network registers its pages, API, menu, catalogue entry, case types, file rules, jobs
and demo data."""

from __future__ import annotations

from ipcity.core.i18n import Msg
from ipcity.core.plugins import Plugin, ServiceInfo


def plugin() -> Plugin:
    from ipcity.services.rights import access, adjudication, notices, service

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
        case_types=[service.REQUEST, adjudication.ADJUDICATION],
        file_access={service.EVIDENCE_OWNER: access.may_see_evidence, notices.NOTICE_OWNER: access.may_see_notice},
    )
