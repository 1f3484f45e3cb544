"""The case services as the generic case-kit tests see them (tests/workflow/test_case_services.py).

One `Service` per case service, read off its views module's declarations: its record pages (`RecordPage`) and
lists (`ListPage`), a factory per record page that files a real record with the service's own use case (so the
record is in its case type's first state and carries the files a filing carries), who the parties are, one step
a person may take from the first state, and the use cases that bring the records onto the public lists.
A new case service adds one declaration to SERVICES; the tests walk whatever is declared here, and a test
fails when a views module declares a page that no declaration names.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType

from sqlalchemy import update
from sqlalchemy.orm import Session

from ipcity.core.context import files_of
from ipcity.core.files import Upload
from ipcity.core.roles import Actor
from ipcity.core.tables import User
from ipcity.services.dataip import service as dataip_service
from ipcity.services.dataip import views as dataip_views
from ipcity.services.openlicense import service as openlicense_service
from ipcity.services.openlicense import views as openlicense_views
from ipcity.services.pledge import service as pledge_service
from ipcity.services.pledge import views as pledge_views
from ipcity.services.preexam import domain as preexam_domain
from ipcity.services.preexam import service as preexam_service
from ipcity.services.preexam import views as preexam_views
from ipcity.services.rights import adjudication as rights_adjudication
from ipcity.services.rights import fair_views as rights_fair_views
from ipcity.services.rights import mediation_views as rights_mediation_views
from ipcity.services.rights import notices as rights_notices
from ipcity.services.rights import overseas as rights_overseas
from ipcity.services.rights import overseas_views as rights_overseas_views
from ipcity.services.rights import service as rights_service
from ipcity.services.rights import views as rights_views
from ipcity.web.case_pages import ListPage, RecordPage
from ipcity.workflow.tables import Case
from tests.support import dataip as dataip_support
from tests.support import preexam as preexam_support
from tests.support import rights as rights_support
from tests.support.register import add_patent

TODAY = "2026-11-24"  # the pledge and open-licence terms below start after it
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
OTHER_UNIT_OFFICIAL = "pudong"  # a handler of another unit (浦东新区政府): sees no service's records
OUTSIDER = "outsider"           # a company that is party to nothing (made beside the cast of tests/support/people)

People = dict[str, Actor]


def pdf(name: str) -> Upload:
    return Upload(name, io.BytesIO(PDF))


def verified(session: Session, actor: Actor) -> None:
    session.execute(update(User).where(User.id == actor.user_id).values(identity_verified=True))
    session.flush()


def in_force(session: Session, record, state: str = "registered") -> None:
    """The record and its case put straight into `state` (as tests/workflow/test_one_door.py puts cases), for a
    request on a registration, which only a registration in force takes."""
    session.get(Case, record.case_id).state = record.state = state
    session.flush()


@dataclass(frozen=True)
class Record:
    """One record page and how to get a record onto it."""

    key: str
    page: RecordPage
    make: Callable[[Session, People], object]  # a record in its case type's first state, through the use case
    parties: tuple[str, ...]                   # people for whom RecordKind.parties is true
    file_owner: str                            # owner type of a file that `make` leaves on the record
    step: tuple[str, str, str]                 # (transition, who, reason): a step `who` may take from the first state
    official: str = "reviewer"                 # an official of the unit whose officials see the record
    stranger: str = "licensee"                 # a company that is no party
    # A request on the record (the page's amendment case type), opened by the service's request use case: the
    # record is put in the state a request needs first. Required where the page declares an amendment type.
    request: Callable[[Session, People, object], Case] | None = None


@dataclass(frozen=True)
class Listing:
    """One list page: where it is mounted and which record it shows once `Service.publish` has run."""

    page: ListPage
    url: str
    record: str                                      # the key of the Record it shows
    public: bool = False                             # answers anonymous visitors
    number: Callable[[object], str] | None = None    # the record's number in the list (default: the case number)
    who: tuple[str, str] = ("", "")                  # (a party, a stranger); default: the Record's
    malformed: dict[str, str] = field(default_factory=dict)  # bad filter values besides dates (field: value)


@dataclass(frozen=True)
class Service:
    name: str
    views: ModuleType
    records: tuple[Record, ...]
    lists: tuple[Listing, ...]
    publish: Callable[[Session, People, dict[str, object]], None]  # puts the records on the public lists

    def record(self, key: str) -> Record:
        return next(r for r in self.records if r.key == key)


# --- data-IP registration ------------------------------------------------------------------------------------

def _data_product(session: Session, people: People):
    verified(session, people["company"])
    return dataip_support.file(session, people["company"])


def _dataip_request(session: Session, people: People, product) -> Case:
    in_force(session, product)
    return dataip_service.request_amendment(session, people["company"], product, "change",
                                            {"scale": "13万站点，3.4亿条记录"}, "站点增加")


def _dataip_public(session: Session, people: People, records: dict) -> None:
    dataip_support.to_publicity(session, people, records["product"])  # in publicity: in the public registry


DATAIP = Service(
    "dataip", dataip_views,
    records=(Record("product", dataip_views.PAGE, _data_product, parties=("company",),
                    file_owner=dataip_service.SAMPLE_OWNER, step=("pass_formal", "lead_handler", ""),
                    request=_dataip_request),),
    lists=(Listing(dataip_views.APPLICATIONS, "/dataip", "product"),
           Listing(dataip_views.REGISTRY, "/dataip/registry", "product", public=True)),
    publish=_dataip_public)


# --- pledge registration -------------------------------------------------------------------------------------

PLEDGE_FORM = {"pledgor_address": "上海市浦东新区张江路1号", "pledgee_address": "上海市黄浦区中山东一路1号",
               "claim_type": "loan", "amount": "5000000", "debt_start": "2026-12-01", "debt_end": "2029-11-30",
               "guarantee_scope": "主债权本金、利息、违约金及实现质权的费用", "annual_fee_payer": "pledgor"}


def _pledge(session: Session, people: People):
    verified(session, people["company"])
    record = add_patent(session, 7101)
    values = PLEDGE_FORM | {"pledgee_unit": str(people["bank"].unit_id), "patents": "ZL" + record.app_number[2:]}
    return pledge_service.file_application(session, people["company"], values,
                                           {"contract": [pdf("质押合同.pdf")], "commitment": [pdf("承诺书.pdf")]})


def _pledge_request(session: Session, people: People, pledge) -> Case:
    in_force(session, pledge)
    return pledge_service.request_amendment(session, people["company"], pledge, "cancellation",
                                            {"cancellation_reason": "repaid"}, "债务已清偿", pdf("清偿证明.pdf"))


def _pledge_public(session: Session, people: People, records: dict) -> None:
    pledge = records["pledge"]
    pledge_service.PLEDGES.act(session, people["bank"], pledge, "confirm")
    pledge_service.PLEDGES.act(session, people["reviewer"], pledge, "register")  # in the gazette


PLEDGE = Service(
    "pledge", pledge_views,
    records=(Record("pledge", pledge_views.PAGE, _pledge, parties=("company", "bank"),
                    file_owner=pledge_service.CONTRACT_OWNER, step=("confirm", "bank", ""), request=_pledge_request),),
    lists=(Listing(pledge_views.APPLICATIONS, "/pledge", "pledge"),
           Listing(pledge_views.GAZETTE, "/pledge/gazette", "pledge", public=True,
                   number=lambda pledge: pledge.registration_number)),
    publish=_pledge_public)


# --- open licensing ------------------------------------------------------------------------------------------

TERMS = {"mode": "entry_plus_running", "entry_fee": "80000", "rate": "3", "rate_basis": "net_sales",
         "term_start": "2026-12-01", "term_end": "2030-11-30", "other_terms": "按年结算", "contact": "021-5555",
         "small_entity": "none"}


def _declared(session: Session, people: People, serial: int):
    record = add_patent(session, serial, title=f"一种开放许可测试装置{serial}")
    return openlicense_service.file_declaration(session, people["company"],
                                                {**TERMS, "patent_number": record.app_number},
                                                pdf("专利权评价报告.pdf"))


def _declaration(session: Session, people: People):
    return _declared(session, people, 7201)


def _licence(session: Session, people: People):
    """A licence (its first state, notified) under a published declaration, with a written proof on file."""
    d = _declared(session, people, 7202)
    openlicense_service.DECLARATIONS.act(session, people["lead_handler"], d, "publish")
    lic = openlicense_service.take_licence(session, people["licensee"], d, {
        "mode": d.mode, "start_on": "2026-12-01", "products": "极片涂布设备", "contact": "021-6666"})
    files_of(session).attach(session, pdf("许可合同.pdf"), openlicense_service.PROOF_OWNER, lic.id,
                             people["licensee"].user_id, field="proof", allowed=openlicense_service.DOCUMENT_TYPES)
    return lic


def _openlicense_public(session: Session, people: People, records: dict) -> None:
    openlicense_service.DECLARATIONS.act(session, people["lead_handler"], records["declaration"], "publish")


OPENLICENSE = Service(
    "openlicense", openlicense_views,
    records=(Record("declaration", openlicense_views.DECLARATION_PAGE, _declaration, parties=("company",),
                    file_owner=openlicense_service.REPORT_OWNER, step=("publish", "lead_handler", "")),
             Record("licence", openlicense_views.LICENCE_PAGE, _licence, parties=("licensee", "company"),
                    file_owner=openlicense_service.PROOF_OWNER, step=("end", "licensee", "不再实施"),
                    stranger=OUTSIDER)),
    lists=(Listing(openlicense_views.PUBLIC, "/openlicense", "declaration", public=True,
                   malformed={"max_fee": "五万"}),
           Listing(openlicense_views.DECLARATIONS, "/openlicense/declarations", "declaration"),
           Listing(openlicense_views.LICENCES, "/openlicense/licences", "licence")),
    publish=_openlicense_public)


# --- fast pre-examination -----------------------------------------------------------------------------------

def _preexam_registration(session: Session, people: People):
    return preexam_service.register_company(session, people["company"],
                                            preexam_support.registration_values(people["company"].unit_name),
                                            preexam_support.evidence())


def _preexam_case(session: Session, people: People):
    """A case of another company (测试制造公司), registered and admitted, with its drawings on file."""
    maker = people["licensee"]
    preexam_support.admitted(session, maker, people["centre_handler"], code=preexam_support.OTHER_CODE)
    return preexam_service.submit(session, maker, preexam_support.case_values(applicants=maker.unit_name),
                                  preexam_support.case_drawings())


PREEXAM = Service(
    "preexam", preexam_views,
    records=(Record("registration", preexam_views.REGISTRATION_PAGE, _preexam_registration, parties=("company",),
                    file_owner=preexam_service.owner_type(preexam_service.EVIDENCE_OWNER, preexam_domain.RD_EVIDENCE),
                    step=("admit", "centre_handler", ""), official="centre_examiner"),
             Record("submission", preexam_views.CASE_PAGE, _preexam_case, parties=("licensee",),
                    file_owner=preexam_service.owner_type(preexam_service.DOCUMENT_OWNER, preexam_domain.DRAWINGS),
                    step=("accept", "centre_handler", ""), official="centre_examiner", stranger="company")),
    lists=(Listing(preexam_views.REGISTRATIONS, "/preexam/registrations", "registration"),
           Listing(preexam_views.CASES, "/preexam/cases", "submission")),
    publish=lambda session, people, records: None)  # nothing of it is public


# --- the rights-protection network ----------------------------------------------------------------------------

def _routed_to_the_office(session: Session) -> None:
    """Every request to the municipal office (its officials are in the cast)."""
    from sqlalchemy import select

    from ipcity.core.tables import Unit
    from ipcity.services.rights.tables import RoutingRule

    if not session.scalar(select(RoutingRule.id).where(RoutingRule.note == "casekit")):
        office = session.scalar(select(Unit.id).where(Unit.name_zh == rights_support.MUNICIPAL))
        session.add(RoutingRule(position=0, right="*", kind="*", area="*", unit_id=office, priority=99,
                                note="casekit"))
        session.flush()


def _rights_request(session: Session, people: People):
    _routed_to_the_office(session)
    return rights_service.submit(session, people["company"], rights_support.request_values("assistance"),
                                 [pdf("evidence.pdf")])


def _rights_adjudication(session: Session, people: People):
    _routed_to_the_office(session)
    req = rights_service.submit(session, people["company"], rights_support.request_values(), [])
    return rights_service.refer(session, people["lead_handler"], req)


def _fair_complaint(session: Session, people: People):
    """A complaint at a fair whose desk is the municipal office's, with the complainant's evidence."""
    from datetime import date, timedelta

    from sqlalchemy import select

    from ipcity.core.tables import Unit
    from ipcity.services.rights.tables import Fair

    _routed_to_the_office(session)
    if not session.scalar(select(Fair.id).where(Fair.key == "casekit-fair")):
        office = session.scalar(select(Unit.id).where(Unit.name_zh == rights_support.MUNICIPAL))
        first = date.fromisoformat(TODAY)
        session.add(Fair(key="casekit-fair", series="casekit", edition=1, name="测试博览会", venue="国家会展中心",
                         first_day=first, last_day=first + timedelta(days=5), unit_id=office))
        session.flush()
    values = rights_support.request_values("complaint", right="trademark", where="fair", division_code="",
                                           fair="casekit-fair", patent_number="", channel="fair_desk")
    req = rights_service.submit(session, people["company"], values, [pdf("photo.pdf")])
    return rights_service.refer(session, people["lead_handler"], req)


RIGHTS_FAIRS = Service(
    "rights-fairs", rights_fair_views,
    records=(Record("complaint", rights_fair_views.COMPLAINT_PAGE, _fair_complaint, parties=("company",),
                    file_owner=rights_service.case_evidence_owner("fair_complaint"),
                    step=("notify", "lead_handler", "")),),
    lists=(Listing(rights_fair_views.COMPLAINTS, "/rights/fair-complaints", "complaint"),
           Listing(rights_fair_views.FAIRS, "/rights/fairs", "complaint", public=True,
                   number=lambda complaint: "casekit-fair")),
    publish=lambda session, people, records: None)  # the fair is on the public list from the start


def _mediation(session: Session, people: People):
    """A mediation by the municipal office itself, with the requester's evidence."""
    _routed_to_the_office(session)
    req = rights_service.submit(session, people["company"], rights_support.request_values("mediation"),
                                [pdf("evidence.pdf")])
    return rights_service.refer(session, people["lead_handler"], req, {"mediator_kind": "office"})


