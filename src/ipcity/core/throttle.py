"""Throttling of failed sign-ins that slows a guesser down without letting a stranger lock a person out.

Failures are counted under three keys (the OWASP authentication guidance's mix of per-account and
per-source limits):
- the pair (account, client address): a few failures from one place delay that place only;
- the client address: spraying many accounts from one place delays that place;
- the account from everywhere: a distributed guess delays the account, except for a browser that has
  signed in to it before (it carries a signed "known device" cookie), so the owner still gets in.
Each delay doubles with every further failure up to a ceiling, and a key forgets its failures a day
after the last one. Unknown user names are counted exactly like real ones, so neither the delay nor
its message tells which accounts exist.

Counting is one atomic upsert per key (no read-modify-write), so concurrent failures are all counted.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass

from sqlalchemy import case as sql_case
from sqlalchemy import delete, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ipcity.core.tables import LoginThrottle

FORGET_AFTER_S = 24 * 3600
BASE_DELAY_S = 60
MAX_NAME = 64  # user names are at most 64 characters (core/tables.py User.username)


@dataclass(frozen=True)
class Policy:
    pair_failures: int     # failures of one account from one address before delays start
    address_failures: int  # failures from one address over all accounts
    account_failures: int  # failures of one account from all addresses
    max_delay_s: int       # the ceiling of any one delay


def delay_after(failures: int, threshold: int, max_delay_s: int) -> int:
    """Seconds to wait after `failures` failures: none below the threshold, then 1, 2, 4 … minutes."""
    if failures < threshold:
        return 0
    return min(max_delay_s, BASE_DELAY_S * 2 ** min(failures - threshold, 20))


def _keys(username: str, address: str) -> dict[str, str]:
    name = username[:MAX_NAME]
    addr = (address or "unknown")[:64]
    return {"pair": f"pair:{name}|{addr}", "address": f"addr:{addr}", "account": f"acct:{name}"}


def wait_seconds(session: Session, username: str, address: str, *, known_device: bool) -> int:
    """How long this sign-in must wait; 0 when it may be tried now."""
    keys = _keys(username, address)
    wanted = [keys["pair"], keys["address"]] + ([] if known_device else [keys["account"]])
    blocked = session.scalars(select(LoginThrottle.blocked_until).where(LoginThrottle.key.in_(wanted))).all()
    left = max(blocked, default=0.0) - time.time()
    return int(left) + 1 if left > 0 else 0


def record_failure(session: Session, username: str, address: str, policy: Policy) -> bool:
    """Count a failure under every key; True when this failure started a delay for the account or pair."""
    keys = _keys(username, address)
    thresholds = {"pair": policy.pair_failures, "address": policy.address_failures,
                  "account": policy.account_failures}
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    now = time.time()
    started = False
    table = LoginThrottle.__table__
    for kind, key in keys.items():
        stmt = dialect.insert(table).values(key=key, failures=1, last_failure_at=now, blocked_until=0.0)
        forgotten = table.c.last_failure_at < now - FORGET_AFTER_S
        stmt = stmt.on_conflict_do_update(
            index_elements=[table.c.key],
            set_={"failures": sql_case((forgotten, 1), else_=table.c.failures + 1), "last_failure_at": now},
        ).returning(table.c.failures)
        failures = int(session.execute(stmt).scalar_one())
        delay = delay_after(failures, thresholds[kind], policy.max_delay_s)
        if delay:
            session.execute(table.update().where(table.c.key == key).values(blocked_until=now + delay))
            started = started or (kind != "address" and failures == thresholds[kind])
    return started


def record_success(session: Session, username: str, address: str) -> None:
    """A right password clears the account's own counts (the address keeps its record)."""
    keys = _keys(username, address)
    session.execute(delete(LoginThrottle).where(LoginThrottle.key.in_([keys["pair"], keys["account"]])))


def clear_account(session: Session, username: str) -> None:
    """An administrator's unlock: every count of this account, from every address."""
    name = username[:MAX_NAME]
    escaped = name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    session.execute(delete(LoginThrottle).where(or_(LoginThrottle.key == f"acct:{name}",
                                                    LoginThrottle.key.like(f"pair:{escaped}|%", escape="\\"))))


def device_mark(secret: str, username: str) -> str:
    """The value of the known-device cookie for `username`: the name and an HMAC under the installation secret."""
    mac = hmac.new(secret.encode(), f"known-device:{username}".encode(), hashlib.sha256).hexdigest()[:32]
    return f"{username}:{mac}"


def is_known_device(secret: str, username: str, cookie: str | None) -> bool:
    return bool(cookie) and hmac.compare_digest(cookie, device_mark(secret, username))


# --- look-ups by anyone (a public tracking number): misses from one address, per scope ---------------------------

def scope_wait(session: Session, scope: str, address: str) -> int:
    """How long `address` must wait before its next look-up in `scope`; 0 when it may look now."""
    key = f"{scope[:20]}:{(address or 'unknown')[:64]}"
    blocked = session.scalar(select(LoginThrottle.blocked_until).where(LoginThrottle.key == key))
    left = (blocked or 0.0) - time.time()
    return int(left) + 1 if left > 0 else 0


def scope_miss(session: Session, scope: str, address: str, *, per_hour: int, max_delay_s: int = 3600) -> int:
    """Count a failed look-up from `address` (one atomic upsert; a key forgets its misses an hour after the last);
    past `per_hour` misses each further one doubles the wait. Returns the wait now imposed (0: none)."""
    key = f"{scope[:20]}:{(address or 'unknown')[:64]}"
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    now = time.time()
    table = LoginThrottle.__table__
    forgotten = table.c.last_failure_at < now - 3600
    stmt = dialect.insert(table).values(key=key, failures=1, last_failure_at=now, blocked_until=0.0)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.key],
        set_={"failures": sql_case((forgotten, 1), else_=table.c.failures + 1), "last_failure_at": now},
    ).returning(table.c.failures)
    misses = int(session.execute(stmt).scalar_one())
    if misses <= per_hour:
        return 0
    delay = min(max_delay_s, 2 ** min(misses - per_hour, 12))
    session.execute(table.update().where(table.c.key == key).values(blocked_until=now + delay))
    return delay
