"""The service guide (办事指南) of patent search: a public information service (work point 18 of the plan), with no
application, case or decision; the only condition is an account for exports."""

from __future__ import annotations

from ipcity.core.guides import Basis, Guide, Question, Step, TimeLimit
from ipcity.core.i18n import Msg

GUIDE = Guide(
    who_may_apply=(Msg("Everyone; exports need an account"),),
    conditions=(
        Msg("Searching needs no account and no application."),
        Msg("Exporting results (CSV or Excel), the search history and saved searches need a platform account."),
    ),
    materials=(),
    free=True,
    fees=(Msg("Patent search is a public service of the IP office."),),
    basis=(
        Basis(Msg("Work points 2023–2025 for jointly building an IP-strong city (沪府办〔2023〕34号)"),
              Msg("Work point 18")),
    ),
    time_limits=(
        TimeLimit(Msg("Search"), None, text=Msg("Results are shown at once")),
    ),
    steps=(
        Step(Msg("Search"), Msg("Type plain words, a patent number in any usual spelling, a pasted abstract or "
                                "field codes; the page says how it read the query. The advanced search form writes "
                                "the expression for you.")),
        Step(Msg("Narrow the results"), Msg("Filter by IPC class, year, applicant and region.")),
        Step(Msg("Open a patent"), Msg("Read its bibliographic data, abstract, claims and legal status.")),
        Step(Msg("Export"), Msg("Signed in, export the results as CSV or Excel; a large result is written in the "
                                "background and appears on the jobs page.")),
        Step(Msg("Save and be alerted"), Msg("Signed in, save a search and switch its alert on: new patents it "
                                             "finds are sent to your inbox.")),
    ),
    questions=(
        Question(Msg("Which patents can be searched?"),
                 Msg("The Chinese and foreign patents loaded into the platform's patent register.")),
        Question(Msg("Why do plain words find patents that lack one of them?"),
                 Msg("Plain words are ranked by best match: patents with every word come first, then those with "
                     "most of them. To require every word, run the query as an expression.")),
        Question(Msg("Is a search result a legal opinion?"),
                 Msg("No. The legal status shown is that of the register as loaded; the patent office's register "
                     "is authoritative.")),
    ),
    channel=Msg("Online on this platform"),
)
