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
    "faq.draft": "FAQの下書き",
    "faq.approve": "FAQの承認",
    "faq.publish": "FAQの公開",
    "faq.discard": "FAQの下書きの取り下げ",
    "faq.restore": "FAQの以前の版から下書き",
    "faq.upload": "FAQファイルの取り込み",
    "faq.import_approve": "FAQファイルの承認",
    "faq.import_publish": "FAQファイルの公開",
    "faq.import_discard": "FAQファイルの取り下げ",
    "rules.two_person": "承認のルール",
    "synonyms.draft": "同義語の下書き",
    "synonyms.approve": "同義語の承認",
    "synonyms.publish": "同義語の公開",
    "synonyms.discard": "同義語の下書きの取り下げ",
    "broadcast.create": "配信の作成",
    "broadcast.approve": "配信の承認",
    "broadcast.cancel": "配信の中止",
    "golden.add": "確認用の質問の追加",
    "golden.remove": "確認用の質問の削除",
    "queue.alias": "未回答から言い換えを追加",
    "queue.new": "未回答から新しい項目",
    "queue.dismiss": "未回答を対応不要に",
    "user.create": "アカウント作成",
    "user.disable": "アカウント無効化",
    "user.enable": "アカウント有効化",
    "user.password_change": "パスワード変更",
    "user.password_reset": "パスワード再設定",
    "user.role": "役割の変更",
}

AUDIT_FIELDS = {"role": "役割", "active": "状態", "on": "二人目の承認", "version": "版", "question": "質問",
                "answer": "回答", "aliases": "言い換え", "category": "分類", "department": "担当課", "phone": "電話",
                "url": "URL", "texts": "住民の書き方", "synonyms": "同義語",
                "file": "ファイル", "entries": "項目数", "replace": "ファイルにない項目を削除", "added": "追加",
                "changed": "変更", "removed": "削除", "faq_id": "項目ID",
                "text": "本文", "segment": "配信先", "at": "配信日時", "status": "状態", "cancelled": "取り消した件数"}
COMMAND_LINE_ACTOR = "コマンド（サーバー上）"


def audit_value(field: str, value: object) -> str:
    """A value of the audit log as staff read it (役割: 承認者, 状態: 無効)."""
    if field == "role" and value in set(Role):
        return ROLE_NAMES[Role(value)]
    if field == "active" and isinstance(value, bool):
        return "有効" if value else "無効"
    if field == "on" and isinstance(value, bool):
        return "必要" if value else "不要"
    if isinstance(value, bool):
        return "はい" if value else "いいえ"
    if isinstance(value, list):
        return "、".join(str(item) for item in value)
    return str(value)


FAQ_FIELDS = {"term": "見出し語", "synonyms": "同義語",
              "faq_id": "ID", "question": "質問", "aliases": "言い換え（1行に1つ）", "answer": "回答",
              "category": "分類", "department": "担当課", "phone": "電話番号", "url": "URL"}
DRAFT_STATES = {"open": "承認待ち", "approved": "承認済み・公開待ち", "published": "公開済み", "discarded": "取り下げ"}
DRAFT_SAVED = "下書きを保存しました。承認者の承認のあと、公開すると住民への回答に反映されます。"
DRAFT_APPROVED = "承認しました。公開すると住民への回答に反映されます。"
DRAFT_PUBLISHED = "公開しました。住民への回答に反映されました。"
DRAFT_DISCARDED = "下書きを取り下げました。"
RULES_SAVED = "ルールを保存しました。"
REGRESSIONS = ("公開すると答えが悪くなる確認用の質問があります。"
               "一覧を確かめ、確認のチェックを入れてから公開してください。")
DRAFT_ERRORS = {
    "required": "「{field}」を入力してください。",
    "too_long": "「{field}」が長すぎます。",
    "url": "URLは http:// か https:// で始まるものにしてください。",
    "faq_id": "IDは半角英数字と「.」「_」「-」で64文字までにしてください。",
    "faq_id_taken": "そのIDはすでに使われています（下書きを含みます）。",
    "no_entry": "その項目は見つかりませんでした。",
    "no_version": "その版は見つかりませんでした。",
    "unchanged": "公開中の内容と同じです。変更してから保存してください。",
    "not_open": "この下書きはもう承認待ちではありません。",
    "own_draft": "自分で書いた下書きは承認できません。ほかの承認者に依頼してください。",
    "not_approved": "承認されていない下書きは公開できません。",
    "stale": "この下書きを書いたあとに、項目が更新されています。最新の内容で書き直してください。",
    "not_author": "ほかの人の下書きを取り下げられるのは承認者だけです。",
    "regressions": REGRESSIONS,
}


def draft_error(reason: str, field: str = "") -> str:
    """A draft's problem (``faq.drafts.DraftError``) as staff read it."""
    return DRAFT_ERRORS[reason].format(field=FAQ_FIELDS.get(field, field).split("（")[0])

IMPORT_HELD = ("ファイルを読み込みました。まだ反映されていません。下の変更内容を確かめ、承認者の承認のあと公開すると"
               "住民への回答に反映されます。")
