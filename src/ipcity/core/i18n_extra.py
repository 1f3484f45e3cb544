"""Message ids that the code computes or stores, so that Babel's extraction cannot see them.

`N_` marks a string for extraction (keyword `-k N_`, see babel.cfg) and returns it unchanged; the
string is translated later, where it is shown (`_(j.kind)`, `tr_params(i.title, i.params)`,
`Msg(problem)`). Nothing imports `MESSAGES`: the module exists for `pybabel extract` and for
tests/test_i18n.py, which fails when one of these ids has no Chinese translation.
Keep each entry identical to the string used in the code named in its comment.
"""

from __future__ import annotations

from ipcity.core.i18n import N_

MESSAGES = [
    # Job states (core/jobs.py, shown by jobs.html and jobs_rows.html as _(status)).
    N_("queued"),
    N_("running"),
    N_("done"),
    N_("failed"),
]