RIGHTS_MEDIATION = Service(
    "rights-mediation", rights_mediation_views,
    records=(Record("mediation", rights_mediation_views.MEDIATION_PAGE, _mediation, parties=("company",),
                    file_owner=rights_service.case_evidence_owner("mediation"), step=("notify", "lead_handler", "")),),
    lists=(Listing(rights_mediation_views.MEDIATIONS, "/rights/mediations", "mediation"),),
    publish=lambda session, people, records: None)


def _overseas(session: Session, people: People):
    _routed_to_the_office(session)
    values = rights_support.request_values("overseas_guidance", industry="新能源汽车", stage="警告函")
    req = rights_service.submit(session, people["company"], values, [pdf("letter.pdf")])
    return rights_service.refer(session, people["lead_handler"], req)


def _overseas_public(session: Session, people: People, records: dict) -> None:
    """A risk alert and a library case that name the guidance case's number (so the public lists show it)."""
    number = records["overseas"].number
    rights_overseas.publish_alert(session, people["lead_handler"], f"美国337调查风险提示 {number}", "请相关企业关注。",
                                  country="US", industry="新能源汽车", right="patent")
    rights_overseas.add_library_entry(session, people["lead_handler"], {
        "title": f"某企业应对美国专利诉讼案 {number}", "country": "US", "industry": "新能源汽车", "right": "patent",
        "year": "2025", "summary": "企业收到警告函后积极应诉，最终和解。", "outcome": "和解"})


