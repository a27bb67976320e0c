"""Writes the shipped Word templates of the commendation paperwork (templates/docx/<kind>.docx)
with python-docx: paragraphs and tables holding docxtpl tags ({{ list.unit_name }},
{%tr for n in persons %}). Run by hand after a change, and commit the .docx files it writes
(the service reads them, never this script):

    .venv/bin/python -m awards.docx_build

Layout of Vietnamese administrative documents (Nghị định 30/2020/NĐ-CP): A4, margins 2/2/3/2 cm,
Times New Roman; the issuing body on the left and the national heading on the right, the number
and the place-and-date line under them, the title, the body, the signature block and "Nơi
nhận"."""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

OUT = Path(__file__).resolve().parent.parent / "templates" / "docx"
CENTER, LEFT, JUSTIFY = (
    WD_ALIGN_PARAGRAPH.CENTER,
    WD_ALIGN_PARAGRAPH.LEFT,
    WD_ALIGN_PARAGRAPH.JUSTIFY,
)
NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
BASES = (
    "Căn cứ Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022;",
    "Căn cứ Nghị định số 98/2023/NĐ-CP ngày 31 tháng 12 năm 2023 của Chính phủ quy định chi "
    "tiết thi hành một số điều của Luật Thi đua, khen thưởng;",
)


def new_document() -> Document:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin = section.bottom_margin = Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(2)
    normal = doc.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(13)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "Times New Roman")
    normal.paragraph_format.space_after = Pt(3)
    doc.core_properties.author = ""
    doc.core_properties.title = ""
    return doc


def para(where, *runs, align=JUSTIFY, size=None, indent=False, space_after=None):
    """A paragraph of runs: each a str or (text, "b"/"i"/"bi"); a tag stays in one run."""
    p = where.add_paragraph()
    p.alignment = align
    if indent:
        p.paragraph_format.first_line_indent = Cm(1)
    if space_after is not None:
        p.paragraph_format.space_after = Pt(space_after)
    for run in runs:
        text, style = (run, "") if isinstance(run, str) else run
        r = p.add_run(text)
        r.bold = "b" in style
        r.italic = "i" in style
        if size:
            r.font.size = Pt(size)
    return p


def _cell(cell, *lines, align=CENTER, size=None):
    """Fill a cell with lines (the first replaces the cell's empty paragraph)."""
    first = True
    for line in lines:
        runs = line if isinstance(line, list) else [line]
        if first:
            p = cell.paragraphs[0]
            p.alignment = align
            for run in runs:
                text, style = (run, "") if isinstance(run, str) else run
                r = p.add_run(text)
                r.bold, r.italic = "b" in style, "i" in style
                if size:
                    r.font.size = Pt(size)
            first = False
        else:
            p = cell.add_paragraph()
            p.alignment = align
            for run in runs:
                text, style = (run, "") if isinstance(run, str) else run
                r = p.add_run(text)
                r.bold, r.italic = "b" in style, "i" in style
                if size:
                    r.font.size = Pt(size)


def heading(doc, left: list, number: str, date_line: str = "{{ date_line }}") -> None:
    """Issuing body and number on the left; the national heading and the date line on the
    right (a table without borders)."""
    t = doc.add_table(rows=2, cols=2)
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    for row in t.rows:
        row.cells[0].width, row.cells[1].width = Cm(6.5), Cm(9.5)
    _cell(t.cell(0, 0), *left, "―――――", size=12)
    _cell(t.cell(0, 1), [(NATION, "b")], [(MOTTO, "b")], "―――――――――――――", size=12)
    _cell(t.cell(1, 0), number, size=12)
    _cell(t.cell(1, 1), [(date_line, "i")], size=12)
    para(doc, "")


def title(doc, *lines) -> None:
    for i, line in enumerate(lines):
        para(doc, (line, "b"), align=CENTER, size=14 if i == 0 else 13, space_after=0)
    para(doc, "―――――", align=CENTER, space_after=6)


def loop_table(doc, headers, loop: str, cells, widths) -> None:
    """A bordered table: a header row, then one row per item of `loop` ("n in persons")."""
    t = doc.add_table(rows=4, cols=len(headers))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    for i, h in enumerate(headers):
        _cell(t.cell(0, i), [(h, "b")], size=12)
    _cell(t.cell(1, 0), f"{{%tr for {loop} %}}", size=12)
    for i, c in enumerate(cells):
        _cell(t.cell(2, i), c, align=CENTER if i == 0 else LEFT, size=12)
    _cell(t.cell(3, 0), "{%tr endfor %}", size=12)
    for row in t.rows:
        for i, w in enumerate(widths):
            row.cells[i].width = Cm(w)


