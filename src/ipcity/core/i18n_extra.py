"""Message ids that the code computes or stores, so that Babel's extraction cannot see them.

`N_` marks a string for extraction (keyword `-k N_`, see babel.cfg) and returns it unchanged; the
string is translated later, where it is shown (`_(j.kind)`, `tr_params(i.title, i.params)`,
`Msg(problem)`). Nothing imports `MESSAGES`: the module exists for `pybabel extract` and for
tests/test_i18n.py, which fails when one of these ids has no Chinese translation.
Keep each entry identical to the string used in the code named in its comment.
"""

from __future__ import annotations


def N_(message: str) -> str:  # the conventional name of gettext_noop
    """Mark a message id for extraction without translating it."""
    return message


MESSAGES = [
    # Job kinds (plugin job registry, shown by web/templates/jobs_rows.html as _(j.kind)).
    N_("workplan.import_plan"),
    N_("workplan.export"),
    N_("workplan.sweep"),
    # Job states (core/jobs.py, shown by jobs.html and jobs_rows.html as _(status)).
    N_("queued"),
    N_("running"),
    N_("done"),
    N_("failed"),
    # Job progress messages (services/workplan/jobs.py ctx.progress(..., message)).
    N_("parsed"),
    N_("loaded"),
    N_("collecting"),
    N_("writing"),
    N_("notices sent"),
    # Inbox titles stored with their parameters and translated when shown (tr_params in templating.py).
    N_("Case {number} awaits your action ({state})"),  # workflow/engine.py
    N_("Case {number}: {action} — now '{state}'"),  # workflow/engine.py
    N_("Work point {n} is {status}"),  # services/workplan/service.py
    # Password rules (core/security.py password_problems, wrapped in Msg by core/accounts.py).
    N_("The password must have at least 10 characters"),
    N_("The password must mix letters with digits or symbols"),
    N_("The password must not contain the user name"),
    # Progress-report checks returned as plain msgids (services/workplan/domain.py validate_report,
    # wrapped in Msg by services/workplan/service.py ReportForm.problems).
    N_("Completion must be a whole number from 0 to 100"),
    N_("Indicators must be a list"),
    N_("Indicator must have text name, value and unit"),
    N_("Indicator name is required when a value is given"),
    N_("Indicator value is required when a name is given"),
]
