"""The bytes of the attachments under ATTACHMENTS_DIR: an upload is streamed into a temporary
file (its size checked as it comes, its SHA-256 computed), then moved to its content-addressed
place only once the transaction that adds its row commits; a rollback deletes it. A failed
request so leaves neither a row nor a file."""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import zipfile
from pathlib import Path

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from service.common.errors import ServiceError

CHUNK = 64 * 1024
PENDING = "attachments_pending"  # session.info: [(temp path, final path)] moved at commit
TMP = ".tmp"
log = logging.getLogger(__name__)


def root() -> Path:
    configured = current_app.config.get("ATTACHMENTS_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "attachments"


def key_for(sha256: str) -> str:
    return f"{sha256[:2]}/{sha256}"


def path_of(key: str) -> Path:
    return root() / key


def too_large(limit: int) -> ServiceError:
    mb = f"{limit / 1024 / 1024:.1f}".rstrip("0").rstrip(".").replace(".", ",")
    return ServiceError(
        f"Tệp quá lớn: mỗi tệp tối đa {mb} MB.", {"file": [f"Tệp vượt quá {mb} MB."]}, status=413
    )


def receive(stream, limit: int) -> tuple[Path, int, str]:
    """Copy `stream` into a new temporary file: (its path, size, SHA-256). Over `limit` bytes
    the copy stops, the file is deleted and a 413 is raised."""
    tmp_dir = root() / TMP
    tmp_dir.mkdir(parents=True, exist_ok=True)
    path = tmp_dir / secrets.token_hex(16)
    digest, size = hashlib.sha256(), 0
    try:
        with open(path, "xb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise too_large(limit)
                digest.update(chunk)
                out.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path, size, digest.hexdigest()


def head_and_names(path: Path) -> tuple[bytes, set[str] | None]:
    """The first KB of the file and, when it is a zip, its member names (nothing extracted)."""
    with open(path, "rb") as f:
        head = f.read(1024)
    names = None
    if head.startswith(b"PK"):
        try:
            with zipfile.ZipFile(path) as zf:
                names = set(zf.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            names = None
    return head, names


def move_on_commit(session, temp: Path, key: str) -> None:
    session.info.setdefault(PENDING, []).append((str(temp), str(path_of(key))))


def _commit_moves(session) -> None:
    for temp, final in session.info.pop(PENDING, []):
        try:
            if os.path.exists(final):  # the same content is stored already
                os.unlink(temp)
            else:
                os.makedirs(os.path.dirname(final), exist_ok=True)
                os.replace(temp, final)
        except OSError:
            log.exception("attachment file not moved into place: %s", final)


def _drop_pending(session, *_args) -> None:
    for temp, _final in session.info.pop(PENDING, []):
        try:
            os.unlink(temp)
        except FileNotFoundError:
            pass


_installed = []


def install() -> None:
    """Session listeners (once per process): move at commit, delete at rollback."""
    if _installed:
        return
    _installed.append(True)
    event.listen(Session, "after_commit", _commit_moves)
    event.listen(Session, "after_soft_rollback", _drop_pending)
