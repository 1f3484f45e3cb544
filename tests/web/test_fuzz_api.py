"""The JSON API under fuzz (schemathesis over /api/openapi.json): no generated request is a server error.

Every /api/ operation gets a few generated requests, valid and schema-breaking (huge ids, non-object bodies,
wrong types), anonymously and as two signed-in roles (an applicant company and a reviewing official); a
second pass runs the same on an existing record (id 1: a data-IP filing and its case). Any 5xx or exception
fails the test and lists each request that caused one. Deterministic (derandomized) and small, so that it
stays fast in `make test` on SQLite; bench/fuzz.py is the larger, random run over every route.
"""

from __future__ import annotations

import pytest
from schemathesis.python import asgi

from ipcity.patents.engine import close_all
from tests.support import dataip
from tests.support.fuzz import fuzz, principals

EXAMPLES = 4  # per operation, generation mode, principal and pass
ROLES = ("company", "reviewer")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_json_api_answers_no_server_error(app, people):
    with app.state.services.db.session() as s:
        dataip.verify_identity(s, people["company"])
        product = dataip.file(s, people["company"])
        s.commit()
        pinned = {"product_id": product.id, "case_id": product.case_id}
    try:
        report = fuzz(app, principals(app, ROLES), examples=EXAMPLES, pinned=pinned, derandomize=True)
    finally:
        asgi.shutdown_lifespans()
        close_all()
    assert report.operations > 40 and report.requests > 500
    assert report.failures == [], "\n".join(str(f) for f in report.failures[:20])
