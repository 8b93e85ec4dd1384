"""Passwords: argon2id hashes (argon2-cffi's defaults) and the password policy.

Policy: at least MIN_LENGTH characters, not the username, and not one of the 30,000 most common
passwords of zxcvbn's list (shipped with the zxcvbn package, built from leaked password dumps),
and zxcvbn's strength estimate at least MIN_SCORE.
"""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from portfolio.domain.errors import InvalidValue

_hasher = PasswordHasher()
MIN_LENGTH = 12
MAX_LENGTH = 200
MIN_SCORE = 3  # zxcvbn: 3 = "safely unguessable", 10^8 guesses or more
_common: frozenset[str] | None = None


def _common_passwords() -> frozenset[str]:
    global _common
    if _common is None:
        from zxcvbn.frequency_lists import FREQUENCY_LISTS

        _common = frozenset(FREQUENCY_LISTS["passwords"])
    return _common


def check_policy(password: str, username: str = "", field: str = "password") -> str:
    """The password, if it meets the policy; else InvalidValue naming the field and the reason."""
    password = password or ""
    if len(password) < MIN_LENGTH:
        raise InvalidValue(field, f"must be at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise InvalidValue(field, f"must be at most {MAX_LENGTH} characters")
    folded = password.strip().lower()
    if username and username.lower() in folded:
        raise InvalidValue(field, "must not contain your username")
    if folded in _common_passwords() or folded.replace(" ", "") in _common_passwords():
        raise InvalidValue(field, "is one of the most common passwords; choose another")
    from zxcvbn import zxcvbn

    # Beyond the list: zxcvbn's estimate (dictionary words, keyboard walks, dates, repeats).
    verdict = zxcvbn(password[:100], user_inputs=[username] if username else [])
    if verdict["score"] < MIN_SCORE:
        hint = verdict["feedback"]["warning"] or "it would be guessed quickly"
        raise InvalidValue(field, f"is too easy to guess ({hint.rstrip('.')}); a few unrelated words work well")
    return password


def hash_password(password: str, username: str = "", field: str = "password") -> str:
    return _hasher.hash(check_policy(password, username, field))


def temporary_password() -> str:
    """A random password an admin hands over once; it must be changed at first sign-in."""
    return "-".join(secrets.token_urlsafe(6) for _ in range(3))


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        _hasher.hash("spend the same time as a real check")  # no account-existence timing signal
        return False
    try:
        return _hasher.verify(password_hash, password or "")
    except (VerificationError, InvalidHashError):
        return False
