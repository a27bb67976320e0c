"""A deterministic demo ward: ~40 units in 4 levels (party cells, quota roots), ~1,500 people,
the demo accounts; then each domain's demo loader (service.domains.add_demo)."""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import insert, select

from service.auth.models import Role, RoleAssignment, User
from service.domains import hooks
from service.extensions import db
from service.imports.operations import rebuild_paths
from service.org.models import Category, Gender, PartyStatus, Person, Unit, sort_name_values

DEMO_PASSWORD = "matkhau123"

SURNAMES = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Vũ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
    "Phan",
    "Trịnh",
    "Đinh",
    "Tạ",
    "Cao",
    "Lương",
    "Mai",
]
MIDDLE_M = ["Văn", "Đức", "Quang", "Minh", "Hữu", "Xuân", "Thanh", "Ngọc", "Công", "Mạnh"]
MIDDLE_F = ["Thị", "Thu", "Ngọc", "Thanh", "Minh", "Phương", "Hồng", "Thúy", "Kim", "Diệu"]
GIVEN_M = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Hùng",
    "Hải",
    "Khánh",
    "Long",
    "Nam",
    "Phong",
    "Quân",
    "Sơn",
    "Thắng",
    "Trung",
    "Tuấn",
    "Việt",
    "Hiếu",
    "Đạt",
    "Kiên",
    "Tùng",
]
GIVEN_F = [
    "Anh",
    "Chi",
    "Dung",
    "Giang",
    "Hà",
    "Hạnh",
    "Hương",
    "Lan",
    "Linh",
    "Mai",
    "Ngân",
    "Nhung",
    "Oanh",
    "Phượng",
    "Quỳnh",
    "Thảo",
    "Trang",
    "Vân",
    "Yến",
    "Hoa",
]

# (code, name, kind, quota_root, parent, staff count)
UNITS = [
    ("DD", "Đảng bộ phường Đống Đa", "đảng ủy phường", True, None, 0),
    ("DD-VP", "Văn phòng Đảng ủy phường", "cơ quan", False, "DD", 12),
    ("DD-CBVP", "Chi bộ Văn phòng Đảng ủy", "chi bộ", False, "DD-VP", 0),
    ("DD-UB", "Ủy ban nhân dân phường", "ủy ban nhân dân", True, "DD", 0),
    ("DD-UB-VP", "Văn phòng HĐND và UBND phường", "phòng", False, "DD-UB", 45),
    ("DD-UB-KT", "Phòng Kinh tế, Hạ tầng và Đô thị", "phòng", False, "DD-UB", 60),
    ("DD-UB-VH", "Phòng Văn hóa – Xã hội", "phòng", False, "DD-UB", 55),
    ("DD-UB-HCC", "Trung tâm Phục vụ hành chính công phường", "trung tâm", False, "DD-UB", 40),
    ("DD-UB-CB", "Chi bộ cơ quan Ủy ban nhân dân", "chi bộ", False, "DD-UB", 0),
    ("DD-CA", "Công an phường", "cơ quan", True, "DD", 90),
    ("DD-CA-CB1", "Chi bộ Công an phường số 1", "chi bộ", False, "DD-CA", 0),
    ("DD-CA-CB2", "Chi bộ Công an phường số 2", "chi bộ", False, "DD-CA", 0),
    ("DD-MT", "Ủy ban Mặt trận Tổ quốc Việt Nam phường", "mặt trận, đoàn thể", True, "DD", 25),
    ("DD-MT-CB", "Chi bộ Mặt trận và các đoàn thể", "chi bộ", False, "DD-MT", 0),
    ("DD-GD", "Đảng bộ các trường học", "đảng bộ cơ sở", True, "DD", 0),
    ("DD-GD-MN1", "Trường Mầm non Hoa Sen", "trường học", False, "DD-GD", 70),
    ("DD-GD-MN1-CB", "Chi bộ Trường Mầm non Hoa Sen", "chi bộ", False, "DD-GD-MN1", 0),
    ("DD-GD-MN2", "Trường Mầm non Văn Chương", "trường học", False, "DD-GD", 65),
    ("DD-GD-MN2-CB", "Chi bộ Trường Mầm non Văn Chương", "chi bộ", False, "DD-GD-MN2", 0),
    ("DD-GD-TH1", "Trường Tiểu học Kim Liên", "trường học", False, "DD-GD", 95),
    ("DD-GD-TH1-CB", "Chi bộ Trường Tiểu học Kim Liên", "chi bộ", False, "DD-GD-TH1", 0),
    ("DD-GD-TH2", "Trường Tiểu học Trung Tự", "trường học", False, "DD-GD", 90),
    ("DD-GD-TH2-CB", "Chi bộ Trường Tiểu học Trung Tự", "chi bộ", False, "DD-GD-TH2", 0),
    ("DD-GD-CS1", "Trường THCS Đống Đa", "trường học", False, "DD-GD", 110),
    ("DD-GD-CS1-CB", "Chi bộ Trường THCS Đống Đa", "chi bộ", False, "DD-GD-CS1", 0),
    ("DD-GD-CS2", "Trường THCS Tô Vĩnh Diện", "trường học", False, "DD-GD", 100),
    ("DD-GD-CS2-CB", "Chi bộ Trường THCS Tô Vĩnh Diện", "chi bộ", False, "DD-GD-CS2", 0),
    ("DD-YT", "Trạm Y tế phường", "đơn vị sự nghiệp", True, "DD", 35),
    ("DD-YT-CB", "Chi bộ Trạm Y tế", "chi bộ", False, "DD-YT", 0),
    ("DD-KDC", "Các chi bộ khu dân cư", "khối", True, "DD", 0),
]
for i in range(1, 11):
    UNITS.append((f"DD-KDC-{i:02d}", f"Chi bộ Tổ dân phố số {i}", "chi bộ", False, "DD-KDC", 0))
