"""awards.ballot_box, the sealed box of a secret vote (RULES.md C10; issue 12 item 5): pure
functions, no Flask, no database."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from awards import ballot_box as box

CHOICES = st.lists(st.tuples(st.integers(1, 10**9), st.booleans()), unique_by=lambda c: c[0])


@given(CHOICES, st.integers(1, 10**6))
def test_C10_a_sealed_ballot_opens_to_its_choices_in_nomination_order(choices, sid):
    key = box.box_key("server secret", sid)
    assert box.unseal(key, sid, "b1", box.seal(key, sid, "b1", choices)) == sorted(choices)


def test_C10_a_sealed_ballot_opens_only_under_its_servers_key_session_and_row():
    key = box.box_key("server secret", 7)
    sealed = box.seal(key, 7, "b1", [(1, True), (2, False)])
    assert box.unseal(key, 7, "b1", sealed) == [(1, True), (2, False)]
    with pytest.raises(box.UnreadableBallot):
        box.unseal(box.box_key("another secret", 7), 7, "b1", sealed)
    with pytest.raises(box.UnreadableBallot):
        box.unseal(key, 8, "b1", sealed)  # moved to another session
    with pytest.raises(box.UnreadableBallot):
        box.unseal(box.box_key("server secret", 8), 8, "b1", sealed)
    with pytest.raises(box.UnreadableBallot):
        box.unseal(key, 7, "b2", sealed)  # copied under another row's key
    tampered = sealed[:-1] + bytes([sealed[-1] ^ 1])
    with pytest.raises(box.UnreadableBallot):
        box.unseal(key, 7, "b1", tampered)
    with pytest.raises(box.UnreadableBallot):
        box.unseal(key, 7, "b1", b"short")


@given(st.lists(st.integers(1, 10**6), unique=True, max_size=50), st.data())
def test_C10_a_sealed_ballots_size_tells_only_how_many_choices(nids, data):
    """Yes and no seal to the same length: the size of a row does not tell how one voted."""
    key = box.box_key("s", 1)
    ones = box.seal(key, 1, "b", [(n, data.draw(st.booleans())) for n in nids])
    assert len(ones) == len(box.seal(key, 1, "b", [(n, True) for n in nids]))


def test_C10_two_seals_of_the_same_choices_differ():
    """A fresh nonce each time: two members who voted alike leave different rows."""
    key = box.box_key("s", 1)
    assert box.seal(key, 1, "b", [(1, True)]) != box.seal(key, 1, "b", [(1, True)])
    assert box.box_key("s", 1) != box.box_key("s", 2)


@given(st.lists(CHOICES, max_size=6), st.randoms(use_true_random=False))
def test_C10_opening_the_box_keeps_every_choice_in_the_order_of_the_keys(ballots, rnd):
    count = sum(len(b) for b in ballots)
    keys = [f"{rnd.getrandbits(128):032x}" for _ in range(count)]
    rows = box.mixed(ballots, keys)
    assert [r[0] for r in rows] == sorted(keys)
    assert sorted((n, y) for _, n, y in rows) == sorted(c for b in ballots for c in b)
    tally = box.tally(ballots)
    for nid, (yes, no) in tally.items():
        assert yes == sum(1 for _, n, y in rows if n == nid and y)
        assert no == sum(1 for _, n, y in rows if n == nid and not y)
    assert sum(y + n for y, n in tally.values()) == count


def test_C10_mixed_wants_one_key_per_choice():
    with pytest.raises(ValueError):
        box.mixed([[(1, True), (2, True)]], ["a"])