IMPORT_TOO_BIG = "ファイルが大きすぎます（10MBまで）。"
IMPORT_APPROVED = "承認しました。公開すると、この内容が住民への回答に反映されます。"
IMPORT_PUBLISHED = "公開しました。ファイルの内容が住民への回答に反映されました。"
IMPORT_DISCARDED = "取り込みを取り下げました。何も変わっていません。"
IMPORT_FILE_TYPES = "CSV（.csv）、Excel（.xlsx）、JSON（.json）のファイルを選んでください。"
EXPORT_NOT_SHIFT_JIS = ("Shift_JISでは書けない文字（絵文字や一部の漢字）を含む項目が{count}件あります（{ids}）。"
                        "「CSV（UTF-8）」か「Excel」で書き出してください。")
IMPORT_ERRORS = {
    "not_open": "この取り込みはもう承認待ちではありません。",
    "own_draft": "自分で読み込んだファイルは承認できません。ほかの承認者に依頼してください。",
    "not_approved": "承認されていない取り込みは公開できません。",
    "stale": ("このファイルを読み込んだあとに、FAQが更新されています。"
              "最新の内容と比べ直すため、もう一度読み込んでください。"),
    "not_author": "ほかの人の取り込みを取り下げられるのは承認者だけです。",
    "regressions": REGRESSIONS,
}


def import_error(reason: str, field: str = "") -> str:
    """An upload's problem (``faq.imports``: a DraftError) as staff read it."""
    return IMPORT_ERRORS[reason]


GOLDEN_ADDED = "確認用の質問に加えました。FAQや同義語を公開する前に、この質問の答えが変わらないか確かめます。"
GOLDEN_REMOVED = "確認用の質問から外しました。"
GOLDEN_INVALID = "質問と項目IDを入れてください。"
GOLDEN_NO_ENTRY = "項目ID「{faq_id}」の公開中の項目がありません。"
GOLDEN_GRADES = {2: "直接答える", 1: "「もしかして」に出る", 0: "答えられない・別の項目"}

BROADCAST_STATES = {"draft": "承認待ち", "approved": "承認済み", "scheduled": "予約済み", "planning": "準備中",
                    "sending": "配信中", "done": "配信済み", "cancelled": "中止"}
DELIVERY_STATES = {"pending": "送信待ち", "sending": "送信中", "sent": "送信済み", "failed": "失敗",
                   "cancelled": "中止"}
BROADCAST_SAVED = "下書きを保存しました。承認者が承認すると、配信日時に送られます。"
BROADCAST_APPROVED = "承認しました。配信日時になると送られます。"
BROADCAST_NEEDS_MORE = "承認しました。この配信には、もう1人の承認が必要です。"
BROADCAST_OWN = "自分で作った配信は承認できません。ほかの承認者に依頼してください。"
BROADCAST_CLOSED = "この配信はもう承認や中止ができない状態です。"
BROADCAST_CANCELLED = "配信を中止しました（送信待ち{count}件を取り消し）。"
BROADCAST_PAST = "配信日時が過ぎています。これから先の日時を入れてください（空欄ならすぐ）。"
BROADCAST_LINK = "リンクは http:// か https:// で始まるURLにしてください。"
SEGMENT_ERROR = "配信先の式の{position}文字目に誤りがあります（{detail}）。"
LINE_UNREACHABLE = "LINEに問い合わせできませんでした。しばらくしてから開き直してください。"

QUEUE_ALIASED = "言い換えを下書きに加えました。承認して公開すると、同じ書き方の質問にこの項目で答えます。"
QUEUE_DISMISSED = "対応不要にしました。一覧から外れます。"
QUEUE_GONE = "その質問は一覧にありません（ほかの人が対応したか、期間外です）。"
TRY_KINDS = {"faq": "FAQで直接答えます", "suggest": "「もしかして」で候補を出します",
             "fallback": "答えられず、窓口を案内します", "intent": "決まった機能で答えます",
             "step": "会話の続きとして答えます"}

DATA_DATE_FIELDS = {"birth": "子どもの生年月日", "due": "出産予定日", "born": "本人の生年月日", "start": "登録した日"}
DATA_BAD_DATE = "「{field}」の「{value}」は日付として読めません。2025-04-01 のように、実際にある日付を入れてください。"
DATA_DATE_RANGE = "「{field}」は{first}年から{last}年までの日付にしてください。"
DATA_NO_DATE = "子どもの生年月日、出産予定日、本人の生年月日のどれかを入れてください。"
DATA_RULES_BROKEN = ("ライフステージのルールファイルに誤りがあり、使えません。"
                     "ファイルを直して、パックを読み込み直してください。")
LIFESTAGE_ANCHORS = {"due_date": "出産予定日から", "birth_date": "生まれた日から", "school_year": "学年から",
                     "age": "本人の年齢から"}
LIFESTAGE_WHO = {"child": "子ども", "self": "本人"}
SHELTER_STATUSES = {"open": "開設中", "full": "満員", "closed": "閉鎖", "unset": "未設定"}
SHELTER_CROWDING = {"empty": "空いています", "some": "やや混雑", "busy": "混雑", "full": "満"}
NOTICE_STATES = {"draft": "承認待ち", "issued": "発令中", "lifted": "解除", "cancelled": "取り下げ"}
WEEKDAY_NAMES = "月火水木金土日"


def day_label(day) -> str:
    """A date as staff read it: 2027年3月5日（金）."""
    return f"{day.year}年{day.month}月{day.day}日（{WEEKDAY_NAMES[day.weekday()]}）"
