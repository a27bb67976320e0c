"""D. The violation catalog (Directive 24's 25 items), and what listed violations deduct
(A2, B1) and cap (A5, B4)."""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from evaluation.rules._messages import _VIOLATION_FEW, _VIOLATION_MANY, _VIOLATION_SERIOUS
from evaluation.rules._results import RuleStep, _step
from evaluation.rules.levels import _CODE


class Severity(enum.StrEnum):
    MINOR = "minor"
    SERIOUS = "serious"


class AppliesTo(enum.StrEnum):
    INDIVIDUAL = "individual"
    COLLECTIVE = "collective"
    BOTH = "both"


@dataclass(frozen=True, slots=True)
class ViolationType:
    """One Directive 24 violation item (RULES.md D)."""

    code: str
    title: str
    group: int
    applies_to: AppliesTo
    severity: Severity


GROUP_TITLES = {
    1: "Vi phạm kỷ cương, kỷ luật, nội quy, quy chế",
    2: "Né tránh, đùn đẩy, thiếu trách nhiệm trong giải quyết công việc",
    3: "Gây phiền hà, nhũng nhiễu, lạm quyền khi giải quyết công việc của người dân, doanh nghiệp",
}

_B = AppliesTo.BOTH
_I = AppliesTo.INDIVIDUAL
_SERIOUS_CODES = frozenset({"1.01", "1.02", "1.05", "2.09", "3.01", "3.02"})
# Paraphrases of the directive's themes (seeds/); administrators replace them with the official
# appendix text in the year's catalog.
_CATALOG_ITEMS = (
    ("1.01", _B, "Không chấp hành nghiêm chủ trương, nghị quyết, chỉ thị, quyết định của cấp trên"),
    ("1.02", _B, "Vi phạm nguyên tắc tập trung dân chủ, quy chế làm việc; lạm quyền, vượt quyền"),
    ("1.03", _I, "Không chấp hành thời giờ làm việc; đi muộn, về sớm, bỏ vị trí công tác"),
    ("1.04", _I, "Sử dụng thời giờ làm việc vào việc riêng"),
    ("1.05", _I, "Sử dụng rượu, bia, đồ uống có cồn trong giờ làm việc, giờ nghỉ trưa"),
    ("1.06", _I, "Không chấp hành quy tắc ứng xử, văn hóa công sở"),
    ("1.07", _I, "Không chấp hành sự phân công, điều động của tổ chức"),
    ("1.08", _B, "Không thực hiện chế độ thông tin, báo cáo đầy đủ, đúng hạn, chính xác"),
    ("1.09", _B, "Chậm xây dựng, ban hành, triển khai chương trình, kế hoạch công tác"),
    ("1.10", _B, "Thiếu gương mẫu, không tự giác nêu gương, nhất là người đứng đầu"),
    ("1.11", _I, "Phát ngôn, đăng tải, chia sẻ thông tin trái quy định, nhất là trên mạng xã hội"),
    ("1.12", _B, "Vi phạm quy định về quản lý hồ sơ, tài liệu, bảo vệ bí mật nhà nước"),
    ("2.01", _B, "Né tránh, đùn đẩy, không dám quyết định công việc thuộc thẩm quyền"),
    ("2.02", _B, "Đẩy việc lên cấp trên, xin ý kiến không cần thiết để né tránh trách nhiệm"),
    ("2.03", _B, "Để công việc tồn đọng, chậm trễ, kéo dài, quá hạn không có lý do chính đáng"),
    ("2.04", _I, "Tham mưu, đề xuất chậm, thiếu chất lượng, phải làm đi làm lại nhiều lần"),
    ("2.05", _B, "Phối hợp thiếu trách nhiệm; chậm trả lời văn bản xin ý kiến của nơi khác"),
    ("2.06", _B, "Trả lời chung chung, không rõ quan điểm, không rõ trách nhiệm"),
    ("2.07", _I, "Sợ sai, sợ trách nhiệm, làm việc cầm chừng, thiếu chủ động"),
    ("2.08", _B, "Không thực hiện hoặc thực hiện không đầy đủ kết luận thanh tra, kiểm tra"),
    ("2.09", _B, "Thiếu trách nhiệm để xảy ra sai phạm, thất thoát, lãng phí nghiêm trọng"),
    ("3.01", _B, "Gây phiền hà, sách nhiễu, vòi vĩnh người dân, doanh nghiệp"),
    ("3.02", _B, "Lợi dụng chức vụ, quyền hạn để trục lợi, tiếp tay cho vi phạm"),
    ("3.03", _B, "Yêu cầu thêm thủ tục, giấy tờ ngoài quy định; hẹn lại nhiều lần"),
    ("3.04", _I, "Thái độ hách dịch, cửa quyền, thiếu tôn trọng người dân, doanh nghiệp"),
)
DEFAULT_CATALOG: Mapping[str, ViolationType] = MappingProxyType(
    {
        code: ViolationType(
            code=code,
            title=title,
            group=int(code[0]),
            applies_to=applies_to,
            severity=Severity.SERIOUS if code in _SERIOUS_CODES else Severity.MINOR,
        )
        for code, applies_to, title in _CATALOG_ITEMS
    }
)
"""The 25 items of Directive 24's appendix (1.01–1.12, 2.01–2.09, 3.01–3.04), keyed by code."""


def _deductions(codes: Sequence[str], vinfo: dict[str, tuple[Decimal, bool]]) -> tuple[Any, bool]:
    total: Any = 0
    serious = False
    for code in codes:
        info = vinfo.get(code)
        if info is None:
            raise ValueError(f"Mã biểu hiện vi phạm '{code}' không có trong danh mục của năm.")
        total += info[0]
        if info[1]:
            serious = True
    return total, serious


def _violation_step(
    rule: str, codes: Sequence[str], serious: bool, many: int, level: int, limit: int
) -> RuleStep:
    if serious:
        template = _VIOLATION_SERIOUS
    elif len(codes) >= many:
        template = _VIOLATION_MANY
    else:
        template = _VIOLATION_FEW
    return _step(
        rule,
        template,
        {
            "rule": rule,
            "from": _CODE[level],
            "to": _CODE[limit],
            "count": len(codes),
            "codes": ", ".join(codes),
            "serious": serious,
            "many": many,
        },
    )