RIGHTS_OVERSEAS = Service(
    "rights-overseas", rights_overseas_views,
    records=(Record("overseas", rights_overseas_views.CASE_PAGE, _overseas, parties=("company",),
                    file_owner=rights_service.case_evidence_owner("overseas_guidance"),
                    step=("begin_guidance", "lead_handler", "")),),
    lists=(Listing(rights_overseas_views.CASES, "/rights/overseas", "overseas"),
           Listing(rights_overseas_views.ALERTS, "/rights/alerts", "overseas", public=True,
                   number=lambda oc: f"美国337调查风险提示 {oc.number}"),
           Listing(rights_overseas_views.LIBRARY, "/rights/library", "overseas", public=True,
                   number=lambda oc: f"某企业应对美国专利诉讼案 {oc.number}")),
    publish=_overseas_public)


RIGHTS = Service(
    "rights", rights_views,
    records=(Record("request", rights_views.REQUEST_PAGE, _rights_request, parties=("company",),
                    file_owner=rights_service.EVIDENCE_OWNER, step=("take", "lead_handler", "")),
             Record("adjudication", rights_views.ADJUDICATION_PAGE, _rights_adjudication, parties=("company",),
                    file_owner=rights_notices.NOTICE_OWNER,
                    step=("request_correction", "lead_handler", "请补充专利登记簿副本"))),
    lists=(Listing(rights_views.REQUESTS, "/rights/requests", "request"),
           Listing(rights_views.ADJUDICATIONS, "/rights/adjudications", "adjudication")),
    publish=lambda session, people, records: None)  # nothing of it is public but the tracking look-up

assert rights_adjudication.ADJUDICATION.key == "rights.adjudication"

SERVICES = (DATAIP, PLEDGE, OPENLICENSE, PREEXAM, RIGHTS, RIGHTS_FAIRS, RIGHTS_MEDIATION, RIGHTS_OVERSEAS)
