"""The Word documents of the commendation paperwork (issue 13 item 1), the pure part: the four
kinds, the fixed set of top-level fields each template may use (what an uploaded template is
checked against), and the small text helpers (shares with a decimal comma, the C10 threshold
in words, a nominee's achievements from the rules' reasons). No Flask, no database."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

COMMON = {
    "issuer": "Tên cơ quan, đơn vị ban hành (đơn vị của danh sách)",
    "parent_issuer": "Tên cơ quan cấp trên trực tiếp (trống nếu không có)",
    "head_title": "Chức danh người đứng đầu cơ quan ban hành: CHỦ TỊCH, BÍ THƯ, HIỆU TRƯỞNG…",
    "place": "Địa danh ghi ở dòng ngày tháng (cấu hình DOCUMENT_PLACE, mặc định Hà Nội)",
    "today": "Ngày lập văn bản (dd/mm/yyyy)",
    "date_line": "Dòng địa danh, ngày tháng: «Hà Nội, ngày 04 tháng 12 năm 2026»",
    "year": "Năm xét thi đua, khen thưởng",
    "list": "Danh sách: list.id, list.year, list.unit_code, list.unit_name, list.state_label",
}
ROWS = (
    "mỗi dòng: stt, code, name, unit_name, award, award_name, achievements (chuỗi), "
    "position (cá nhân)"
)


@dataclass(frozen=True)
class DocKind:
    key: str  # to_trinh …: the file name of the template (templates/docx/<key>.docx)
    slug: str  # to-trinh …: the URL part and the download name
    title: str
    fields: dict[str, str]  # top-level field -> what it holds (Vietnamese)

    @property
    def names(self) -> frozenset[str]:
        return frozenset(self.fields)


KINDS: dict[str, DocKind] = {
    k.key: k
    for k in (
        DocKind(
            "to_trinh",
            "to-trinh",
            "Tờ trình đề nghị khen thưởng",
            {
                **COMMON,
                "persons": f"I. Cá nhân: {ROWS}",
                "units": f"II. Tập thể: {ROWS}",
                "person_count": "Số cá nhân được đề nghị",
                "unit_count": "Số tập thể được đề nghị",
            },
        ),
        DocKind(
            "bien_ban",
            "bien-ban",
            "Biên bản họp hội đồng thi đua – khen thưởng",
            {
                **COMMON,
                "session": (
                    "Phiên họp: session.id, session.mode_label, session.date (dd/mm/yyyy), "
                    "session.opens_at, session.closes_at (hh:mm dd/mm/yyyy), session.place"
                ),
                "chair": "Họ tên chủ tịch hội đồng",
                "secretary": "Họ tên thư ký hội đồng",
                "members_count": "Tổng số thành viên hội đồng",
                "present_count": "Số thành viên có mặt (đã bỏ phiếu kín / nhập cho phiếu giấy)",
                "absent_count": "Số thành viên vắng mặt",
                "items": (
                    "Kết quả từng đề nghị: stt, name, subject_label, unit_name, award_name, yes, "
                    "no, yes_pct, no_pct (phần trăm trên tổng số thành viên, dấu phẩy thập "
                    "phân), threshold (ngưỡng C10), passed (true/false), result (Đạt/Không đạt)"
                ),
                "passed_count": "Số đề nghị đạt",
                "failed_count": "Số đề nghị không đạt",
            },
        ),
        DocKind(
            "quyet_dinh",
            "quyet-dinh",
            "Quyết định khen thưởng",
            {
                **COMMON,
                "decision": (
                    "Quyết định: decision.no, decision.date (dd/mm/yyyy), decision.signer, "
                    "decision.date_line, decision.level (cấp quyết định, sổ quyết định)"
                ),
                "persons": f"Phụ lục, cá nhân được khen thưởng: {ROWS}",
                "units": f"Phụ lục, tập thể được khen thưởng: {ROWS}",
                "awards": "Tổng hợp theo danh hiệu: award, award_name, count",
                "total": "Tổng số cá nhân và tập thể được khen thưởng",
            },
        ),
        DocKind(
            "bao_cao_thanh_tich",
            "bao-cao-thanh-tich",
            "Báo cáo thành tích",
            {
                **COMMON,
                "nominee": (
                    "Người/tập thể được đề nghị: nominee.name, nominee.code, "
                    "nominee.subject_label, nominee.unit_name, nominee.position, "
                    "nominee.birth_date, nominee.gender, nominee.award, nominee.award_name, "
                    "nominee.rule"
                ),
                "achievements": "Thành tích theo quy định: stt, rule, text",
                "reason": "Lý do đề nghị ngoài quy định (C9), trống nếu không có",
            },
        ),
    )
}
BY_SLUG = {k.slug: k for k in KINDS.values()}


def unknown_fields(kind: DocKind, used: set[str]) -> list[str]:
    """The top-level names a template uses that the kind does not fill, sorted."""
    return sorted(set(used) - kind.names)


def _rounded(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def share_text(count: int | None, members: int | None, places: int = 2) -> str:
    """`count` out of all `members` as a percent with a decimal comma: 3 of 5 -> "60,00 %";
    "" when a figure is missing or there is no member."""
    if count is None or not members:
        return ""
    pct = _rounded(Decimal(count) * 100 / Decimal(members), places)
    return f"{pct:.{places}f}".replace(".", ",") + " %"


def threshold_text(vote_pct: int, vote_strict: bool) -> str:
    """C10's threshold in words, as awards.rules.AwardType.passes reads it: strict is "more
    than", else "at least" `vote_pct` % of all council members."""
    word = "Trên" if vote_strict else "Từ"
    tail = "" if vote_strict else " trở lên"
    return f"{word} {vote_pct} % tổng số thành viên hội đồng{tail}"


