"""A service guide (办事指南), declared as data by each service through its plugin (`Plugin.guide`).

It answers what a person asks before applying, in the order of Shanghai's 一网通办 guides: who may apply and on
what conditions (服务对象, 申请条件), the materials (申请材料, forms with a generated template), the fees
(收费标准), the legal basis (设定依据: law and article), the time limits (办理时限), the steps (办理流程), the
questions people ask (常见问题) and where to ask (咨询方式). The portal renders it (portal/guides.py).

Every text is a `Msg` whose msgid is English, translated in the catalogue. A text may name Settings fields in
braces — `Msg("… within {dataip_relock_months} months …")` — and shows the installation's value: a number the
office configures is never written into a guide. Time limits name the case type's deadline rule (its amount and
unit are those in force) or a Settings field; their basis names a law and article, or `OWN_RULE` where the
office sets the limit itself.

Pure data: no web, no SQL.
"""

from __future__ import annotations

from dataclasses import dataclass

from ipcity.core.i18n import Msg

# Units of a time limit held in a Settings field (a deadline rule brings its own unit).
WORKING_DAYS = "working_days"
CALENDAR_DAYS = "calendar_days"
MONTHS = "months"
YEARS = "years"
UNITS = (WORKING_DAYS, CALENDAR_DAYS, MONTHS, YEARS)

# The basis of a limit or rule the office sets itself (本机关规定): its own service commitment, or a value the
# sources do not confirm. Users read this, never "unverified" or a setting's name.
OWN_RULE = Msg("Set by this office")


@dataclass(frozen=True)
class Material:
    """A material to hand in (申请材料). With `fields`, it is a form: the guide offers a template of it (an Excel
    workbook and a printable page), generated from these items."""

    key: str                          # the template's address: /services/<service>/guide/materials/<key>
    name: Msg
    note: Msg | None = None           # what it is, who signs it, in what form
    required: bool = True
    condition: Msg | None = None      # when it is needed, for a material needed only in some cases
    fields: tuple[Msg, ...] = ()      # the items of the form


@dataclass(frozen=True)
class Basis:
    """A legal basis (设定依据): the law or rule by name, the articles, and what they provide here."""

    law: Msg
    articles: Msg | None = None
    provides: Msg | None = None


@dataclass(frozen=True)
class TimeLimit:
    """A time limit (办理时限). Its amount comes from the installation at run time: from the deadline rule
    `deadline` of case type `case_type` (the amount and unit in force), or from the Settings field `setting`
    in `unit`. Without either it is a fixed statement (`text`), such as "on notice" or "minutes"."""

    label: Msg
    basis: Msg | None             # the law and article, OWN_RULE, or None where it is no rule (a job's run)
    case_type: str = ""
    deadline: str = ""
    setting: str = ""
    unit: str = WORKING_DAYS
    text: Msg | None = None

    def __post_init__(self) -> None:
        sources = sum(bool(x) for x in (self.deadline, self.setting, self.text is not None))
        if sources != 1:
            raise ValueError(f"time limit {self.label.msgid!r}: give exactly one of deadline, setting or text")
        if self.deadline and not self.case_type:
            raise ValueError(f"time limit {self.label.msgid!r}: a deadline needs its case type")
        if self.unit not in UNITS:
            raise ValueError(f"time limit {self.label.msgid!r}: unit {self.unit!r} is not one of {UNITS}")


@dataclass(frozen=True)
class Step:
    """A step of the procedure (办理流程): who does what."""

    name: Msg
    detail: Msg | None = None


@dataclass(frozen=True)
class Question:
    """A frequently asked question (常见问题) with its answer."""

    question: Msg
    answer: Msg


@dataclass(frozen=True)
class Guide:
    who_may_apply: tuple[Msg, ...]
    conditions: tuple[Msg, ...]
    materials: tuple[Material, ...]
    basis: tuple[Basis, ...]
    time_limits: tuple[TimeLimit, ...]
    steps: tuple[Step, ...]
    questions: tuple[Question, ...] = ()
    free: bool = True                 # 不收费: the office charges nothing for the service
    fees: tuple[Msg, ...] = ()        # what the law says about fees around it (reductions, royalties, …)
    channel: Msg | None = None        # how to apply (办理渠道), beside the link to the service's page
    # The Settings field that holds the code of the unit acting for the service (e.g. "pledge_unit"); empty,
    # or a setting left empty: the IP office. Its name is the contact (咨询方式), with the office's contact text.
    unit_setting: str = ""

    def __post_init__(self) -> None:
        keys = [m.key for m in self.materials]
        if len(set(keys)) != len(keys) or not all(k and k.replace("-", "").isalnum() for k in keys):
            raise ValueError(f"material keys must be unique words: {keys}")

    def material(self, key: str) -> Material | None:
        return next((m for m in self.materials if m.key == key), None)

    def texts(self) -> list[Msg]:
        """Every text of the guide (what a test renders in both languages)."""
        out: list[Msg] = [*self.who_may_apply, *self.conditions, *self.fees]
        out += [self.channel] if self.channel is not None else []
        for m in self.materials:
            out += [m.name, *m.fields, *(x for x in (m.note, m.condition) if x is not None)]
        for b in self.basis:
            out += [b.law, *(x for x in (b.articles, b.provides) if x is not None)]
        for t in self.time_limits:
            out += [t.label, *(x for x in (t.basis, t.text) if x is not None)]
        for s in self.steps:
            out += [s.name, *([s.detail] if s.detail is not None else [])]
        for q in self.questions:
            out += [q.question, q.answer]
        return out
