"""The sealed ballot box of a secret vote (RULES.md C10, STYLE.md "Secret ballots").

A vote's transaction writes the member's register row and their ballot together (issue 12:
one transaction, so a second vote is refused). Every row a transaction writes carries the
same transaction id in the database (PostgreSQL's xmin) and lands next to the others (ctid,
SQLite's rowid): whoever reads the tables could pair a register row with the rows written
with it. So while the session is open the ballot is stored sealed: the member's choices
encrypted (AES-GCM) under a key derived from the server's SECRET_KEY and the session, which
the database never holds. When the session is closed, the box is opened: every sealed ballot
is unsealed and its choices are written as one row per choice (awards.council_models.Ballot)
in one random order over all members, in the closing transaction, and the sealed rows are
deleted. From then on the choices carry the closing transaction's id, not a voter's, and no
row holds one member's choices together.

Pure functions: no Flask, no database."""

from __future__ import annotations

import json
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

NONCE = 12  # bytes: AES-GCM's standard nonce, random per ballot


class UnreadableBallot(Exception):
    """A sealed ballot that does not open under this server's key: the SECRET_KEY changed
    while the session was open, or the row was altered."""


def box_key(secret_key: str | bytes, session_id: int) -> bytes:
    """The 256-bit key of one session's box: HKDF-SHA256 of the server's secret, salted by
    the session, so a ballot sealed for one session opens in no other."""
    secret = secret_key.encode() if isinstance(secret_key, str) else secret_key
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=f"voting-session:{session_id}".encode(),
        info=b"awards ballot box",
    ).derive(secret)


def _context(session_id: int, ballot_id: str) -> bytes:
    return f"ballot:{session_id}:{ballot_id}".encode()


def seal(key: bytes, session_id: int, ballot_id: str, choices: list[tuple[int, bool]]) -> bytes:
    """A member's choices, (nomination id, yes) each, sealed: nonce + AES-GCM ciphertext,
    the session and the sealed row's own key bound in as associated data (a copy of the row
    under another key, or in another session, does not open). The choices are sealed in the
    order of the nomination ids, so the content does not keep the order they came in; yes
    and no are the same length, so the size tells only how many choices."""
    body = json.dumps([[nid, int(yes)] for nid, yes in sorted(choices)], separators=(",", ":"))
    nonce = os.urandom(NONCE)
    return nonce + AESGCM(key).encrypt(nonce, body.encode(), _context(session_id, ballot_id))


def unseal(key: bytes, session_id: int, ballot_id: str, sealed: bytes) -> list[tuple[int, bool]]:
    """The choices of a sealed ballot; UnreadableBallot when it does not open under `key`
    as row `ballot_id` of `session_id`."""
    sealed = bytes(sealed)
    try:
        body = AESGCM(key).decrypt(sealed[:NONCE], sealed[NONCE:], _context(session_id, ballot_id))
    except (InvalidTag, ValueError) as exc:
        raise UnreadableBallot from exc
    return [(int(nid), bool(yes)) for nid, yes in json.loads(body)]


def mixed(ballots: list[list[tuple[int, bool]]], keys: list[str]) -> list[tuple[str, int, bool]]:
    """Every choice of every ballot as (key, nomination id, yes), given one random key per
    choice (`keys`, as many as there are choices), in the order of the keys: one random
    order over all members, unrelated to whose ballot a choice came from."""
    flat = [choice for ballot in ballots for choice in ballot]
    if len(keys) != len(flat):
        raise ValueError("one key per choice")
    return sorted((key, nid, yes) for key, (nid, yes) in zip(keys, flat, strict=True))


def tally(ballots: list[list[tuple[int, bool]]]) -> dict[int, tuple[int, int]]:
    """nomination id -> (yes, no) over the ballots."""
    counted: dict[int, list[int]] = {}
    for ballot in ballots:
        for nid, yes in ballot:
            counted.setdefault(nid, [0, 0])[0 if yes else 1] += 1
    return {nid: (c[0], c[1]) for nid, c in counted.items()}
