"""Evidence files: size and type limits, content-addressed by SHA-256, stored sealed per worker."""

from __future__ import annotations

import hashlib
from uuid import UUID

from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Engine

from portfolio.crypto import KeyStore
from portfolio.db import evidence_files
from portfolio.domain.errors import InvalidValue, NotFound

MAX_BYTES = 10 * 1024 * 1024
ZIP = b"PK\x03\x04"
# media type -> the magic bytes its content must start with (None: must be UTF-8 text)
ALLOWED = {
    "application/pdf": b"%PDF-",
    "image/png": b"\x89PNG\r\n\x1a\n",
    "image/jpeg": b"\xff\xd8\xff",
    "text/plain": None,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ZIP,
    "application/vnd.oasis.opendocument.text": ZIP,
}


def check_file(data: bytes, media_type: str) -> None:
    if not data:
        raise InvalidValue("file", "is empty")
    if len(data) > MAX_BYTES:
        raise InvalidValue("file", f"is {len(data):,} bytes; the limit is {MAX_BYTES:,} bytes (10 MiB)")
    if media_type not in ALLOWED:
        raise InvalidValue("file", f"type {media_type!r} is not accepted; use PDF, PNG, JPEG, plain text, "
                                   f"DOCX or ODT")
    magic = ALLOWED[media_type]
    if magic is None:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidValue("file", "is not UTF-8 plain text") from None
    elif not data.startswith(magic):
        raise InvalidValue("file", f"content does not look like {media_type}")


class FileStore:
    def __init__(self, engine: Engine, keys: KeyStore):
        self.engine, self.keys = engine, keys

    def put(self, worker_id: UUID, data: bytes, media_type: str) -> str:
        check_file(data, media_type)
        sha = hashlib.sha256(data).hexdigest()
        with self.engine.begin() as conn:
            exists = conn.execute(select(evidence_files.c.sha256).where(
                evidence_files.c.worker_id == str(worker_id), evidence_files.c.sha256 == sha)).first()
            if not exists:
                conn.execute(insert(evidence_files).values(
                    worker_id=str(worker_id), sha256=sha, media_type=media_type, size=len(data),
                    sealed=self.keys.seal_bytes(worker_id, data)))
        return sha

    def delete_all(self, worker_id: UUID) -> None:
        """Part of erasure: the sealed bytes are unreadable once the key is gone; drop them too."""
        with self.engine.begin() as conn:
            conn.execute(delete(evidence_files).where(evidence_files.c.worker_id == str(worker_id)))

    def get(self, worker_id: UUID, sha256: str) -> tuple[bytes, str]:
        with self.engine.connect() as conn:
            row = conn.execute(select(evidence_files.c.sealed, evidence_files.c.media_type).where(
                evidence_files.c.worker_id == str(worker_id), evidence_files.c.sha256 == sha256)).first()
        if row is None:
            raise NotFound("no such file")
        data = self.keys.open_bytes(worker_id, row.sealed)
        if hashlib.sha256(data).hexdigest() != sha256:
            raise NotFound("the stored file does not match its checksum")
        return data, row.media_type
