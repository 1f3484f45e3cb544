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
]
