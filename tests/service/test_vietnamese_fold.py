"""Searching without accents: vietnamese.fold and the SQL vn_fold on both databases."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from service.common.queries import vn_fold
from service.common.vietnamese import FOLD_FROM, FOLD_TO, fold
from service.extensions import db


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Trịnh Kim Linh", "trinh kim linh"),
        ("Đống Đa", "dong da"),
        ("Nguyễn Thị Ước", "nguyen thi uoc"),
        ("ỲỶỸỴÝ", "yyyyy"),
        ("DD-GD-MN1", "dd-gd-mn1"),
        ("", ""),
        (None, ""),
    ],
)
def test_fold_drops_tones_and_marks(text, folded):
    assert fold(text) == folded


def test_the_sql_translation_folds_every_letter_as_fold_does():
    assert len(FOLD_FROM) == len(FOLD_TO) == len(set(FOLD_FROM))
    table = str.maketrans(FOLD_FROM, FOLD_TO)
    for ch in FOLD_FROM:
        assert ch.translate(table).lower() == fold(ch), ch


@given(st.text(alphabet=FOLD_FROM + "abcdeghiklmnopqrstuvxy ĐđAB-0", max_size=30))
def test_fold_is_the_translation_then_lower(text):
    assert text.translate(str.maketrans(FOLD_FROM, FOLD_TO)).lower() == fold(text)


def test_vn_fold_in_the_database_matches_fold(app_ctx):
    names = ["Trịnh Kim Linh", "Đống Đa", "NGUYỄN THỊ ƯỚC", "Phường Hàng Bông"]
    for name in names:
        assert db.session.scalar(select(vn_fold(name))) == fold(name), name