def signature(doc, left: list, right: list) -> None:
    t = doc.add_table(rows=1, cols=2)
    t.autofit = False
    t.rows[0].cells[0].width, t.rows[0].cells[1].width = Cm(7.5), Cm(8.5)
    _cell(t.cell(0, 0), *left, align=LEFT, size=11)
    _cell(t.cell(0, 1), *right, size=13)


def received(*lines) -> list:
    return [[("Nơi nhận:", "bi")], *[f"- {x}" for x in lines]]


def signer(role: str, name: str = "", note: str = "(Ký, ghi rõ họ tên, đóng dấu)") -> list:
    return [[(role, "b")], [(note, "i")], "", "", "", [(name, "b")]]


def when_empty(doc, name: str, text: str) -> None:
    para(doc, f"{{%p if not {name} %}}")
    para(doc, (text, "i"))
    para(doc, "{%p endif %}")


PERSON_ROW = ("{{ n.stt }}", "{{ n.name }}", "{{ n.unit_name }}", "{{ n.award_name }}")


def to_trinh() -> Document:
    doc = new_document()
    heading(
        doc, ["{{ parent_issuer|upper }}", [("{{ issuer|upper }}", "b")]], "Số:       /TTr-TĐKT"
    )
    title(doc, "TỜ TRÌNH", "Về việc đề nghị khen thưởng năm {{ year }}")
    para(
        doc,
        "Kính gửi: Hội đồng Thi đua – Khen thưởng {{ parent_issuer or 'cấp trên' }}.",
        align=CENTER,
    )
    for base in BASES:
        para(doc, (base, "i"), indent=True)
    para(
        doc,
        "Căn cứ kết quả đánh giá, xếp loại và thành tích đạt được trong năm {{ year }}, "
        "{{ issuer }} đề nghị khen thưởng {{ person_count }} cá nhân và {{ unit_count }} tập "
        "thể, cụ thể như sau:",
        indent=True,
    )
    para(doc, ("I. Cá nhân", "b"))
    loop_table(
        doc,
        ("STT", "Họ và tên", "Đơn vị", "Danh hiệu, hình thức khen thưởng", "Thành tích tóm tắt"),
        "n in persons",
        (*PERSON_ROW, "{{ n.achievements }}"),
        (1.2, 3.5, 3.3, 3.5, 4.5),
    )
    when_empty(doc, "persons", "Không có cá nhân được đề nghị.")
    para(doc, ("II. Tập thể", "b"))
    loop_table(
        doc,
        ("STT", "Tên tập thể", "Đơn vị", "Danh hiệu, hình thức khen thưởng", "Thành tích tóm tắt"),
        "n in units",
        (*PERSON_ROW, "{{ n.achievements }}"),
        (1.2, 3.5, 3.3, 3.5, 4.5),
    )
    when_empty(doc, "units", "Không có tập thể được đề nghị.")
    para(doc, ("(Có báo cáo thành tích của từng cá nhân, tập thể kèm theo)", "i"), indent=True)
    para(
        doc,
        "{{ issuer }} kính đề nghị Hội đồng Thi đua – Khen thưởng xem xét, quyết định./.",
        indent=True,
    )
    signature(doc, received("Như trên;", "Lưu: VT, TĐKT."), signer("{{ head_title }}"))
    return doc