def achievements_text(why, reason: str = "") -> str:
    """One paragraph of a nominee's achievements: the texts of the rules' reasons (`why`),
    then the staff's reason of a manual nomination."""
    parts = [s.get("text", "").strip() for s in (why or []) if isinstance(s, dict)]
    if reason and reason.strip():
        parts.append(reason.strip())
    return "; ".join(p for p in parts if p)


def achievement_rows(why) -> list[dict]:
    rows = [s for s in (why or []) if isinstance(s, dict) and (s.get("text") or "").strip()]
    return [
        {"stt": i, "rule": s.get("rule", ""), "text": s["text"].strip()}
        for i, s in enumerate(rows, 1)
    ]


_HEADS = (  # the issuer's name begins with → its head
    ("ủy ban nhân dân", "CHỦ TỊCH"),
    ("đảng ủy", "BÍ THƯ"),
    ("đảng bộ", "BÍ THƯ"),
    ("chi bộ", "BÍ THƯ"),
    ("thành ủy", "BÍ THƯ"),
    ("trường", "HIỆU TRƯỞNG"),
    ("sở ", "GIÁM ĐỐC"),
)


def head_title(issuer: str) -> str:
    """The title of who signs for `issuer` (Nghị định 30/2020: the head's title over the
    signature): a People's Committee's chairman, a party organization's secretary, a school's
    principal, a department's director; «THỦ TRƯỞNG» (the head) otherwise."""
    name = unicodedata.normalize("NFC", issuer).strip().casefold()
    for start, title in _HEADS:
        if name.startswith(start):
            return title
    return "THỦ TRƯỞNG"


def dmy(day) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def date_line(place: str, day: dt.date) -> str:
    """ "Hà Nội, ngày 04 tháng 12 năm 2026" (the place-and-date line)."""
    return f"{place}, ngày {day:%d} tháng {day:%m} năm {day.year}"


def ascii_slug(text: str, limit: int = 60) -> str:
    """An ASCII file-name part: "Trần Thị Bình" -> "Tran_Thi_Binh" (đ -> d)."""
    text = (text or "").replace("đ", "d").replace("Đ", "D")
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "_", plain).strip("_")[:limit] or "x"
