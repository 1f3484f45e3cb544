"""The service guide (办事指南) of patent pledge registration, from rules.md §3.1: the Measures for Patent Pledge
Registration (CNIPA Announcement No. 461, 2021) with the refusal grounds a protection centre's service guide
lists, and Implementing Regulations 2023 Arts 103–105. The decision's time limit is not confirmed by the sources
(2010 rule 7 working days, a local window 3, the 2021 text reported as 5): it is the office's own (OWN_RULE) and
comes from its settings. The sources name no registration fee (rules.md §12.5 lists none)."""

from __future__ import annotations

from ipcity.core.guides import OWN_RULE, Basis, Guide, Material, Question, Step, TimeLimit
from ipcity.core.i18n import Msg
from ipcity.services.pledge.casetypes import AMENDMENT_KEY, REGISTRATION_KEY
from ipcity.services.pledge.domain import CONTRACT_ITEMS

MEASURES = Msg("Measures for Patent Pledge Registration (专利权质押登记办法)")
REGULATIONS = Msg("Implementing Regulations of the Patent Law (专利法实施细则, 2023)")
SIGNATURE = Msg("Signature or seal")
DATE = Msg("Date")

GUIDE = Guide(
    who_may_apply=(
        Msg("The pledgor (the patentee) and the pledgee apply jointly (Measures for Patent Pledge Registration)"),
        Msg("On this platform: the pledgor is a company with an identity-verified account; the pledgee is a bank "
            "that confirms the application"),
    ),
    conditions=(
        Msg("A written pledge contract: a contract of its own, or a guarantee clause in the main contract."),
        Msg("The pledgor is the patentee recorded in the register when applying; the patent is granted and in "
            "force, and its annual fees are paid."),
        Msg("The patent is not suspended for an ownership dispute or under a court's preservation "
            "(Implementing Regulations Arts 103–105), and not already pledged within a pledge period."),
        Msg("The debt's performance period does not run beyond the patent's term."),
        Msg("A co-owned patent needs the other co-owners' consent, unless they agreed otherwise."),
        Msg("A foreign party without a residence or business establishment in China acts through a Chinese patent "
            "agency."),
        Msg("Every material except identity documents is in Chinese; a foreign identity document without a Chinese "
            "translation counts as not filed."),
    ),
    materials=(
        Material("application-form", Msg("Pledge registration application form, signed or sealed by both parties"),
                 Msg("Filled in online by the pledgor and confirmed by the pledgee."),
                 fields=(*CONTRACT_ITEMS.values(), Msg("Pledgor's signature or seal"),
                         Msg("Pledgee's signature or seal"), DATE)),
        Material("contract", Msg("Pledge contract"),
                 Msg("It names the parties and their addresses, the type and amount of the secured claim, the "
                     "debtor's performance period, each patent (title, number, filing date, grant-announcement "
                     "date) and the scope of the guarantee.")),
        Material("commitment", Msg("Identity proofs of the parties, or a signed commitment letter (承诺书) instead"),
                 Msg("The template is a commitment letter."),
                 fields=(Msg("Party (pledgor or pledgee)"), Msg("Full name of the party"),
                         Msg("Unified social credit code or identity document number"), Msg("Address"),
                         Msg("The party undertakes that the identity information above is true and accurate."),
                         SIGNATURE, DATE)),
        Material("power-of-attorney", Msg("Power of attorney stating its scope"), required=False,
                 condition=Msg("When an agent is used")),
        Material("co-owner-consent", Msg("Written consent of the other co-owners"), required=False,
                 condition=Msg("When the patent is co-owned")),
        Material("valuation-report", Msg("Asset-valuation report (资产评估报告)"), required=False,
                 condition=Msg("When the patent has been appraised")),
    ),
    free=True,
    basis=(
        Basis(MEASURES, Msg("CNIPA Announcement No. 461 (2021)"),
              Msg("The joint application, the materials, the grounds for refusal, the registration notice and "
                  "publication; changes and cancellations")),
        Basis(REGULATIONS, Msg("Arts 103–105"),
              Msg("Pledge procedures are frozen while an ownership dispute or a court's preservation suspends the "
                  "patent")),
        Basis(Msg("Patent Law of the People's Republic of China (专利法)"), Msg("Art 42"),
              Msg("The patent's term, which the debt's performance period may not pass")),
    ),
    time_limits=(
        TimeLimit(Msg("Examiner's decision on the registration"), OWN_RULE, REGISTRATION_KEY, "decision"),
        TimeLimit(Msg("Decision on a change or cancellation"), OWN_RULE, AMENDMENT_KEY, "decision"),
        TimeLimit(Msg("When the limit starts"), OWN_RULE,
                  text=Msg("From the pledgee's confirmation (the joint filing), or from the correction that cures "
                           "the defects")),
    ),
    steps=(
        Step(Msg("The pledgor files"),
             Msg("Enter the contract items and the patents, attach the materials and confirm; the platform shows "
                 "what the patent register says about each patent.")),
        Step(Msg("The pledgee confirms"),
             Msg("The bank confirms the joint application, or declines it with a reason.")),
        Step(Msg("Examination"),
             Msg("The examiner checks the grounds for refusal and may ask for a correction (补正).")),
        Step(Msg("Registration or refusal"),
             Msg("The pledge is created on registration: a registration notice (专利权质押登记通知书), the entry in "
                 "the register and the gazette. A refusal comes with a refusal notice (不予登记通知书) and its "
                 "grounds.")),
        Step(Msg("Change or cancellation"),
             Msg("Filed online by the pledgor and confirmed by the pledgee; a cancellation may also be filed by "
                 "the pledgee alone, with the proof that the pledge is extinguished.")),
    ),
    questions=(
        Question(Msg("When does the pledge take effect?"),
                 Msg("When it is registered; the registration notice states the date.")),
        Question(Msg("What does the gazette publish?"),
                 Msg("The pledgor, the pledgee, the main IPC class, the patent number, the grant-announcement date "
                     "and the date of the pledge registration.")),
        Question(Msg("Can a patent whose annual fee is unpaid be pledged?"),
                 Msg("No: unpaid annual fees are a ground for refusal. Pay the fee first.")),
        Question(Msg("What if the same invention was also filed as a utility model on the same day?"),
                 Msg("The examiner tells the parties; the pledge may be registered if they insist.")),
    ),
    channel=Msg("Online on this platform (paperless)"),
    unit_setting="pledge_unit",
)