def bien_ban() -> Document:
    doc = new_document()
    heading(
        doc,
        ["{{ issuer|upper }}", [("HỘI ĐỒNG THI ĐUA – KHEN THƯỞNG", "b")]],
        "Số:       /BB-HĐTĐKT",
    )
    title(doc, "BIÊN BẢN", "Họp Hội đồng Thi đua – Khen thưởng xét khen thưởng năm {{ year }}")
    para(doc, ("Thời gian: ", "b"), "từ {{ session.opens_at }} đến {{ session.closes_at }}.")
    para(doc, ("Địa điểm: ", "b"), "{{ session.place }}.")
    para(doc, ("Chủ trì: ", "b"), "{{ chair }}, Chủ tịch Hội đồng.")
    para(doc, ("Thư ký: ", "b"), "{{ secretary }}.")
    para(
        doc,
        ("Thành viên có mặt: ", "b"),
        "{{ present_count }}/{{ members_count }} thành viên Hội đồng (vắng mặt: "
        "{{ absent_count }}).",
    )
    para(doc, ("Hình thức biểu quyết: ", "b"), "{{ session.mode_label }}.")
    para(doc, ("Nội dung", "b"))
    para(
        doc,
        "Hội đồng Thi đua – Khen thưởng xem xét danh sách đề nghị khen thưởng năm {{ year }} của "
        "{{ list.unit_name }} và biểu quyết đối với từng trường hợp. Kết quả kiểm phiếu như "
        "sau (tỷ lệ tính trên tổng số {{ members_count }} thành viên Hội đồng):",
        indent=True,
    )
    loop_table(
        doc,
        ("STT", "Cá nhân, tập thể", "Danh hiệu, hình thức", "Đồng ý", "Không đồng ý", "Ngưỡng",
         "Kết quả"),
        "n in items",
        ("{{ n.stt }}", "{{ n.name }} ({{ n.subject_label }})", "{{ n.award_name }}",
         "{{ n.yes }} ({{ n.yes_pct }})", "{{ n.no }} ({{ n.no_pct }})", "{{ n.threshold }}",
         "{{ n.result }}"),
        (1.0, 3.6, 2.8, 2.0, 2.0, 2.9, 1.7),
    )  # fmt: skip
    para(
        doc,
        "Kết quả: {{ passed_count }} trường hợp đạt, {{ failed_count }} trường hợp không đạt "
        "ngưỡng biểu quyết theo quy định.",
        indent=True,
    )
    para(doc, "Biên bản đã được thông qua trước Hội đồng./.", indent=True)
    signature(doc, signer("THƯ KÝ", "{{ secretary }}", "(Ký, ghi rõ họ tên)"),
              signer("CHỦ TỊCH HỘI ĐỒNG", "{{ chair }}", "(Ký, ghi rõ họ tên)"))  # fmt: skip
    para(doc, "")
    for line in received("Thành viên Hội đồng;", "Lưu: VT, TĐKT."):
        runs = line if isinstance(line, list) else [line]
        para(doc, *runs, align=LEFT, size=11, space_after=0)
    return doc


def quyet_dinh() -> Document:
    doc = new_document()
    heading(doc, ["{{ parent_issuer|upper }}", [("{{ issuer|upper }}", "b")]],
            "Số: {{ decision.no }}", "{{ decision.date_line }}")  # fmt: skip
    title(doc, "QUYẾT ĐỊNH", "Về việc khen thưởng năm {{ year }}")
    para(doc, ("{{ head_title }} {{ issuer|upper }}", "b"), align=CENTER)
    for base in BASES:
        para(doc, (base, "i"), indent=True)
    para(doc, ("Xét đề nghị của Hội đồng Thi đua – Khen thưởng {{ issuer }},", "i"), indent=True)
    para(doc, ("QUYẾT ĐỊNH:", "b"), align=CENTER)
    para(
        doc,
        ("Điều 1. ", "b"),
        "Tặng danh hiệu thi đua, hình thức khen thưởng cho {{ total }} cá nhân, tập thể đã có "
        "thành tích trong năm {{ year }} (có danh sách kèm theo), gồm:",
        indent=True,
    )
    para(doc, "{%p for a in awards %}")
    para(doc, "- {{ a.award_name }}: {{ a.count }}{{ '.' if loop.last else ';' }}", indent=True)
    para(doc, "{%p endfor %}")
    para(doc, ("Điều 2. ", "b"), "Quyết định này có hiệu lực kể từ ngày ký.", indent=True)
    para(
        doc,
        ("Điều 3. ", "b"),
        "Các đơn vị, cá nhân có liên quan và các cá nhân, tập thể có tên tại Điều 1 chịu trách "
        "nhiệm thi hành Quyết định này./.",
        indent=True,
    )
    signature(doc, received("Như Điều 3;", "Lưu: VT, TĐKT."),
              signer("{{ head_title }}", "{{ decision.signer }}"))  # fmt: skip
    para(doc, "").add_run().add_break(WD_BREAK.PAGE)
    title(doc, "PHỤ LỤC", "DANH SÁCH CÁ NHÂN, TẬP THỂ ĐƯỢC KHEN THƯỞNG NĂM {{ year }}")
    para(
        doc,
        (
            "(Kèm theo Quyết định số {{ decision.no }} ngày {{ decision.date }} của {{ issuer }})",
            "i",
        ),
        align=CENTER,
    )
    para(doc, ("I. Cá nhân", "b"))
    loop_table(
        doc,
        ("STT", "Họ và tên", "Chức vụ", "Đơn vị", "Danh hiệu, hình thức khen thưởng"),
        "n in persons",
        ("{{ n.stt }}", "{{ n.name }}", "{{ n.position }}", "{{ n.unit_name }}",
         "{{ n.award_name }}"),
        (1.2, 4.0, 3.3, 3.5, 4.0),
    )  # fmt: skip
    when_empty(doc, "persons", "Không có cá nhân.")
    para(doc, ("II. Tập thể", "b"))
    loop_table(
        doc,
        ("STT", "Tên tập thể", "Đơn vị", "Danh hiệu, hình thức khen thưởng"),
        "n in units",
        PERSON_ROW,
        (1.2, 5.5, 4.5, 4.8),
    )
    when_empty(doc, "units", "Không có tập thể.")
    return doc


