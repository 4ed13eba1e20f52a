"""The console's forms (Flask-WTF: each carries its CSRF token)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms import SelectField
from wtforms import StringField
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
