"""What the domain packages hand the core besides blueprints, commands, job kinds and import
kinds: menu entries, landings, cards of work and demo-data loaders. The core never imports a
domain: create_app imports the packages the configuration names (DOMAINS) and calls each one's
init_app(app)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask, current_app


@dataclass(frozen=True)
class MenuEntry:
    """A link of the top menu: shown to a user when `visible(user)` holds; `order` sorts."""

    label: str
    endpoint: str
    visible: Callable[[object], bool]
    order: int = 50


@dataclass(frozen=True)
class WorkSection:
    """A card of a domain's work on "Việc của tôi": rows of {"label", "detail", "url",
    "action"} (what waits, where it stands, where to act, the button's words); `empty` shown
    when there are none (None: the card is left out)."""

    key: str
    title: str
    rows: list[dict]
    empty: str | None = None


@dataclass(frozen=True)
class PersonLink:
    """A link of a person's pages to what a domain keeps of them (their ratings, their
    titles): `key` names it, so a domain's own page can leave out the link to itself."""

    key: str
    label: str
    url: str


@dataclass
class DomainHooks:
    menu: list[MenuEntry]
    # loader(context) -> a line for the demo-data command; context: rng, unit ids by code
    demo: list[Callable[[dict], str]]
    # (order, landing(user) -> a URL or None): where a user lands after login
    landings: list = field(default_factory=list)
    # (order, work(user, year) -> [WorkSection]): what waits for a user on "Việc của tôi"
    work: list = field(default_factory=list)
    # listener(unit_ids): people or units moved, added or removed in these units, inside the
    # writing transaction (a domain recomputes what it derived from the tree)
    org_listeners: list = field(default_factory=list)
    # (order, links(user, person) -> [PersonLink]): a person's pages link what domains keep
    person_links: list = field(default_factory=list)


def hooks(app: Flask | None = None) -> DomainHooks:
    app = app or current_app
    return app.extensions.setdefault("domains", DomainHooks(menu=[], demo=[]))


def add_landing(app: Flask, landing: Callable[[object], str | None], order: int = 50) -> None:
    """A domain's page for some users to land on (their work): landing(user) answers its URL,
    or None when it has nothing for that user. The first answer by order wins; a user no
    domain answers for lands on the unit tree."""
    hooks(app).landings.append((order, landing))
    hooks(app).landings.sort(key=lambda e: e[0])


def landing_for(user) -> str | None:
    for _order, landing in hooks().landings:
        url = landing(user)
        if url:
            return url
    return None


def add_work(app: Flask, work: Callable[[object, int], list], order: int = 50) -> None:
    """A domain's cards on "Việc của tôi": work(user, year) answers its WorkSections."""
    hooks(app).work.append((order, work))
    hooks(app).work.sort(key=lambda e: e[0])


def work_for(user, year: int) -> list[WorkSection]:
    """Every domain's cards for `user` and `year`, in the domains' order; a card with no rows
    and no `empty` text is left out."""
    out = []
    for _order, work in hooks().work:
        out += [w for w in work(user, year) if w.rows or w.empty]
    return out


def add_org_listener(app: Flask, listener: Callable[[set[int]], None]) -> None:
    """A domain hears of changes to the tree and its people: listener(unit_ids), the units
    a person or unit left or joined, called in the writing transaction."""
    hooks(app).org_listeners.append(listener)


def org_changed(unit_ids) -> None:
    """The core's org operations and imports: people or units moved, added or removed here."""
    ids = {i for i in unit_ids if i is not None}
    if ids:
        for listener in hooks().org_listeners:
            listener(ids)


def add_person_links(
    app: Flask, links: Callable[[object, object], list[PersonLink]], order: int = 50
) -> None:
    """A domain's links on a person's pages: links(user, person) answers those the user may
    follow (none: nothing shown)."""
    hooks(app).person_links.append((order, links))
    hooks(app).person_links.sort(key=lambda e: e[0])


def person_links_for(user, person, leave_out: str = "") -> list[PersonLink]:
    """Every domain's links for `person` as `user` may follow them, but the one named
    `leave_out` (the page they are shown on)."""
    out = []
    for _order, links in hooks().person_links:
        out += [link for link in links(user, person) if link.key != leave_out]
    return out


def add_menu_entry(
    app: Flask, label: str, endpoint: str, visible: Callable[[object], bool], order: int = 50
) -> None:
    hooks(app).menu.append(MenuEntry(label, endpoint, visible, order))
    hooks(app).menu.sort(key=lambda e: e.order)


def add_demo(app: Flask, loader: Callable[[dict], str]) -> None:
    """A domain's demo data, loaded after the core's units, people and accounts."""
    hooks(app).demo.append(loader)


def menu_for(user) -> list[MenuEntry]:
    return [e for e in hooks().menu if user.is_authenticated and e.visible(user)]


def init_domains(app: Flask) -> None:
    """Import each package named in DOMAINS and call its init_app(app)."""
    for name in app.config["DOMAINS"]:
        importlib.import_module(name).init_app(app)