def bao_cao_thanh_tich() -> Document:
    doc = new_document()
    heading(doc, ["{{ parent_issuer|upper }}", [("{{ issuer|upper }}", "b")]], "")
    title(
        doc,
        "BÁO CÁO THÀNH TÍCH",
        "ĐỀ NGHỊ TẶNG {{ nominee.award_name|upper }}",
        "Năm {{ year }}",
    )
    para(doc, ("I. SƠ LƯỢC LÝ LỊCH, ĐẶC ĐIỂM, TÌNH HÌNH", "b"))
    para(
        doc,
        "- {{ 'Họ và tên' if nominee.is_person else 'Tên tập thể' }}: ",
        ("{{ nominee.name }}", "b"),
    )
    para(doc, "- Mã: {{ nominee.code }}")
    para(doc, "{%p if nominee.is_person %}")
    para(doc, "- Ngày sinh: {{ nominee.birth_date }}; giới tính: {{ nominee.gender }}")
    para(doc, "- Chức vụ: {{ nominee.position }}")
    para(doc, "{%p endif %}")
    para(doc, "- Đơn vị: {{ nominee.unit_name }}")
    para(doc, ("II. THÀNH TÍCH ĐẠT ĐƯỢC", "b"))
    para(
        doc,
        "Căn cứ kết quả đánh giá, xếp loại và tiêu chuẩn danh hiệu thi đua, hình thức khen "
        "thưởng theo quy định ({{ nominee.rule }}):",
        indent=True,
    )
    para(doc, "{%p for a in achievements %}")
    para(doc, "{{ a.stt }}. {{ a.text }}", indent=True)
    para(doc, "{%p endfor %}")
    para(doc, "{%p if reason %}")
    para(doc, ("Thành tích đột xuất, tiêu biểu: ", "b"), "{{ reason }}", indent=True)
    para(doc, "{%p endif %}")
    para(doc, ("III. ĐỀ NGHỊ", "b"))
    para(
        doc,
        "Đề nghị {{ issuer }} xét, đề nghị cấp có thẩm quyền tặng {{ nominee.award_name }} năm "
        "{{ year }} cho {{ nominee.name }}./.",
        indent=True,
    )
    signature(
        doc,
        [[("XÁC NHẬN CỦA THỦ TRƯỞNG ĐƠN VỊ", "b")], [("(Ký, ghi rõ họ tên, đóng dấu)", "i")]],
        signer(
            "NGƯỜI BÁO CÁO",
            "{{ nominee.name if nominee.is_person else '' }}",
            "(Ký, ghi rõ họ tên)",
        ),
    )
    return doc


BUILDERS = {
    "to_trinh": to_trinh,
    "bien_ban": bien_ban,
    "quyet_dinh": quyet_dinh,
    "bao_cao_thanh_tich": bao_cao_thanh_tich,
}


def main(out: Path = OUT) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for key, build in BUILDERS.items():
        path = out / f"{key}.docx"
        build().save(path)
        written.append(path)
    return written


if __name__ == "__main__":
    for p in main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT):
        print(p)
