"""The service guide (办事指南) of fast pre-examination at the protection centre, from rules.md §8 and §14.6, §14.10:
eligibility, exclusions and the applicant's obligations [S93]–[S95]. The centre's time limits and field lists are
not public: they are the centre's own settings (OWN_RULE)."""

from __future__ import annotations

from ipcity.core.guides import OWN_RULE, Basis, Guide, Material, Question, Step, TimeLimit
from ipcity.core.i18n import Msg
from ipcity.services.preexam.casetypes import REGISTRATION_KEY, SUBMISSION_KEY

GUIDE = Guide(
    who_may_apply=(
        Msg("Independent legal entities whose registered address is in the centre's area and whose business lies "
            "in the centre's technical fields, mostly small and medium-sized firms"),
        Msg("A company registers with the centre (备案) once and renews its registration every year"),
    ),
    conditions=(
        Msg("The company is an independent legal entity registered in the centre's area; a branch office registers "
            "through its company."),
        Msg("Its business scope matches one of the centre's technical fields, and it shows genuine R&D and a basic "
            "IP management system."),
        Msg("No abnormal patent application finding stands against it, or the finding has been corrected."),
        Msg("The subject of the case falls within the IPC classes or Locarno classes the centre covers."),
        Msg("Not pre-examined: PCT international applications and national-phase entries, divisional applications, "
            "and an invention and a utility model on the same subject filed the same day."),
        Msg("The applicant waives voluntary amendment, requests no change of bibliographic data before grant, and "
            "files at CNIPA within the period the pass notice gives."),
    ),
    materials=(
        Material("registration", Msg("Registration form (预审备案表)"),
                 Msg("Filled in online: name, unified social credit code, registered address, business scope, "
                     "contacts, patent agency."),
                 fields=(Msg("Company name (单位名称)"), Msg("Unified social credit code (统一社会信用代码)"),
                         Msg("Registered address (注册地址)"), Msg("Business scope (经营范围)"),
                         Msg("Contact persons (联系人)"), Msg("Patent agency (专利代理机构)"))),
        Material("rd-evidence", Msg("Evidence of genuine R&D (研发能力证明材料)"), Msg("PDF or image.")),
        Material("ip-management", Msg("Evidence of an IP management system (知识产权管理制度证明材料)"),
                 Msg("PDF or image.")),
        Material("application", Msg("The application documents (申请文件)"),
                 Msg("Title, abstract, claims and description typed or pasted online; drawings as PDF or images."),
                 fields=(Msg("Title (发明名称)"), Msg("Abstract (说明书摘要)"), Msg("Claims (权利要求书)"),
                         Msg("Description (说明书)"), Msg("Proposed IPC classes (IPC分类号)"),
                         Msg("Applicants (申请人)"), Msg("Inventors (发明人)"))),
        Material("joint-rd-contract", Msg("Joint R&D contract (合作研发合同)"), Msg("PDF."), required=False,
                 condition=Msg("When there are joint applicants")),
        Material("cooperation-proof", Msg("Proof of industry–university cooperation (产学研合作证明)"), Msg("PDF."),
                 required=False, condition=Msg("When a university is an applicant")),
    ),
    free=True,
    fees=(Msg("The centre charges nothing for registration or pre-examination; the official fees are paid to CNIPA "
              "when the application is filed."),),
    basis=(
        Basis(Msg("CNIPA rules on protection centres' patent pre-examination (关于知识产权保护中心专利预审的规定)"),
              provides=Msg("Registration, eligibility, exclusions and the applicant's obligations")),
        Basis(Msg("CNIPA Measures for Priority Examination of Patents (专利优先审查管理办法, Order No. 85)"),
              Msg("Art 4"), Msg("Fast examination after pre-examination is handled under its own provisions")),
    ),
    time_limits=(
        TimeLimit(Msg("Review of the registration"), OWN_RULE, REGISTRATION_KEY, "review"),
        TimeLimit(Msg("Acceptance"), OWN_RULE, SUBMISSION_KEY, "acceptance"),
        TimeLimit(Msg("Pre-examination"), OWN_RULE, SUBMISSION_KEY, "examination"),
        TimeLimit(Msg("The company's correction"), OWN_RULE, SUBMISSION_KEY, "correction"),
        TimeLimit(Msg("Filing at CNIPA after passing"), OWN_RULE, SUBMISSION_KEY, "filing"),
    ),
    steps=(
        Step(Msg("Register with the centre"),
             Msg("Fill in the registration form and attach the evidence; the centre admits the company, returns "
                 "the form for correction, or refuses it with reasons.")),
        Step(Msg("Check and submit a case"),
             Msg("Enter the application; the platform checks the field, the exclusions and the form first and "
                 "shows the nearest prior art, then you submit.")),
        Step(Msg("Pre-examination"),
             Msg("The centre accepts the case and examines it; a correction request stops its clock until you "
                 "answer.")),
        Step(Msg("Passed (预审合格)"),
             Msg("File the application at CNIPA through the fast channel within the period of the notice, and "
                 "record its application number here.")),
        Step(Msg("Grant"), Msg("The platform follows the application in the register to its grant.")),
    ),
    questions=(
        Question(Msg("Does passing pre-examination give a filing date?"),
                 Msg("No. Only the formal filing at CNIPA creates the filing date and number.")),
        Question(Msg("What if the case does not pass?"),
                 Msg("You may still file it at CNIPA through the ordinary procedure.")),
        Question(Msg("What if I do not answer a correction in time?"),
                 Msg("The case is deemed withdrawn; you may submit it again or file it ordinarily.")),
    ),
    channel=Msg("Online on this platform"),
    unit_setting="preexam_unit",
)
