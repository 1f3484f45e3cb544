"""The service guide (办事指南) of the rights-protection network, from rules.md §9 and §14.1–14.2, §14.11: who may
ask for what, the materials of a request for administrative adjudication (CNIPA Order No. 81 Arts 12–15), the
clocks of adjudication, mediation and the exhibition fast track. The first-response commitment is the office's own
setting (OWN_RULE)."""

from __future__ import annotations

from ipcity.core.guides import OWN_RULE, Basis, Guide, Material, Question, Step, TimeLimit
from ipcity.core.i18n import Msg
from ipcity.services.rights.casetypes import ADJUDICATION_KEY, MEDIATION_KEY, REQUEST_KEY

ORDER81 = Msg("CNIPA Measures for the Administrative Adjudication and Mediation of Patent Disputes "
              "(专利纠纷行政裁决和调解办法, Order No. 81)")

GUIDE = Guide(
    who_may_apply=(
        Msg("Right holders and licensees of patents, trademarks, geographical indications, copyright and data "
            "intellectual property, and parties accused of infringing them"),
        Msg("Exhibitors and complainants at the fairs the network serves"),
        Msg("Enterprises facing an IP dispute abroad"),
        Msg("Anyone may ask by phone or at the window: an official enters the request and gives the tracking "
            "number"),
    ),
    conditions=(
        Msg("Administrative adjudication is for patent disputes. The patentee or an interested party requests it; "
            "an exclusive licensee alone, a sole licensee only where the patentee does not, an ordinary licensee "
            "only with the authorisation of the contract or the patentee (Order 81 Art 12)."),
        Msg("The request names a definite respondent and states the facts and reasons; no party has brought the "
            "dispute to court and the parties agreed no other way to resolve it, such as arbitration (Art 12)."),
        Msg("The request is made within 3 years of knowing of the infringement and the infringer; an infringement "
            "still going on is accepted while the patent is in force (Art 19)."),
        Msg("Mediation needs both parties' agreement: the respondent says within 15 days whether it agrees "
            "(Arts 65–66). Royalties for the provisional-protection period are mediated only after the grant."),
        Msg("A complaint at a fair is made at the fair's desk or online while the fair runs, naming the exhibitor "
            "and its booth."),
    ),
    materials=(
        Material("request", Msg("Request (请求书)"),
                 Msg("Filled in online: who asks, the right, what is asked, where it happened, the other party and "
                     "the facts. For an adjudication the platform issues the formal request document from it."),
                 fields=(Msg("Requester's role (申请人身份)"), Msg("Right concerned (权利类型)"),
                         Msg("Request kind (请求事项)"), Msg("Place (发生地)"), Msg("Other party (对方当事人)"),
                         Msg("Patent number (专利号)"), Msg("Description (情况说明)"),
                         Msg("Contact person (联系人)"), Msg("Phone (联系电话)"))),
        Material("evidence", Msg("Evidence (证据材料)"),
                 Msg("PDF or images: the patent certificate or register extract, proof of the infringing product or "
                     "act, the licence contract for a licensee. At most 10 files."), required=False),
        Material("evaluation-report", Msg("Patent-right evaluation report (专利权评价报告)"), Msg("PDF."),
                 required=False, condition=Msg("For a utility model or design, when the office asks for it "
                                               "(Order 81 Art 15)")),
    ),
    free=True,
    fees=(Msg("The office charges nothing for assistance, adjudication or mediation; appraisal and inspection costs "
              "follow the rules of the bodies that carry them out."),),
    basis=(
        Basis(Msg("Patent Law of the People's Republic of China (专利法)"), Msg("Arts 11, 65, 70"),
              Msg("The infringing acts; the office orders an infringement to stop; 15 days to sue")),
        Basis(ORDER81, Msg("Arts 7, 12–22, 28–37, 63–69"),
              Msg("Jurisdiction, admissibility, correction, limitation, filing, service and answer, suspension, "
                  "the decision period and its extensions, repeat infringement, mediation")),
        Basis(Msg("Measures for the Protection of IP Rights at Exhibitions (展会知识产权保护办法, 2006)"),
              provides=Msg("Complaint bodies at fairs; exhibitors found infringing repeatedly")),
        Basis(Msg("CNIPA Guide to IP Protection at Exhibitions (展会知识产权保护指引, 2022)"), Msg("Art 14"),
              Msg("24 hours for the respondent's written statement; the desk's measures")),
    ),
    time_limits=(
        TimeLimit(Msg("The unit's first response"), OWN_RULE, REQUEST_KEY, "first_response"),
        TimeLimit(Msg("Filing or refusal of a request for adjudication"), ORDER81, ADJUDICATION_KEY, "acceptance"),
        TimeLimit(Msg("Service of the request on the respondent"), ORDER81, ADJUDICATION_KEY, "service"),
        TimeLimit(Msg("The respondent's answer"), ORDER81, ADJUDICATION_KEY, "answer"),
        TimeLimit(Msg("The decision"), ORDER81, text=Msg("3 months from filing; extended by up to 1 month with the "
                                                         "department head's approval and up to 2 more with the "
                                                         "next level's; suspension, announcement, inspection or "
                                                         "appraisal, a jurisdiction objection, a party's evidence "
                                                         "extension and settlement are not counted (Art 37)")),
        TimeLimit(Msg("The opinion notice of a mediation"), ORDER81, MEDIATION_KEY, "notice"),
        TimeLimit(Msg("The respondent's statement on mediation"), ORDER81, MEDIATION_KEY, "statement"),
        TimeLimit(Msg("The respondent's written statement at a fair"), None,
                  text=Msg("24 hours from notice, day and night (CNIPA Guide to IP Protection at Exhibitions "
                           "Art 14)")),
    ),
    steps=(
        Step(Msg("Make the request"),
             Msg("Online, by phone or at the window; keep the tracking number: anyone holding it sees the status "
                 "and the next step.")),
        Step(Msg("Routing"),
             Msg("The request goes to the competent unit by the network's routing table: a district office, the "
                 "municipal office, the protection centre, the rights-assistance centre, a mediation body or the "
                 "overseas guidance sub-centre; a major patent dispute to CNIPA.")),
        Step(Msg("First response"),
             Msg("The unit takes the request on, transfers it to the competent unit, or declines it with "
                 "reasons, within its commitment.")),
        Step(Msg("The case"),
             Msg("An adjudication, a mediation, a fair complaint or overseas guidance follows its own steps and "
                 "clocks; the parties receive each document.")),
        Step(Msg("Conclusion"),
             Msg("A decision, an agreement or the desk's measures; the request closes with its case.")),
    ),
    questions=(
        Question(Msg("Can I go to court instead?"),
                 Msg("Yes. Once a party has brought the dispute to court the office no longer adjudicates it, and a "
                     "party may sue within 15 days of receiving the office's decision.")),
        Question(Msg("What does the tracking number show?"),
                 Msg("The kind of request, the unit handling it, its status and next step. Nothing about the "
                     "parties.")),
        Question(Msg("What if the respondent infringes again after a decision?"),
                 Msg("The office may order it to stop directly, and a wilful infringer is recorded on the serious "
                     "dishonesty list (Order 81 Art 34).")),
    ),
    channel=Msg("Online on this platform, by phone, at the window, or at a fair's desk"),
)
