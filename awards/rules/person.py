"""Titles and commendations of a person (RULES.md C0–C5, P1, P2), one pure function per rule.

Each returns an Award (code, rule id, a reason with the figures) or None. The year's own
CSTĐCS, which C3–C5 read, is the result of C2 after the cap (passed in, never guessed)."""

from __future__ import annotations

from functools import lru_cache

from awards.rules import words as w
from awards.rules.facts import (
    BASE,
    CITY,
    Award,
    Initiatives,
    PastYear,
    PersonFacts,
    Step,
)

GOOD = frozenset({"XS", "T"})
EMPTY_YEAR = PastYear()


def past(p: PersonFacts, year: int) -> PastYear:
    return p.history.get(year, EMPTY_YEAR)


def initiatives_in(p: PersonFacts, y: int, year: int) -> Initiatives:
    """Initiatives of year `y`: the proposed year's registry, or the history's counts."""
    return p.initiatives if y == year else past(p, y).initiatives


def had_award(p: PersonFacts, code: str, y: int) -> bool:
    return code in past(p, y).awards


# The reasons that depend only on the year (and a level) are made once: the results are
# frozen, so every person given one shares it.


@lru_cache(maxsize=64)
def _c0_step(year: int) -> Step:
    return Step(
        "C0",
        f"C0: đang bị xem xét (kỷ luật, điều tra, thanh tra hoặc khiếu nại chưa giải quyết) "
        f"năm {year}: không đề nghị danh hiệu, khen thưởng",
    )


@lru_cache(maxsize=64)
def _c1_award(level: str, year: int) -> Award:
    return Award(
        "LDTT", "C1", f"C1: xếp loại {w.level(level)} năm {year}, không bị kỷ luật trong năm {year}"
    )


def c0_blocked(p: PersonFacts, year: int) -> Step | None:
    return _c0_step(year) if p.under_review else None


def c1_ldtt(p: PersonFacts, year: int) -> Award | None:
    if p.official not in GOOD:
        return None
    if p.disciplines and any(d.decided_in(year) for d in p.disciplines):
        return None
    return _c1_award(p.official, year)


def c2_candidate(p: PersonFacts, ldtt: bool) -> bool:
    """C2 before the cap: LĐTT and (official XS, or an initiative ≥ cơ sở this year)."""
    return ldtt and (p.official == "XS" or p.initiatives.at_least(BASE) >= 1)


def c2_cap(n: int, pct: int | None = 15) -> int:
    """At most floor((pct·N + 50) / 100) CSTĐCS per emulation scope (NĐ 91/2017 art. 9); a
    catalog without a cap (pct None) keeps every candidate (at most the N LĐTT)."""
    if pct is None:
        return n
    return (pct * n + 50) // 100


def c2_rank_key(p: PersonFacts):
    """Official XS first, then score descending, then initiatives descending, then code."""
    score = p.score if p.score is not None else 0
    return (0 if p.official == "XS" else 1, -score, -p.initiatives.at_least(BASE), p.code)


def c2_reason(p: PersonFacts, year: int) -> str:
    basis = "xếp loại Hoàn thành xuất sắc" if p.official == "XS" else "có sáng kiến"
    return (
        f"LĐTT và {basis}; xếp loại {p.official}, điểm {w.number(p.score)}, "
        f"{p.initiatives.at_least(BASE)} sáng kiến từ cấp cơ sở năm {year}"
    )


def c2_apply_cap(
    candidates: list[PersonFacts], n_ldtt: int, scope: str, year: int, pct: int | None = 15
) -> tuple[dict[str, Award], dict[str, Award]]:
    """Rank the candidates of one scope and keep the first cap of them: (kept, over the cap)."""
    cap = c2_cap(n_ldtt, pct)
    ranked = sorted(candidates, key=c2_rank_key)
    if pct is None:
        formula = f"không giới hạn tỷ lệ, N = {n_ldtt} LĐTT trong {scope}"
    else:
        formula = (
            f"giới hạn {cap} = floor(({pct}×{n_ldtt}+50)/100), N = {n_ldtt} LĐTT trong {scope}"
        )
    kept: dict[str, Award] = {}
    cut: dict[str, Award] = {}
    for rank, p in enumerate(ranked, start=1):
        where = f"hạng {rank}/{len(ranked)}, {formula}"
        if rank <= cap:
            kept[p.code] = Award("CSTDCS", "C2", f"C2: {c2_reason(p, year)}; {where}")
        else:
            cut[p.code] = Award(
                "CSTDCS",
                "C2",
                f"C2 vượt giới hạn: đủ điều kiện nhưng {where}; {c2_reason(p, year)}",
            )
    return kept, cut


