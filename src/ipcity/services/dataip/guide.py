"""The service guide (办事指南) of data-IP registration, from rules.md §1.2 (the Shanghai measures and the official
guide) and §1.1 (the certificate notice). Limits the sources do not fix, or fix only in a source we could not
confirm (the objection decision's 60 days, the review times, the renewal window), are the office's own
(OWN_RULE); every number comes from the installation's settings or the case type's deadlines."""

from __future__ import annotations

from ipcity.core.guides import (
    CALENDAR_DAYS,
    MONTHS,
    OWN_RULE,
    YEARS,
    Basis,
    Guide,
    Material,
    Question,
    Step,
    TimeLimit,
)
from ipcity.core.i18n import Msg
from ipcity.services.dataip.casetypes import AMENDMENT_KEY, REGISTRATION_KEY

MEASURES = Msg("Interim Measures of Shanghai for the Registration and Evidence Deposit of Data-Product IP "
               "(上海市数据产品知识产权登记存证暂行办法)")
SIGNATURE = Msg("Signature or seal")
DATE = Msg("Date")

GUIDE = Guide(
    who_may_apply=(
        Msg("Natural persons, legal persons and unincorporated organisations that hold a data product "
            "(Shanghai measures Art 2), from Shanghai or elsewhere"),
        Msg("On this platform: a company, organisation or individual account whose identity has been verified"),
    ),
    conditions=(
        Msg("The data product was formed from lawfully obtained data through substantive processing and creative "
            "work, and has the character of an intellectual achievement and commercial value (Shanghai measures "
            "Art 3)."),
        Msg("It is a processed data collection, a processed data product or a data technical algorithm (Shanghai "
            "measures Art 3); single records and raw, unprocessed data do not qualify."),
        Msg("None of the grounds of Shanghai measures Art 7 applies: national security, state secrets or the "
            "public interest; personal information or privacy; unlawful acquisition or others' IP; unclear or "
            "disputed ownership; concealed or false facts; a duplicate application, or a new application within "
            "{dataip_relock_months} months of a voluntary withdrawal without good reason."),
    ),
    materials=(
        Material("application-form", Msg("Registration application form (登记申请表)"),
                 Msg("Filled in online on the filing form; the template helps to prepare it."),
                 fields=(Msg("Data product name"), Msg("Category (Shanghai measures Art 3)"),
                         Msg("Industry (GB/T 4754-2017)"), Msg("Holder"), Msg("Type of right holder"),
                         Msg("Data format"), Msg("Scale"), Msg("Update frequency"),
                         Msg("Data structure (fields and formats)"), SIGNATURE, DATE)),
        Material("summary", Msg("Summary of the data product"),
                 Msg("What the product is, what it contains and for whom."),
                 fields=(Msg("Data product name"), Msg("Summary of the data product"), Msg("Scale"),
                         Msg("Update frequency"))),
        Material("processing", Msg("Explanation of the substantive processing and innovation"),
                 Msg("The processing rules or algorithm that turn the data into the product."),
                 fields=(Msg("Data product name"), Msg("Processing rules or algorithm"),
                         Msg("What is new in the processing"))),
        Material("scenarios", Msg("Description of the application scenarios"),
                 fields=(Msg("Data product name"), Msg("Application scenario"))),
        Material("source", Msg("Proof of the data source"),
                 Msg("Data you collected yourself: the collection channel and method. Licensed or purchased data: "
                     "the authorisation documents or the purchase contract.")),
        Material("undertaking", Msg("Undertaking of lawful acquisition and non-infringement"),
                 Msg("Given by ticking the undertaking on the filing form; the template is for your own records."),
                 fields=(Msg("Holder"), Msg("Data product name"),
                         Msg("I undertake that the data were obtained lawfully and that the product infringes no "
                             "personal information, trade secret or intellectual property of others, and that the "
                             "information given is true (Shanghai measures Art 7)."),
                         SIGNATURE, DATE)),
        Material("data-files", Msg("Data files for evidence deposit (存证)"),
                 Msg("The platform records each file's SHA-256 hash and size in the public transparency log and "
                     "does not keep the data; you may instead declare the hashes of data that must not leave your "
                     "premises.")),
        Material("sample", Msg("A sample of the data"),
                 Msg("Shown only to you and the registration body.")),
    ),
    free=True,
    fees=(Msg("Filing is online and free of charge (Shanghai measures Art 5 and the official guide)."),),
    basis=(
        Basis(MEASURES, Msg("Arts 2, 3, 5 and 7"),
              Msg("Who may apply, what may be registered, the application and the grounds for refusal")),
        Basis(MEASURES, Msg("Art 12"), Msg("Cancellation (注销) at the holder's request")),
        Basis(Msg("Notice of the CNIPA Strategic Planning Department on the management of data-IP registration "
                  "certificates (规发〔2024〕79号)"),
              provides=Msg("The certificate's format, numbering and QR code")),
    ),
    time_limits=(
        TimeLimit(Msg("Formal review"), OWN_RULE, REGISTRATION_KEY, "formal_review"),
        TimeLimit(Msg("Correction by the applicant"), OWN_RULE, REGISTRATION_KEY, "formal_correction"),
        TimeLimit(Msg("Substantive review"), OWN_RULE, REGISTRATION_KEY, "substantive_review"),
        TimeLimit(Msg("Expert opinion"), OWN_RULE, REGISTRATION_KEY, "expert_opinion"),
        TimeLimit(Msg("Publicity (公示) — objections may be filed"),
                  Msg("Shanghai measures and the official guide"), REGISTRATION_KEY, "publicity"),
        TimeLimit(Msg("Decision on the objection"), OWN_RULE, REGISTRATION_KEY, "objection_decision"),
        TimeLimit(Msg("Review of the change or renewal"), OWN_RULE, AMENDMENT_KEY, "review"),
        TimeLimit(Msg("Validity of the registration"), Msg("Shanghai official guide"),
                  setting="dataip_validity_years", unit=YEARS),
        TimeLimit(Msg("Renewal may be filed before expiry, within"), OWN_RULE,
                  setting="dataip_renewal_window_days", unit=CALENDAR_DAYS),
        TimeLimit(Msg("No new application after a voluntary withdrawal, for"), Msg("Shanghai measures Art 7(6)"),
                  setting="dataip_relock_months", unit=MONTHS),
    ),
    steps=(
        Step(Msg("File online"),
             Msg("Sign in with an identity-verified account and file the application with the data files' "
                 "hashes, a sample and the undertaking.")),
        Step(Msg("Formal review (形式审查)"),
             Msg("The registration body checks that the application is complete; it may ask for a correction "
                 "(补正).")),
        Step(Msg("Substantive review (实质审查)"),
             Msg("The substantive processing and innovation are examined, with the expert committee's opinion "
                 "where needed; a correction may be asked for.")),
        Step(Msg("Publicity (公示)"),
             Msg("The application is published on the public registry; anyone may object, with evidence.")),
        Step(Msg("Registration and certificate"),
             Msg("Without an objection upheld, the product is registered: the certificate with its QR code is "
                 "issued and recorded in the public transparency log.")),
        Step(Msg("After registration"),
             Msg("Change, renewal or cancellation (注销) are requested on the application's page.")),
    ),
    questions=(
        Question(Msg("Are my data files uploaded to the platform?"),
                 Msg("No. Only each file's SHA-256 hash and size are recorded, in the public transparency log. You "
                     "may compute the hashes in your browser, or declare them.")),
        Question(Msg("How long is a registration valid?"),
                 Msg("{dataip_validity_years} years from registration. A renewal may be filed in the last "
                     "{dataip_renewal_window_days} days before it expires.")),
        Question(Msg("Can I withdraw and apply again?"),
                 Msg("You may withdraw at any time before registration. After a voluntary withdrawal, a new "
                     "application for the same product is refused for {dataip_relock_months} months unless there "
                     "is good reason (Shanghai measures Art 7(6)).")),
        Question(Msg("How can anyone check a certificate?"),
                 Msg("Scan its QR code, or enter the certificate number on the verification page; no account is "
                     "needed.")),
        Question(Msg("What if I disagree with a published application?"),
                 Msg("During publicity anyone may file an objection with evidence on the application's public "
                     "record; the registration body decides on it before registering.")),
    ),
    channel=Msg("Online on this platform"),
    unit_setting="dataip_unit",
)