RESIDENT_MEMBERS = 60  # retired party members per residential cell (no civil-service category)

POSITIONS = ["Chuyên viên", "Chuyên viên chính", "Cán sự", "Nhân viên", "Phó Trưởng phòng"]
TEACHING = ["Giáo viên", "Giáo viên", "Giáo viên", "Nhân viên", "Phó Hiệu trưởng"]


def _name(rng: random.Random, gender: Gender) -> str:
    if gender == Gender.MALE:
        return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE_M)} {rng.choice(GIVEN_M)}"
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE_F)} {rng.choice(GIVEN_F)}"


def _date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange((end - start).days))


def load_demo(seed: int = 2026) -> dict:
    rng = random.Random(seed)
    db.session.execute(
        insert(Unit),
        [
            {"code": c, "name": n, "kind": k, "quota_root": q, "path": "", "depth": 0}
            for c, n, k, q, _, _ in UNITS
        ],
    )
    ids = dict(db.session.execute(select(Unit.code, Unit.id)).all())
    for code, _, _, _, parent, _ in UNITS:
        if parent:
            db.session.get(Unit, ids[code]).parent_id = ids[parent]
    db.session.flush()
    rebuild_paths()

    # the party cell that hosts the members of each unit: its own, or the nearest one below
    cells = {parent: code for code, _, kind, _, parent, _ in UNITS if kind == "chi bộ" and parent}
    cells["DD-UB-VP"] = cells["DD-UB-KT"] = cells["DD-UB-VH"] = cells["DD-UB-HCC"] = "DD-UB-CB"
    people = []
    n = 0
    today = dt.date(2026, 1, 1)
    for code, _, kind, _, _parent, size in UNITS:
        if not size:
            continue
        is_school = kind == "trường học"
        for i in range(size):
            n += 1
            gender = Gender.FEMALE if rng.random() < (0.75 if is_school else 0.45) else Gender.MALE
            birth = _date(rng, dt.date(1966, 1, 1), dt.date(2001, 12, 31))
            member = rng.random() < (0.55 if not is_school else 0.4)
            if code == "DD-CA":
                cell = "DD-CA-CB1" if i % 2 else "DD-CA-CB2"
            else:
                cell = cells.get(code)
            admitted = _date(rng, birth + dt.timedelta(days=365 * 20), today) if member else None
            people.append(
                {
                    "code": f"DD{n:05d}",
                    "full_name": _name(rng, gender),
                    "birth_date": birth,
                    "gender": gender,
                    "unit_id": ids[code],
                    "position": ("Trưởng phòng" if not is_school else "Hiệu trưởng")
                    if i == 0
                    else rng.choice(TEACHING if is_school else POSITIONS),
                    "duty_group": (
                        "lãnh đạo" if i < 3 else ("giáo viên" if is_school else "chuyên môn")
                    ),
                    "is_head": i == 0,
                    "category": (
                        Category.PUBLIC_EMPLOYEE
                        if is_school or code == "DD-YT"
                        else Category.CIVIL_SERVANT
                        if code != "DD-MT"
                        else Category.CADRE
                    )
                    if rng.random() > 0.05
                    else Category.EMPLOYEE,
                    "is_party_member": member,
                    "party_unit_id": ids[cell] if member and cell else None,
                    "admitted_on": admitted,
                    "party_gap_days": 0,
                    "party_status": PartyStatus.ACTIVE if member else None,
                    "seriously_ill": False,
                }
            )
    for i in range(1, 11):
        cell = f"DD-KDC-{i:02d}"
        for _ in range(RESIDENT_MEMBERS):
            n += 1
            gender = Gender.MALE if rng.random() < 0.55 else Gender.FEMALE
            birth = _date(rng, dt.date(1935, 1, 1), dt.date(1964, 12, 31))
            admitted = _date(rng, birth + dt.timedelta(days=365 * 19), dt.date(1995, 12, 31))
            status = (
                PartyStatus.EXEMPT
                if birth.year < 1950 and rng.random() < 0.5
                else PartyStatus.ACTIVE
            )
            people.append(
                {
                    "code": f"DD{n:05d}",
                    "full_name": _name(rng, gender),
                    "birth_date": birth,
                    "gender": gender,
                    "unit_id": ids[cell],
                    "position": "Đảng viên",
                    "duty_group": "",
                    "is_head": False,
                    "category": None,
                    "is_party_member": True,
                    "party_unit_id": ids[cell],
                    "admitted_on": admitted,
                    "party_gap_days": rng.choice([0, 0, 0, 0, 180, 365]),
                    "party_status": status,
                    "seriously_ill": rng.random() < 0.03,
                }
            )
    db.session.execute(insert(Person), [sort_name_values(p) for p in people])

    logins = [
        ("admin", Role.ADMIN, None),
        ("tochuc", Role.STAFF, "DD-UB"),
        ("tochuc.gd", Role.STAFF, "DD-GD"),
        ("capuy", Role.COMMITTEE, "DD"),
        ("noivu", Role.HR, "DD"),
    ]
    for username, role, unit in logins:
        user = User(
            username=username,
            full_name={
                "admin": "Quản trị hệ thống",
                "tochuc": "Cán bộ tổ chức UBND phường",
                "tochuc.gd": "Cán bộ tổ chức khối trường học",
                "capuy": "Thường trực Đảng ủy",
                "noivu": "Phòng Nội vụ",
            }[username],
        )
        user.set_password(DEMO_PASSWORD)
        user.roles.append(RoleAssignment(role=role, unit_id=ids[unit] if unit else None))
        db.session.add(user)
    db.session.flush()
    # one account linked to a person's own record ("Kết quả của tôi")
    own_code = "DD00100"
    user = User(username="canbo", full_name="Cán bộ (xem kết quả của mình)")
    user.person_id = db.session.scalar(select(Person.id).where(Person.code == own_code))
    user.set_password(DEMO_PASSWORD)
    db.session.add(user)
    db.session.flush()
    lines = [loader({"rng": rng, "unit_ids": ids}) for loader in hooks().demo]
    return {
        "units": len(UNITS),
        "people": len(people),
        "domains": lines,
        "users": len(logins) + 1,
        "password": DEMO_PASSWORD,
        "logins": [(u, f"{r.value}{' @ ' + c if c else ''}") for u, r, c in logins]
        + [("canbo", f"chỉ xem kết quả của mình ({own_code})")],
    }
