"""WTForms for the pages (Flask-WTF adds CSRF to each)."""

from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp

from service.auth.models import ROLE_LABELS
from service.common.forms import Form


class LoginForm(Form):
    username = StringField("Tên đăng nhập", validators=[DataRequired("Nhập tên đăng nhập.")])
    password = PasswordField("Mật khẩu", validators=[DataRequired("Nhập mật khẩu.")])


class TokenForm(Form):
    name = StringField("Tên mã truy cập", validators=[DataRequired("Nhập tên."), Length(max=100)])


class EmptyForm(Form):
    pass


class UserForm(Form):
    username = StringField(
        "Tên đăng nhập",
        validators=[
            DataRequired("Nhập tên đăng nhập."),
            Length(3, 80, "Từ 3 đến 80 ký tự."),
            Regexp(r"^[a-zA-Z0-9._-]+$", message="Chỉ gồm chữ không dấu, số và . _ -"),
        ],
    )
    full_name = StringField("Họ và tên", validators=[Optional(), Length(max=255)])
    password = PasswordField(
        "Mật khẩu",
        validators=[DataRequired("Nhập mật khẩu."), Length(8, 128, "Mật khẩu từ 8 ký tự.")],
    )


class UserEditForm(Form):
    full_name = StringField("Họ và tên", validators=[Optional(), Length(max=255)])
    password = PasswordField(
        "Mật khẩu mới (để trống nếu không đổi)",
        validators=[Optional(), Length(8, 128, "Mật khẩu từ 8 ký tự.")],
    )
    active = BooleanField("Đang hoạt động")
    # the values the page was loaded with: a save writes only what this administrator changed
    # (service.common.forms.three_way), another's change in the meantime is kept or told
    was_full_name = HiddenField()
    was_active = HiddenField()

    def loaded(self) -> dict:
        if self.was_active.data not in ("0", "1"):
            return {}  # a form without them (an older page): every field is written
        return {"full_name": self.was_full_name.data or "", "active": self.was_active.data}

    def typed(self) -> dict:
        return {"full_name": self.full_name.data or "", "active": "1" if self.active.data else "0"}


class RoleForm(Form):
    """No role is chosen until the administrator picks one; the unit is picked by typing part
    of its name or code (a datalist of "CODE — Name")."""

    role = SelectField(
        "Quyền",
        choices=[("", "— Chọn quyền —")] + [(r.value, label) for r, label in ROLE_LABELS.items()],
        validators=[DataRequired("Chọn quyền cần cấp.")],
    )
    unit_code = StringField(
        "Đơn vị (gõ tên hoặc mã để tìm)", validators=[Optional(), Length(max=400)]
    )


class LinkPersonForm(Form):
    person_code = StringField(
        "Mã cán bộ", filters=[lambda v: (v or "").strip()], validators=[Length(max=50)]
    )


class AccountsForm(Form):
    unit = StringField(
        "Đơn vị (gõ tên hoặc mã để tìm)",
        validators=[DataRequired("Chọn đơn vị."), Length(max=400)],
    )
    subunits = BooleanField("Cả cán bộ của các đơn vị cấp dưới")


class PasswordForm(Form):
    current = PasswordField(
        "Mật khẩu hiện tại", validators=[DataRequired("Nhập mật khẩu hiện tại.")]
    )
    new = PasswordField(
        "Mật khẩu mới (từ 8 ký tự)",
        validators=[DataRequired("Nhập mật khẩu mới."), Length(8, 128, "Mật khẩu từ 8 ký tự.")],
    )
    confirm = PasswordField(
        "Nhập lại mật khẩu mới",
        validators=[EqualTo("new", "Hai lần nhập mật khẩu mới không khớp.")],
    )


class ImportForm(Form):
    kind = SelectField("Loại dữ liệu", choices=[("people", "Cán bộ"), ("units", "Đơn vị")])
    file = FileField("Tệp Excel (.xlsx)", validators=[FileRequired("Chọn tệp .xlsx.")])
