"""The service guide (办事指南) of patent navigation, from rules.md §7 (GB/T 39551.1–.7-2020) and work point 9 of
the plan. It is an analysis service of the office, not an application: no case and no decision, so its time limit
is the background job's run."""

from __future__ import annotations

from ipcity.core.guides import Basis, Guide, Material, Question, Step, TimeLimit
from ipcity.core.i18n import Msg

STANDARD = Msg("Patent navigation guidelines (专利导航指南), GB/T 39551.1–.7-2020")

GUIDE = Guide(
    who_may_apply=(
        Msg("Officials of the IP office, district offices and protection centres; patent agencies"),
    ),
    conditions=(
        Msg("A platform account of an official or a patent agency (GB/T 39551.7 service providers)."),
        Msg("A topic that says which patents to analyse: a search query, IPC codes, a strategic emerging "
            "industry, or a list of publication numbers."),
    ),
    materials=(
        Material("topic", Msg("Navigation topic (导航主题)"),
                 Msg("Entered on the topic form; the template helps to agree a topic before entering it."),
                 fields=(Msg("Topic name"), Msg("Kind of navigation (GB/T 39551)"),
                         Msg("Search query (检索式)"), Msg("IPC codes (IPC 分类号)"),
                         Msg("Strategic emerging industry (战略性新兴产业)"),
                         Msg("List of publication numbers (公开号清单)"), Msg("Focus region"),
                         Msg("From application year"), Msg("To application year"))),
        Material("numbers", Msg("List of publication numbers (公开号清单)"),
                 Msg("A .txt or .csv file, one number per line."), required=False,
                 condition=Msg("When the topic is a list of publication numbers")),
    ),
    free=True,
    fees=(Msg("Patent navigation is a public service of the IP office."),),
    basis=(
        Basis(STANDARD, Msg("Parts 1–7"),
              Msg("General principles; regional, industry, enterprise, R&D and talent navigation; service "
                  "requirements")),
        Basis(Msg("Work points 2023–2025 for jointly building an IP-strong city (沪府办〔2023〕34号)"),
              Msg("Work point 9")),
    ),
    time_limits=(
        TimeLimit(Msg("Analysis"), None,
                  text=Msg("Runs in the background, usually within minutes; the page shows when it is done")),
    ),
    steps=(
        Step(Msg("Define the topic"), Msg("Choose the kind of navigation and the patents, the focus region and the "
                                          "years.")),
        Step(Msg("Run the analysis"), Msg("The analysis runs as a background job.")),
        Step(Msg("Read the dashboard"),
             Msg("Filing trends, applicants, regions, technology clusters, key patents, inventors and the focus "
                 "region's gaps.")),
        Step(Msg("Take the report"), Msg("The report follows GB/T 39551, as a web page and as a PDF.")),
    ),
    questions=(
        Question(Msg("Which patents does the analysis use?"),
                 Msg("The patents in the platform's patent register that the topic selects.")),
        Question(Msg("Who sees my topic?"),
                 Msg("You alone, unless you share it with your unit; only you or an administrator may change or "
                     "delete it.")),
    ),
    channel=Msg("Online on this platform"),
)