def _cstdcs_years(p: PersonFacts, years, year: int, now: bool) -> list[int]:
    return [y for y in years if (now if y == year else had_award(p, "CSTDCS", y))]


def c3_cstd_tp(p: PersonFacts, year: int, cstdcs_now: bool) -> Award | None:
    if not cstdcs_now:
        return None  # CSTĐCS this year is one of the three
    span = [year - 2, year - 1, year]
    if len(_cstdcs_years(p, span, year, cstdcs_now)) < 3:
        return None
    city = {y: initiatives_in(p, y, year).at_least(CITY) for y in span}
    if not any(city.values()):
        return None
    found = ", ".join(f"{y}: {n}" for y, n in city.items() if n)
    return Award(
        "CSTD_TP",
        "C3",
        f"C3: CSTĐCS các năm {w.years(span)}; sáng kiến từ cấp thành phố: {found}",
    )


@lru_cache(maxsize=64)
def _c4_cstdcs(year: int) -> Award:
    return Award("BK_TP", "C4", f"C4: CSTĐCS các năm {w.years([year - 1, year])}")


def c4_bk_tp(p: PersonFacts, year: int, cstdcs_now: bool) -> Award | None:
    span = [year - 1, year]
    if cstdcs_now and had_award(p, "CSTDCS", year - 1):
        return _c4_cstdcs(year)
    if p.official != "XS":
        return None  # neither branch can hold: not CSTĐCS both years, not XS this year
    levels = {y: (p.official if y == year else past(p, y).official) for y in span}
    per_year = {y: initiatives_in(p, y, year).at_least(BASE) for y in span}
    count = sum(per_year.values())
    if all(v == "XS" for v in levels.values()) and count >= 2:
        each = ", ".join(f"{y}: {n}" for y, n in per_year.items())
        return Award(
            "BK_TP",
            "C4",
            f"C4: Hoàn thành xuất sắc nhiệm vụ các năm {w.years(span)} và {count} sáng kiến "
            f"từ cấp cơ sở trong hai năm ({each}; cần ít nhất 2)",
        )
    return None


def c5_bk_ttg(p: PersonFacts, year: int, cstdcs_now: bool) -> Award | None:
    if p.official not in GOOD:
        return None  # this year is one of the five
    bk_years = [y for y in sorted(p.history) if y <= year - 5 and had_award(p, "BK_TP", y)]
    if not bk_years:
        return None
    span = list(range(year - 4, year + 1))
    levels = [p.official if y == year else past(p, y).official for y in span]
    if not all(v in GOOD for v in levels):
        return None
    cst = _cstdcs_years(p, span, year, cstdcs_now)
    if len(cst) < 3:
        return None
    return Award(
        "BK_TTG",
        "C5",
        f"C5: Bằng khen UBND thành phố năm {w.years(bk_years)} (từ {year - 5} trở về trước); "
        f"xếp loại {'/'.join(levels)} các năm {span[0]}–{year}; "
        f"CSTĐCS {w.years(cst)} ({len(cst)}/5 năm, cần 3)",
    )


@lru_cache(maxsize=64)
def _p1_award(year: int) -> Award:
    return Award("GK_DANG", "P1", f"P1: đảng viên {w.level('XS')} năm {year}")


@lru_cache(maxsize=64)
def _p2_award(year: int) -> Award:
    why = f"P2: đảng viên Hoàn thành xuất sắc nhiệm vụ 5 năm liền {year - 4}–{year}"
    return Award("DANG_5NAM", "P2", why)


def p1_gk_dang(p: PersonFacts, year: int) -> Award | None:
    return _p1_award(year) if p.party == "XS" else None


def p2_dang_5nam(p: PersonFacts, year: int) -> Award | None:
    if p.party != "XS":
        return None
    if all(past(p, y).party == "XS" for y in range(year - 4, year)):
        return _p2_award(year)
    return None
