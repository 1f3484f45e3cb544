"""Roles and unit kinds: who a person is and what kind of organisation they belong to."""

from __future__ import annotations

from dataclasses import dataclass

from ipcity.core.i18n import Msg

APPLICANT_COMPANY = "applicant_company"
APPLICANT_INDIVIDUAL = "applicant_individual"
HANDLER = "handler"
REVIEWER = "reviewer"
HEAD = "head"
AGENCY = "agency"
BANK = "bank"
MEDIATOR = "mediator"
ADMIN = "admin"

ROLES: dict[str, Msg] = {
    APPLICANT_COMPANY: Msg("Applicant (company)"),
    APPLICANT_INDIVIDUAL: Msg("Applicant (individual)"),
    HANDLER: Msg("Official — handler"),
    REVIEWER: Msg("Official — reviewer"),
    HEAD: Msg("Official — head of unit"),
    AGENCY: Msg("Patent agency"),
    BANK: Msg("Bank"),
    MEDIATOR: Msg("Mediator"),
    ADMIN: Msg("Administrator"),
}

PUBLIC_ROLES = frozenset({APPLICANT_COMPANY, APPLICANT_INDIVIDUAL})
OFFICIAL_ROLES = frozenset({HANDLER, REVIEWER, HEAD})
ALL_ROLES = frozenset(ROLES)

UNIT_KINDS: dict[str, Msg] = {
    "ip_office": Msg("IP office"),
    "division": Msg("Division of the IP office"),
    "district_office": Msg("District IP office"),
    "district_gov": Msg("District government"),
    "protection_centre": Msg("IP protection centre"),
    "assistance_centre": Msg("Rights-assistance centre"),
    "mediation_body": Msg("Mediation body"),
    "municipal_dept": Msg("Municipal department"),
    "national_dept": Msg("National department (CNIPA)"),
    "bank": Msg("Bank"),
    "agency": Msg("Patent agency"),
    "company": Msg("Company"),
}

UNIT_LEVELS: dict[str, Msg] = {
    "national": Msg("National (国家级)"),
    "municipal": Msg("Municipal (市级)"),
    "district": Msg("District (区级)"),
}


@dataclass(frozen=True)
class Actor:
    """Who does something: carried into every service call and every audit entry."""

    user_id: int | None
    username: str
    display_name: str
    role: str
    unit_id: int | None
    unit_name: str = ""

    @property
    def is_official(self) -> bool:
        return self.role in OFFICIAL_ROLES

    @classmethod
    def system(cls, what: str = "system") -> Actor:
        return cls(None, what, what, ADMIN, None, "")

    @classmethod
    def of(cls, user) -> Actor:
        unit = user.unit
        return cls(user.id, user.username, user.display_name, user.role, user.unit_id,
                   unit.name_zh if unit else "")
