"""The registry's Ed25519 key: signed tree heads of the log and the signature over each certificate file.

The private key lives in a PEM file outside the repository and the database: `IPCITY_DATAIP_KEY_FILE`, or
`<data dir>/keys/dataip-ed25519.pem`, created with mode 0600 on first use. Only its public half is ever
published (log API, certificates). Verifying needs nothing but the public key, so the same functions serve
the offline `ipcity dataip verify`.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ipcity.core.keys import load_private_key

# Domain separation: a certificate signature can never be replayed as a tree-head signature or back.
CERTIFICATE_CONTEXT = b"ipcity/dataip/certificate/v1\n"


class SignatureError(ValueError):
    """A signature that does not verify, or a key that cannot be read; the message says which."""


def default_key_path(data_dir: Path, key_file: Path | None = None) -> Path:
    """`key_file` (Settings.dataip_key_file, from IPCITY_DATAIP_KEY_FILE), else the key in the data directory."""
    return Path(key_file) if key_file else Path(data_dir) / "keys" / "dataip-ed25519.pem"


def tree_head_message(size: int, timestamp_ms: int, root: bytes) -> bytes:
    """RFC 6962 §3.5 TreeHeadSignature: version v1 (0), signature_type tree_hash (1), timestamp, tree_size,
    sha256_root_hash — the bytes a signed tree head signs."""
    if len(root) != 32:
        raise ValueError("a tree root is 32 bytes")
    return struct.pack(">BBQQ", 0, 1, timestamp_ms, size) + root


def certificate_message(document_sha256: bytes) -> bytes:
    return CERTIFICATE_CONTEXT + document_sha256


def key_id(public_raw: bytes) -> str:
    """RFC 6962 §3.2 LogID: the SHA-256 of the key's DER SubjectPublicKeyInfo, hex."""
    der = Ed25519PublicKey.from_public_bytes(public_raw).public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).hexdigest()


@dataclass(frozen=True)
class RegistrySigner:
    private: Ed25519PrivateKey

    @cached_property
    def public_raw(self) -> bytes:
        return self.private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)

    @cached_property
    def key_id(self) -> str:
        return key_id(self.public_raw)

    def public_pem(self) -> bytes:
        return self.private.public_key().public_bytes(serialization.Encoding.PEM,
                                                      serialization.PublicFormat.SubjectPublicKeyInfo)

    def sign(self, message: bytes) -> bytes:
        return self.private.sign(message)


def verify(public_raw: bytes, signature: bytes, message: bytes, what: str) -> None:
    """Raise SignatureError naming `what` unless `signature` is the key's signature of `message`."""
    try:
        key = Ed25519PublicKey.from_public_bytes(public_raw)
    except ValueError as exc:
        raise SignatureError(f"the public key is not a 32-byte Ed25519 key: {exc}") from None
    try:
        key.verify(signature, message)
    except InvalidSignature:
        raise SignatureError(f"the {what} signature does not verify with key {key_id(public_raw)[:16]}…") from None


def load_public_key(path: Path) -> bytes:
    """A public key given to the verifier: PEM (SubjectPublicKeyInfo) or 64 hex characters."""
    text = Path(path).read_bytes()
    if b"BEGIN" in text:
        key = serialization.load_pem_public_key(text)
        if not isinstance(key, Ed25519PublicKey):
            raise SignatureError(f"{path} is not an Ed25519 public key")
        return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    try:
        raw = bytes.fromhex(text.decode().strip())
    except ValueError:
        raise SignatureError(f"{path} is neither a PEM public key nor 64 hex characters") from None
    if len(raw) != 32:
        raise SignatureError(f"{path} does not hold a 32-byte Ed25519 key")
    return raw


def load_signer(path: Path) -> RegistrySigner:
    """The registry key at `path`, created (mode 0600, folder 0700) when there is none yet."""
    try:
        return _signer(load_private_key(path))
    except ValueError as exc:
        raise SignatureError(str(exc)) from None


@lru_cache(maxsize=16)
def _signer(key: Ed25519PrivateKey) -> RegistrySigner:
    return RegistrySigner(key)  # one per key: its public half and key id are computed once
