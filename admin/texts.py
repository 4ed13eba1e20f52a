"""Every message the console shows staff, in one place (the pages' own wording is in the templates)."""

from __future__ import annotations

from admin.accounts import MIN_PASSWORD_LENGTH
from admin.models import Role

ROLE_NAMES = {Role.EDITOR: "編集者", Role.APPROVER: "承認者", Role.ADMIN: "管理者"}

LOGIN_REQUIRED = "ログインしてください。"
LOGIN_FAILED = "ログイン名またはパスワードが違います。"
LOGIN_THROTTLED = "ログインの失敗が続いたため、しばらくログインできません。15分ほどたってからお試しください。"
LOGGED_OUT = "ログアウトしました。"
IDLE_LOGGED_OUT = "しばらく操作がなかったため、ログアウトしました。もう一度ログインしてください。"
FORM_EXPIRED = "画面の有効期限が切れたか、正しくない送信です。画面を開き直して、もう一度お試しください。"
FORBIDDEN = "この操作をする権限がありません。必要な場合は管理者にご相談ください。"
NOT_FOUND = "お探しのページは見つかりませんでした。"
PASSWORD_CHANGED = "パスワードを変更しました。"
PASSWORD_MISMATCH = "新しいパスワードが確認用と一致しません。"
REQUIRED = "入力してください。"

USER_CREATED = "アカウント「{name}」を作成しました。初めのパスワードは本人に直接お伝えください。"
USER_DISABLED = "アカウント「{name}」を無効にしました。ログイン中の画面も次の操作で終了します。"
USER_ENABLED = "アカウント「{name}」を有効にしました。"
USER_PASSWORD_RESET = "アカウント「{name}」のパスワードを再設定しました。"
USER_ROLE_CHANGED = "アカウント「{name}」の役割を「{role}」にしました。"

# Why an account change could not be made (``admin.accounts.AccountError.reason``).
ACCOUNT_ERRORS = {
    "name": "ログイン名は半角英小文字・数字・「.」「_」「-」で2〜64文字にしてください（先頭は英字か数字）。",
    "short_password": f"パスワードは{MIN_PASSWORD_LENGTH}文字以上にしてください。",
    "long_password": "パスワードが長すぎます（256文字まで）。",
    "password_has_name": "パスワードにログイン名を含めないでください。",
    "name_taken": "そのログイン名はすでに使われています。",
    "disable_self": "自分のアカウントは無効にできません。",
    "demote_self": "自分の管理者の役割は外せません。ほかの管理者に依頼してください。",
    "wrong_password": "現在のパスワードが違います。",
}

AUDIT_ACTIONS = {
    "user.create": "アカウント作成",
    "user.disable": "アカウント無効化",
    "user.enable": "アカウント有効化",
    "user.password_change": "パスワード変更",
    "user.password_reset": "パスワード再設定",
    "user.role": "役割の変更",
}

AUDIT_FIELDS = {"role": "役割", "active": "状態"}
COMMAND_LINE_ACTOR = "コマンド（サーバー上）"


def audit_value(field: str, value: object) -> str:
    """A value of the audit log as staff read it (役割: 承認者, 状態: 無効)."""
    if field == "role" and value in set(Role):
        return ROLE_NAMES[Role(value)]
    if field == "active" and isinstance(value, bool):
        return "有効" if value else "無効"
    return str(value)
