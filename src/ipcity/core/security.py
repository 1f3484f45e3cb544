"""Password hashing (argon2id) and random tokens."""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ipcity.core.i18n import N_

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters

MIN_PASSWORD_LENGTH = 10  # the message below says 10: change both together


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def password_problems(password: str, username: str = "") -> list[str]:
    """English msgids of what is wrong with a new password (empty when acceptable)."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(N_("The password must have at least 10 characters"))
    if password.isdigit() or password.isalpha():
        problems.append(N_("The password must mix letters with digits or symbols"))
    if username and username.lower() in password.lower():
        problems.append(N_("The password must not contain the user name"))
    return problems
