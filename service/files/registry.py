"""The owner kinds a domain registers for its dossiers (the core never imports a domain): how to
find an owner, who may read and who may write its files, its title and its pages."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from service.common.errors import Conflict, NotFound


@dataclass(frozen=True)
class OwnerKind:
    """kind: the name in URLs and rows ("award_list"); doc_types: code -> Vietnamese label, in
    the order of the type select; find(owner_id) -> the owner or None; may_read(user, owner),
    may_write(user, owner): role + unit scope; title(owner): the dossier's heading; page(owner):
    the page showing the dossier's card (where a page form goes back to); back(owner): (label,
    URL) of the owner's own page, or None; unit_id(owner): the unit for the audit entry;
    closed(owner): None while the dossier is open, else (why, the document types that may
    still be added or removed), e.g. a decided list keeps only its decision open."""

    kind: str
    label: str
    doc_types: dict[str, str]
    find: Callable[[int], object | None]
    may_read: Callable[[object, object], bool]
    may_write: Callable[[object, object], bool]
    title: Callable[[object], str]
    page: Callable[[object], str]
    back: Callable[[object], tuple[str, str] | None] = lambda owner: None
    unit_id: Callable[[object], int | None] = lambda owner: None
    closed: Callable[[object], tuple[str, tuple[str, ...]] | None] = lambda owner: None

    def open_types(self, owner) -> dict[str, str]:
        """The document types that may be added to or removed from the owner's dossier now."""
        shut = self.closed(owner)
        if shut is None:
            return dict(self.doc_types)
        return {c: lbl for c, lbl in self.doc_types.items() if c in shut[1]}

    def refuse_closed(self, owner, doc_type: str | None) -> None:
        """Conflict (409) with the owner's reason when `doc_type` is no longer open."""
        shut = self.closed(owner)
        if shut is not None and doc_type not in shut[1]:
            raise Conflict(shut[0])


OWNER_KINDS: dict[str, OwnerKind] = {}


def register_owner_kind(owner_kind: OwnerKind) -> None:
    OWNER_KINDS[owner_kind.kind] = owner_kind


def owner_kind(kind: str) -> OwnerKind:
    """The registered kind, else 404 (an unknown kind names nothing)."""
    found = OWNER_KINDS.get(kind)
    if found is None:
        raise NotFound("Không tìm thấy loại hồ sơ.")
    return found
