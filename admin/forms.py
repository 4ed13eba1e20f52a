"""The console's forms (Flask-WTF: each carries its CSRF token)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed
from flask_wtf.file import FileField
from flask_wtf.file import FileRequired
from wtforms import BooleanField
from wtforms import DateTimeLocalField
from wtforms import IntegerField
from wtforms import PasswordField
from wtforms import SelectField
from wtforms import SelectMultipleField
from wtforms import StringField
from wtforms import SubmitField
from wtforms import TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import EqualTo
from wtforms.validators import InputRequired
from wtforms.validators import Length
from wtforms.validators import NumberRange
from wtforms.validators import Optional
from wtforms.validators import Regexp
from wtforms.widgets import CheckboxInput
from wtforms.widgets import ListWidget

from admin import texts
from admin.accounts import MAX_PASSWORD_LENGTH
from admin.models import Role
from push import segments

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


class CheckboxesField(SelectMultipleField):
    """Several choices as a list of checkboxes (each with its label)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class BroadcastForm(FlaskForm):
    """A broadcast: its text and link, who it goes to (built from choices, or an expression), and when."""

    text = TextAreaField("お知らせの本文", [_required, Length(max=4000)], render_kw={"rows": 6})
    link = StringField("リンク（任意）", [Optional(), Length(max=1000),
                                        Regexp(r"^https?://[^\s<>\"]+$", message=texts.BROADCAST_LINK)],
                       render_kw={"inputmode": "url", "placeholder": "https://"})
    areas = CheckboxesField("地区（選ばなければすべての地区）", choices=[], validate_choice=False)
    categories = CheckboxesField("受け取りを選んだ分野（選ばなければ問わない）", choices=[], validate_choice=False)
    stages = CheckboxesField("子育ての段階（選ばなければ問わない）", choices=[], validate_choice=False)
    age_from = IntegerField("年齢（から）", [Optional(), NumberRange(0, 120)])
    age_to = IntegerField("年齢（まで）", [Optional(), NumberRange(0, 120)])
    advanced = StringField("配信先の式（上級者向け。入れると上の選択より優先）", [Length(max=1000)],
                           render_kw={"placeholder": "例：category:子育て and (area:大町 or area:港町)"})
    at = DateTimeLocalField("配信日時", [Optional()], format="%Y-%m-%dT%H:%M")
    emergency = BooleanField("緊急（静かな時間帯でもすぐ送る。承認は2人）")
    count = SubmitField("人数を数える")
    save = SubmitField("下書きを保存")

    def expression(self) -> str:
        """The segment expression: the one written, else the choices joined (each group any-of, the groups
        all-of); nothing chosen is everyone."""
        if (self.advanced.data or "").strip():
            return self.advanced.data.strip()
        parts = []
        for kind, chosen in (("area", self.areas.data), ("category", self.categories.data),
                             ("stage", self.stages.data)):
            if chosen:
                terms = [f"{kind}:{segments.quote(value)}" for value in chosen]  # 本町 (1丁目) needs quotes
                parts.append(terms[0] if len(terms) == 1 else "(" + " or ".join(terms) + ")")
        if self.age_from.data is not None or self.age_to.data is not None:
            low = self.age_from.data or 0
            parts.append(f"age:{low}-{self.age_to.data if self.age_to.data is not None else ''}")
        return " and ".join(parts) or "all"

    def message(self) -> str:
        """The text residents get: the body, then the link on a line of its own."""
        text = (self.text.data or "").strip()
        return f"{text}\n{self.link.data.strip()}" if (self.link.data or "").strip() else text
