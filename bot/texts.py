"""Every Japanese string residents see, in one place for review. Placeholders use ``str.format`` names."""

WELCOME = (
    "{bot_name}です。友だち追加ありがとうございます。\n"
    "手続き・ごみ・防災など、{city}のくらしについて、短い言葉で質問してください。\n"
    "例：「住民票がほしい」「引っ越してきた」「粗大ごみの出し方」"
)
WELCOME_BACK = "{bot_name}です。おかえりなさい。\nわからないことがあれば、いつでも質問してください。"

GREETING = "こんにちは。{bot_name}です。\n手続きやくらしのことを、短い言葉で質問してください。"
THANKS = "どういたしまして。ほかにも気になることがあれば、いつでも聞いてください。"
HELP = (
    "このアカウントでは、{city}のくらしについての質問にお答えします。\n"
    "・手続き（転入、住民票、マイナンバーカードなど）\n"
    "・子育て、健診、予防接種\n"
    "・ごみの出し方\n"
    "・防災、避難所\n"
    "短い言葉で送ってください。「データ削除」と送ると、登録された情報を削除できます。"
)

SUGGEST = "もしかして、次のどれかでしょうか？ 当てはまるものを選んでください。"
SUGGEST_NONE_LABEL = "どれにも当てはまらない"
SUGGEST_NONE_THANKS = "お知らせいただきありがとうございます。今後の改善に役立てます。"

FALLBACK = "申し訳ありません。お答えできる情報が見つかりませんでした。\n言葉を変えて、もう一度質問していただけますか。"
CONTACT = "お電話でのお問い合わせ：{department} {phone}\n受付時間：{office_hours}"
FAQ_CONTACT = "お問い合わせ：{department} {phone}"
FAQ_MORE = "詳しくはこちら：{url}"
TRUNCATED = "（続きは上のページをご覧ください）"

LOCATION_THANKS = (
    "位置情報をありがとうございます。\n"
    "近くの避難所をお知らせする機能は準備中です。"
    "避難所については「避難所」と送っていただくと、ご案内できる情報をお探しします。"
)
NOT_TEXT = "申し訳ありません。文字のメッセージにのみお答えできます。知りたいことを短い言葉で送ってください。"
GROUP_ONLY_PERSONAL = "ご質問には、このアカウントとの1対1のトークでお答えしています。"
STALE_BUTTON = "申し訳ありません。このボタンは使えなくなりました。もう一度、質問を送ってください。"

DELETE_CONFIRM = (
    "登録されている情報（地域・配信の設定など）をすべて削除します。よろしいですか？\n"
    "削除した情報はもとに戻せません。"
)
DELETE_YES = "削除する"
DELETE_NO = "やめる"
DELETE_DONE = "登録されていた情報をすべて削除しました。ご利用ありがとうございました。"
DELETE_NOTHING = "登録されている情報はありませんでした。"
DELETE_CANCELLED = "削除を取りやめました。"

SORRY_ERROR = "申し訳ありません。ただいまお答えできませんでした。少し時間をおいて、もう一度お試しください。"
TOO_LONG = "メッセージが長いため、最初の部分でお探ししました。"

ASK_AREA = "お住まいの町名（地区名）を送ってください。ごみの収集日をその地域でお知らせします。"
ASK_AREA_CURRENT = "いまの地域は「{area}」です。変更する場合は、お住まいの町名（地区名）を送ってください。"
AREA_SET = "地域を「{area}」に設定しました。ごみの収集日はこの地域でお知らせします。変更するときは「地域設定」と送ってください。"
AREA_CHOICES = "どの地域でしょうか？ 当てはまるものを選んでください。"
AREA_NOT_FOUND = "「{text}」に当たる地域が見つかりませんでした。町名をもう一度送ってください。やめるときは「やめる」と送ってください。"
AREA_NONE_CONFIGURED = "申し訳ありません。この市のごみ収集の地域がまだ登録されていません。"
CANCELLED = "わかりました。やめました。"
CANCEL_LABEL = "やめる"

ASK_AREA_FOR_GARBAGE = "ごみの収集日はお住まいの地域によって違います。お住まいの町名（地区名）を送ってください。"
WEEKDAYS = "月火水木金土日"
DATE = "{month}月{day}日({weekday})"
ITEM_ONE = "{name}は【{category}】です。"
ITEM_VARIANTS = "{name}は、条件によって分け方が違います。"
ITEM_VARIANT_LINE = "・{name}：【{category}】"
ITEM_NOT_COLLECTED = "【{category}】市では収集していません。"
ITEM_NEXT = "{area}の次の収集日は {date} です。"
ITEM_NEXT_VARIANT = "（{area}の次回 {date}）"
ITEM_SCHEDULE_VERBATIM = "{area}の収集日：{text}"
ITEM_SET_AREA = "「地域設定」と送ってお住まいの地域を登録すると、次の収集日もお知らせします。"
DAY_COLLECTED = "{label} {date} の{area}の収集は【{categories}】です。"
DAY_NONE = "{label} {date} は、{area}のごみ収集はありません。"
DAY_HOLIDAY = "（{holiday}）"
NEXT_LINE = "【{category}】{dates}"
NEXT_HEADER = "{area}の次の収集日です。"
NEXT_NONE = "【{category}】この先の収集日が見つかりませんでした"
NEXT_VERBATIM = "【{category}】{text}"
SCHEDULE_ASK_CITY = "詳しくは {department}（{phone}）にお問い合わせください。"

REMINDER_SETTINGS = "ごみ出しの前日の夕方に、{area}の収集日をお知らせします。受け取るごみの種類を選んでください。"
REMINDER_ON_LINE = "✓ {category}"
REMINDER_OFF_LINE = "－ {category}"
REMINDER_NONE_CHOSEN = "いまは、お知らせを受け取っていません。"
REMINDER_TURN_ON = "{category}を受け取る"
REMINDER_TURN_OFF = "{category}を止める"
REMINDER_ALL_ON = "すべて受け取る"
REMINDER_ALL_OFF = "すべて止める"
REMINDER_SAVED = "お知らせの設定を変更しました。"
REMINDER_MESSAGE = "明日 {date} は、{area}の【{categories}】の収集日です。"
