"""How a refused page form tells its errors (service.common.forms.error_lines)."""

from __future__ import annotations

from service.common.errors import ValidationError
from service.common.forms import error_lines


def test_a_generic_message_is_left_out_when_the_fields_say_what_is_wrong(app):
    with app.test_request_context():
        err = ValidationError(fields={"reason": ["Cần nhập lý do."]})
        assert error_lines(err) == ["Lý do: Cần nhập lý do."]
        # a message of its own stays first
        err = ValidationError("Thiếu thông tin quyết định.", {"reason": ["Cần nhập lý do."]})
        assert error_lines(err) == ["Thiếu thông tin quyết định.", "Lý do: Cần nhập lý do."]
        # with no field the generic message is all there is: kept
        assert error_lines(ValidationError()) == ["Yêu cầu không hợp lệ."]
