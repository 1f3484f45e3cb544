"""The service guide (办事指南) of patent open licensing, from rules.md §2: Patent Law Arts 50–52, Implementing
Regulations 2023 Arts 85–88, the fee notice 财税〔2024〕23号 with CNIPA Announcement No. 594, and 国知发运字〔2024〕19号
(royalty caps). The formal-check limit is the office's own commitment (OWN_RULE), taken from its settings."""

from __future__ import annotations

from ipcity.core.guides import OWN_RULE, Basis, Guide, Material, Question, Step, TimeLimit
from ipcity.core.i18n import Msg
from ipcity.services.openlicense.casetypes import DECLARATION_KEY

PATENT_LAW = Msg("Patent Law of the People's Republic of China (专利法)")
REGULATIONS = Msg("Implementing Regulations of the Patent Law (专利法实施细则, 2023)")

GUIDE = Guide(
    who_may_apply=(
        Msg("Patentees of granted patents declare: companies with an identity-verified account, acting for their "
            "unit"),
        Msg("Any company may take a licence on a published declaration (Patent Law Art 51)"),
    ),
    conditions=(
        Msg("The grant of the patent has been announced (Implementing Regulations Art 85)."),
        Msg("The declarant is the patentee recorded in the patent register."),
        Msg("None of the bars of Implementing Regulations Art 86 applies: an exclusive or sole licence in force; "
            "a suspension for an ownership dispute or a court's preservation; annual fees unpaid; a pledge "
            "without the pledgee's consent; any other obstacle to exploitation."),
        Msg("The declaration states the royalty's payment method and standard and the licence term, accurately "
            "and clearly, without commercial advertising language (Patent Law Art 50; Implementing Regulations "
            "Art 85)."),
        Msg("The royalty keeps within the caps of 国知发运字〔2024〕19号: a fixed royalty generally up to "
            "{openlicense_max_fixed_yuan:,} yuan; a running royalty generally up to "
            "{openlicense_max_rate_net_sales} % of net sales or {openlicense_max_rate_profit} % of profit."),
    ),
    materials=(
        Material("declaration", Msg("Open licence declaration (开放许可声明)"),
                 Msg("Filled in online; the platform checks it against the patent register as you file."),
                 fields=(Msg("Patent number"), Msg("Patentee"), Msg("Royalty payment mode"), Msg("Lump sum (yuan)"),
                         Msg("Entry fee (yuan)"), Msg("Royalty rate (%)"), Msg("Licence term from"),
                         Msg("Licence term until"), Msg("Other terms"), Msg("Contact"), Msg("Signature or seal"),
                         Msg("Date"))),
        Material("evaluation-report", Msg("Patent-right evaluation report (专利权评价报告)"),
                 Msg("PDF."), required=False,
                 condition=Msg("For utility models and designs (Patent Law Art 50)")),
        Material("pledgee-consent", Msg("Written consent of each pledgee"),
                 Msg("PDF or image, one per pledgee, named as in the register."), required=False,
                 condition=Msg("When the patent is pledged (Implementing Regulations Art 86)")),
        Material("licence-proof", Msg("Written proof of the licence, for its recording (备案)"),
                 Msg("PDF or image; uploaded by the patentee or the licensee."), required=False,
                 condition=Msg("When a licence taken is recorded (Implementing Regulations Art 87)")),
    ),
    free=True,
    fees=(
        Msg("No fee is charged for a declaration, its publication or the recording of a licence."),
        Msg("While the open licence is in effect, the patent's annual fees are reduced by 15 % (财税〔2024〕23号; "
            "CNIPA Announcement No. 594). Where another reduction also applies, the most favourable one is "
            "chosen: reductions do not add up."),
        Msg("The licensee pays the royalty to the patentee on the published terms (Patent Law Art 51)."),
    ),
    basis=(
        Basis(PATENT_LAW, Msg("Arts 50–52"),
              Msg("The declaration and its withdrawal, taking a licence, and the settlement of disputes")),
        Basis(REGULATIONS, Msg("Arts 85–88"),
              Msg("What a declaration contains, when it is barred, recording a licence, and false materials")),
        Basis(Msg("Notice on adjusting and optimising patent fee policies (财税〔2024〕23号) and CNIPA Announcement "
                  "No. 594"), provides=Msg("The 15 % annual-fee reduction during an open licence")),
        Basis(Msg("CNIPA notice on fully implementing the patent open licensing system (国知发运字〔2024〕19号)"),
              provides=Msg("Online declarations and the royalty caps")),
    ),
    time_limits=(
        TimeLimit(Msg("Formal check"), OWN_RULE, DECLARATION_KEY, "formal_check"),
        TimeLimit(Msg("Publication of the withdrawal"), OWN_RULE, DECLARATION_KEY, "withdrawal"),
        TimeLimit(Msg("Taking a licence"), Msg("Patent Law Art 51"),
                  text=Msg("Obtained once the patentee is notified in writing and the royalty is paid on the "
                           "published terms")),
    ),
    steps=(
        Step(Msg("Check the patent"),
             Msg("Enter the patent number: the form shows at once what the register says (owners, term, fees, "
                 "pledges, licences).")),
        Step(Msg("File the declaration"), Msg("State the royalty terms and the licence term, attach the documents "
                                              "needed, and file.")),
        Step(Msg("Formal check"),
             Msg("The IP office checks the declaration and the register again; it publishes it, returns it for "
                 "correction, or refuses it with the grounds.")),
        Step(Msg("Publication"),
             Msg("The declaration takes effect: it appears in the public list of open licences and in the patent "
                 "register.")),
        Step(Msg("Licences"),
             Msg("A company takes a licence by notifying the patentee through the platform and paying on the "
                 "published terms; either party records the licence (备案).")),
        Step(Msg("Withdrawal"),
             Msg("The patentee requests the withdrawal in writing and the office publishes it; licences already "
                 "obtained are not affected (Patent Law Art 50).")),
    ),
    questions=(
        Question(Msg("May I still grant an exclusive licence?"),
                 Msg("No. While the open licence is in effect you may grant ordinary licences by negotiation, but "
                     "no exclusive or sole licence on the patent (Patent Law Art 51).")),
        Question(Msg("Does a withdrawal end the licences already taken?"),
                 Msg("No. A published withdrawal does not affect licences already obtained (Patent Law Art 50).")),
        Question(Msg("Can a pledged patent be declared?"),
                 Msg("Only with the pledgee's written consent (Implementing Regulations Art 86).")),
        Question(Msg("What if the patentee and a licensee disagree?"),
                 Msg("They negotiate; they may ask the patent administration to mediate, or sue in a people's "
                     "court (Patent Law Art 52).")),
    ),
    channel=Msg("Online on this platform"),
    unit_setting="openlicense_unit",
)
