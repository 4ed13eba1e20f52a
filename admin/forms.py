"""The console's forms (Flask-WTF: each carries its CSRF token)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed
from flask_wtf.file import FileField
from flask_wtf.file import FileRequired
from wtforms import BooleanField
from wtforms import PasswordField
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import EqualTo
from wtforms.validators import InputRequired
from wtforms.validators import Length

from admin import texts
from admin.accounts import MAX_PASSWORD_LENGTH
from admin.models import Role

_required = InputRequired(message=texts.REQUIRED)
_ROLES = [SelectChoice(role.value, texts.ROLE_NAMES[role]) for role in Role]


class LoginForm(FlaskForm):
    name = StringField("ログイン名", [_required, Length(max=64)], render_kw={"autocomplete": "username"})
    password = PasswordField("パスワード", [_required, Length(max=MAX_PASSWORD_LENGTH)],
                             render_kw={"autocomplete": "current-password"})


class PasswordForm(FlaskForm):
    current = PasswordField("現在のパスワード", [_required], render_kw={"autocomplete": "current-password"})
    new = PasswordField("新しいパスワード", [_required], render_kw={"autocomplete": "new-password"})
    confirm = PasswordField("新しいパスワード（確認）", [_required, EqualTo("new", message=texts.PASSWORD_MISMATCH)],
                            render_kw={"autocomplete": "new-password"})


class NewUserForm(FlaskForm):
    name = StringField("ログイン名", [_required, Length(max=64)], render_kw={"autocomplete": "off"})
    role = SelectField("役割", choices=_ROLES, default=Role.EDITOR.value)
    password = PasswordField("初めのパスワード", [_required], render_kw={"autocomplete": "new-password"})


class ResetPasswordForm(FlaskForm):
    password = PasswordField("新しいパスワード", [_required], render_kw={"autocomplete": "new-password"})


class RoleForm(FlaskForm):
    role = SelectField("役割", choices=_ROLES)


class ButtonForm(FlaskForm):
    """A form that is only a button (log out, disable, enable): its CSRF token."""


class FaqForm(FlaskForm):
    """An entry's content as a draft (the ID only for a new entry)."""

    faq_id = StringField(texts.FAQ_FIELDS["faq_id"], [Length(max=64)])
    question = TextAreaField(texts.FAQ_FIELDS["question"], [_required], render_kw={"rows": 2})
    aliases = TextAreaField(texts.FAQ_FIELDS["aliases"], render_kw={"rows": 4})
    answer = TextAreaField(texts.FAQ_FIELDS["answer"], [_required], render_kw={"rows": 8})
    category = StringField(texts.FAQ_FIELDS["category"])
    department = StringField(texts.FAQ_FIELDS["department"])
    phone = StringField(texts.FAQ_FIELDS["phone"], render_kw={"inputmode": "tel"})
    url = StringField(texts.FAQ_FIELDS["url"], render_kw={"inputmode": "url"})

    def content(self) -> dict:
        return {"question": self.question.data, "aliases": self.aliases.data or "", "answer": self.answer.data,
                "category": self.category.data, "department": self.department.data, "phone": self.phone.data,
                "url": self.url.data}

    def fill(self, content: dict) -> None:
        for field in ("question", "answer", "category", "department", "phone", "url"):
            getattr(self, field).data = content.get(field, "")
        self.aliases.data = "\n".join(content.get("aliases", []))


class RulesForm(FlaskForm):
    two_person = BooleanField("下書きの承認には、書いた人とは別の承認者が必要")


class ImportForm(FlaskForm):
    """An FAQ file to read (nothing is applied until it is approved and published)."""

    file = FileField("ファイル（CSV・Excel・JSON）", [FileRequired(message=texts.IMPORT_FILE_TYPES),
                                                FileAllowed(["csv", "xlsx", "json"], message=texts.IMPORT_FILE_TYPES)])
    replace = BooleanField("ファイルにない項目を削除する（ファイルをFAQの全体として扱う）")


class GoldenForm(FlaskForm):
    """A question kept as a golden query, with the entry that must answer it."""

    question = StringField("質問", [_required, Length(max=500)])
    faq_id = StringField("答える項目のID", [_required, Length(max=64)])
