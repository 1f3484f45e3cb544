"""The inclusion promise: what the log signs when it accepts an entry, before a tree head covers it.

Like a Certificate Transparency SCT (RFC 6962 §3.2), it is the registry's signed statement "this leaf hash is
entry `index` of the log, accepted at `timestamp`", and with it the commitment that a signed tree head will
include it within the maximum merge delay. A promise and a head that covers `index` without this leaf, or
no head covering it after the delay, is evidence of a misbehaving log.

The timestamp is the entry's own `at` (whole seconds, in milliseconds), so the promise states what the hashed
entry says. Ed25519 signatures are deterministic (RFC 8032): the promise of a stored leaf is recomputed, never
stored, and is byte for byte the one returned when the entry was appended.
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass
from datetime import UTC, datetime

from ipcity.services.dataip import merkle, signing

# Domain separation: a promise signature is neither a tree-head nor a certificate signature.
PROMISE_CONTEXT = b"ipcity/dataip/promise/v1\n"


def message(index: int, timestamp_ms: int, leaf_hash: bytes) -> bytes:
    """The bytes a promise signs: context, timestamp, index, leaf hash."""
    if len(leaf_hash) != 32:
        raise ValueError("a leaf hash is 32 bytes")
    return PROMISE_CONTEXT + struct.pack(">QQ", timestamp_ms, index) + leaf_hash


def entry_timestamp_ms(entry: bytes | str) -> int:
    """The `at` of a canonical entry ("2026-01-01T00:00:00Z") in milliseconds."""
    at = json.loads(entry)["at"]
    return int(datetime.fromisoformat(at.replace("Z", "+00:00")).timestamp()) * 1000


@dataclass(frozen=True)
class Promise:
    index: int
    leaf_hash: bytes
    timestamp_ms: int
    signature: bytes
    key_id: str

    def json(self, merge_delay_s: int) -> dict:
        """As the API serves it: hex, the timestamp also as text, and the time by which a head includes it."""
        return {"leaf_index": self.index, "leaf_hash": self.leaf_hash.hex(), "timestamp": self.timestamp_ms,
                "time": _iso(self.timestamp_ms), "signature": self.signature.hex(), "key_id": self.key_id,
                "merge_delay_seconds": merge_delay_s,
                "included_by": _iso(self.timestamp_ms + merge_delay_s * 1000)}


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def issue(signer: signing.RegistrySigner, index: int, leaf_hash: bytes, timestamp_ms: int) -> Promise:
    return Promise(index, leaf_hash, timestamp_ms, signer.sign(message(index, timestamp_ms, leaf_hash)),
                   signer.key_id)


def of_entry(signer: signing.RegistrySigner, index: int, entry: str) -> Promise:
    """The promise of a stored leaf (the same bytes as when it was appended)."""
    return issue(signer, index, merkle.leaf_hash(entry.encode("utf-8")), entry_timestamp_ms(entry))


def verify(promise: dict, public_raw: bytes) -> None:
    """Raise signing.SignatureError unless `promise` (as Promise.json gives it) is signed by `public_raw`."""
    signed = message(int(promise["leaf_index"]), int(promise["timestamp"]), bytes.fromhex(promise["leaf_hash"]))
    signing.verify(public_raw, bytes.fromhex(promise["signature"]), signed, "inclusion promise")
