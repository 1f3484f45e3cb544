"""Ed25519 key files of the installation, kept outside the database (a database-only attacker cannot sign).

A key file is PEM (PKCS#8), created with mode 0600 in a 0700 folder on first use, and loaded once per process.
The data-IP registry key (services/dataip/signing.py) and the audit checkpoint key (core/audit_anchor.py) both
come from here.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

_lock = threading.Lock()
_loaded: dict[Path, Ed25519PrivateKey] = {}


def load_private_key(path: Path) -> Ed25519PrivateKey:
    """The Ed25519 private key at `path`, created when there is none yet; ValueError if it is another kind."""
    path = Path(path).resolve()
    with _lock:
        if path in _loaded:
            return _loaded[path]
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            pem = Ed25519PrivateKey.generate().private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:  # another process created it first: use theirs
                pass
            else:
                with os.fdopen(fd, "wb") as out:
                    out.write(pem)
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError(f"{path} does not hold an Ed25519 private key")
        _loaded[path] = key
        return key


def public_raw(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
