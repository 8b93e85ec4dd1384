"""Per-person data keys (AES-256-GCM) kept outside the event log, wrapped by the master key.

Events carry personal text only as "sealed" strings. Destroying one person's key row makes every
sealed text and file of theirs unreadable everywhere, exports and backups of the log included.
"""

from __future__ import annotations

import base64
import os
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Iterator
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Engine

from portfolio.domain.clock import now as clock_utc
from portfolio.db import person_keys

PREFIX = "s1."

# Per-request memo of wrapped keys (None = no key); unset outside KeyStore.scope().
_scope: ContextVar[dict | None] = ContextVar("portfolio_key_scope", default=None)


class KeyUnavailable(Exception):
    """The person's key was destroyed (erased) or never existed: their text cannot be read."""


def new_master_key() -> str:
    return base64.urlsafe_b64encode(AESGCM.generate_key(bit_length=256)).decode()


def parse_master_key(text: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(text.strip().encode())
    except (ValueError, TypeError):
        key = b""
    if len(key) != 32:
        raise ValueError("PORTFOLIO_MASTER_KEY must be 32 bytes, url-safe base64 encoded (44 characters)")
    return key


class KeyStore:
    """Wraps and unwraps per-person data keys.

    No key outlives its row: every use reads the wrapped key from the key table, so an erasure in
    one process takes effect in every other at once. Unwrapping is memoised by the wrapped bytes
    (a destroyed row can never be read back, so the memo cannot resurrect it). Inside `scope()` the
    lookup itself is memoised for the length of one request or command; erasure in this process
    clears the scope, and a request that started before another process erased sees at most that
    one request's worth of text.
    """

    def __init__(self, engine: Engine, master_key: bytes):
        self.engine = engine
        self._master = AESGCM(master_key)
        self._unwrapped: dict[tuple[UUID, bytes], AESGCM] = {}

    def create(self, person_id: UUID) -> None:
        data_key = AESGCM.generate_key(bit_length=256)
        nonce = os.urandom(12)
        wrapped = nonce + self._master.encrypt(nonce, data_key, person_id.bytes)
        with self.engine.begin() as conn:
            conn.execute(insert(person_keys).values(person_id=str(person_id), wrapped_key=wrapped,
                                                    created_at=clock_utc()))
        memo = _scope.get()
        if memo is not None:  # a lookup earlier in this scope found no key: it exists now
            memo.pop(person_id, None)

    @contextmanager
    def scope(self) -> Iterator[None]:
        """Memoise key lookups until the block ends (one web request, one batch of reads)."""
        token = _scope.set({})
        try:
            yield
        finally:
            _scope.reset(token)

    def _wrapped(self, person_id: UUID) -> bytes | None:
        memo = _scope.get()
        if memo is not None and person_id in memo:
            return memo[person_id]
        with self.engine.connect() as conn:
            wrapped = conn.execute(select(person_keys.c.wrapped_key)
                                   .where(person_keys.c.person_id == str(person_id))).scalar()
        wrapped = bytes(wrapped) if wrapped is not None else None
        if memo is not None:
            memo[person_id] = wrapped
        return wrapped

    def _key(self, person_id: UUID) -> AESGCM:
        wrapped = self._wrapped(person_id)
        if wrapped is None:
            raise KeyUnavailable(f"no data key for {person_id}")
        key = self._unwrapped.get((person_id, wrapped))
        if key is not None:
            return key
        try:
            key = AESGCM(self._master.decrypt(wrapped[:12], wrapped[12:], person_id.bytes))
        except InvalidTag:
            raise KeyUnavailable("the master key does not open this person's data key "
                                 "(wrong PORTFOLIO_MASTER_KEY?)") from None
        if len(self._unwrapped) > 100_000:  # bounded: an organisation's people, not unbounded growth
            self._unwrapped.clear()
        self._unwrapped[(person_id, wrapped)] = key
        return key

    def has_key(self, person_id: UUID) -> bool:
        try:
            self._key(person_id)
        except KeyUnavailable:
            return False
        return True

    def destroy(self, person_id: UUID) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(person_keys).where(person_keys.c.person_id == str(person_id)))
        for entry in [e for e in list(self._unwrapped) if e[0] == person_id]:
            self._unwrapped.pop(entry, None)
        memo = _scope.get()
        if memo is not None:
            memo[person_id] = None

    # --- text and bytes -----------------------------------------------------------------------
    def seal_bytes(self, person_id: UUID, data: bytes) -> bytes:
        nonce = os.urandom(12)
        return nonce + self._key(person_id).encrypt(nonce, data, person_id.bytes)

    def open_bytes(self, person_id: UUID, sealed: bytes) -> bytes:
        try:
            return self._key(person_id).decrypt(sealed[:12], sealed[12:], person_id.bytes)
        except InvalidTag:
            raise KeyUnavailable("this text was not sealed for this person") from None

    def seal(self, person_id: UUID, text: str) -> str:
        return PREFIX + base64.urlsafe_b64encode(self.seal_bytes(person_id, text.encode("utf-8"))).decode()

    def open(self, person_id: UUID, sealed: str) -> str:
        if not sealed.startswith(PREFIX):
            raise ValueError("not a sealed text")
        return self.open_bytes(person_id, base64.urlsafe_b64decode(sealed[len(PREFIX):])).decode("utf-8")
