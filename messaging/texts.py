"""Every Japanese string residents see, in one place for review. Placeholders use ``str.format`` names."""

WELCOME = (
    "{bot_name}です。友だち追加ありがとうございます。\n"
    "手続き・ごみ・防災など、{city}のくらしについて、短い言葉で質問してください。\n"
    "例：「住民票がほしい」「引っ越してきた」「粗大ごみの出し方」"
)
WELCOME_BACK = "{bot_name}です。おかえりなさい。\nわからないことがあれば、いつでも質問してください。"

HELLO_MORNING = "おはようございます"
HELLO_DAY = "こんにちは"
HELLO_EVENING = "こんばんは"
GREETING = "{hello}。{bot_name}です。\n手続きやくらしのことを、短い言葉で質問してください。"
THANKS = "どういたしまして。ほかにも気になることがあれば、いつでも聞いてください。"
HELP = (
    "このアカウントでは、{city}のくらしについての質問にお答えします。\n"
    "・手続き（転入、住民票、マイナンバーカードなど）\n"
    "・子育て、健診、予防接種\n"
    "・ごみの出し方と収集日（「アイロンは何ごみ？」「明日のごみ」）\n"
    "・防災、避難所\n"
    "短い言葉で送ってください。\n"
    "設定：「地域設定」「ごみの通知」「配信設定」「子どもの登録」「配信停止」「データ削除」"
)
WHO_AM_I = "{bot_name}です。{city}の自動応答アカウントです。\n" + HELP
SMALL_TALK_WEATHER = "本当ですね。どうぞお体に気をつけてお過ごしください。知りたいことがあれば、いつでも聞いてください。"

SUGGEST = "もしかして、次のどれかでしょうか？ 当てはまるものを選んでください。"
SUGGEST_NONE_LABEL = "どれにも当てはまらない"
SUGGEST_NONE_THANKS = "お知らせいただきありがとうございます。今後の改善に役立てます。"
HELPFUL_LABEL = "役に立った"
UNHELPFUL_LABEL = "役に立たなかった"
HELPFUL_THANKS = "ありがとうございます。お役に立ててよかったです。"
UNHELPFUL_SORRY = "お役に立てず申し訳ありません。いただいた声は、回答の見直しに役立てます。"
UNHELPFUL_CONTACT = "詳しくは {department} {phone} へお問い合わせください。"

FALLBACK = "申し訳ありません。お答えできる情報が見つかりませんでした。\n言葉を変えて、もう一度質問していただけますか。"
CONTACT = "お電話でのお問い合わせ：{department} {phone}\n受付時間：{office_hours}"
FAQ_CONTACT = "お問い合わせ：{department} {phone}"
FAQ_MORE = "詳しくはこちら：{url}"
TRUNCATED = "（続きは上のページをご覧ください）"

# 避難所 (disaster.atlas, bot.flows.shelters)
SHELTER_ASK_LOCATION = (
    "お近くの避難場所をお探しします。\n"
    "下の「位置情報を送る」を押して、今いる場所を送ってください。\n"
    "地名で探すときは「あずさ 避難所」のように送ってください。"
)
SHELTER_ASK_LOCATION_HAZARD = (
    "{hazard}のときの避難場所をお探しします。\n"
    "下の「位置情報を送る」を押して、今いる場所を送ってください。\n"
    "地名で探すときは「あずさ 避難所」のように送ってください。"
)
# A danger told now (「川があふれそう」「今揺れた！」): what to do first, then the shelter search for that hazard
# (内閣府・気象庁・国土交通省の呼びかけ: 揺れたら身の安全、浸水時は水の中を歩かず高い所へ、崖から離れる).
SHELTER_DANGER = {
    "flood": "川や水路に近づかず、早めに安全な場所へ避難してください。水の中を歩いたり車で通ったりしないでください"
             "（ひざ下の水でも流されることがあります）。外に出るのが危ないときは、家の2階以上など高い所へ。"
             "逃げ遅れたときや命の危険があるときは、迷わず119番へ。",
    "quake": "揺れているあいだは、頭を守り、丈夫な机の下など物が落ちてこない所で身を低くしてください。あわてて外へ飛び出さ"
             "ないでください。揺れがおさまったら、火の元を確かめ、割れたガラスなどに気をつけて。海や大きな川の近くでは、"
             "すぐに高い所へ。けがをした人や閉じ込められた人がいるときは、迷わず119番へ。",
    "landslide": "崖や斜面から離れ、早めに安全な場所へ避難してください。外に出るのが危ないときは、崖から離れた2階以上の部屋へ。"
                 "命の危険があるときは、迷わず119番へ。",
    "cannot_go": "避難所へ行けないときは、無理に外へ出ず、家の2階以上など安全な場所へ。命の危険があるときや、逃げ遅れたときは、"
                 "迷わず119番へ。近所の方や家族にも声をかけて、早めに助けを求めてください。",
}
SHELTER_SEND_LOCATION = "位置情報を送る"
SHELTER_PLACE_UNKNOWN = "「{place}」という地名が、避難所の住所や名前に見つかりませんでした。"
SHELTER_NONE = "避難所の情報がまだ登録されていません。\n" + "お問い合わせ：{department} {phone}"
SHELTER_ASK_HAZARD = "どの災害からの避難ですか？ 選んでください。"
SHELTER_ASK_HAZARD_PLACE = "「{place}」の近くで探します。どの災害からの避難ですか？ 選んでください。"
SHELTER_STAY = "避難所（生活する場所）"
SHELTER_STAY_LABEL = "避難所（滞在）"
SHELTER_FOUND = "近い順に{count}か所です（{purpose}）。"
SHELTER_FOR_HAZARD = "{hazard}のときの指定緊急避難場所"
SHELTER_FOR_STAY = "指定避難所"
SHELTER_ITEM = "{n}. {name}（約{distance}）"
SHELTER_HAZARDS = "対応する災害：{hazards}"
SHELTER_ACCEPTS = "受入対象：{accepts}"
SHELTER_ALSO_STAY = "同じ場所が指定避難所です"
SHELTER_STATUS_UNKNOWN = "開設状況：未確認"
SHELTER_STATUS = "開設状況：{status}{crowding}（{when}時点）"
SHELTER_STATUS_OLD = "開設状況：未確認（最後の情報は{when}：{status}）"
SHELTER_STATUSES = {"open": "開設中", "closed": "閉鎖", "full": "満員"}
SHELTER_CROWDING = {"empty": "空いています", "some": "やや混雑", "busy": "混雑", "full": "満"}
# The place sent is far from every shelter of the city: the resident may be elsewhere.
SHELTER_FAR = "送られた場所から{city}の避難場所まで約{distance}あります。{city}の外にいらっしゃるときは、今いる市区町村の避難場所を確かめてください。"
SHELTER_OUTSIDE = ("送られた場所は、{city}の避難場所から約{distance}離れています。{city}の外にいらっしゃるようです。"
                   "今いる市区町村の避難情報と避難場所を確かめてください。命の危険があるときは、迷わず119番へ。")
# A nearer shelter left out of the list because staff said it is closed or full.
SHELTER_PASSED_OVER = "近くの{name}（約{distance}）は{status}のため、ほかの場所をご案内します。"
SHELTER_NO_SITE = "この市のデータには、{hazard}に対応する指定緊急避難場所がありません。市の案内や防災無線に従ってください。"
SHELTER_DISTANCE_M = "{metres}m"
SHELTER_DISTANCE_KM = "{km:.1f}km"
SHELTER_STAFF_LINKED = (
    "{name}のスタッフとして登録しました。\n"
    "「開設」「空いています」「やや混雑」「混雑」「満員」「閉鎖」と送ると、{name}の状況を更新できます。"
)
SHELTER_STAFF_BAD_CODE = "コードが正しくないか、使用済みか、期限が切れています。市の担当者に新しいコードを発行してもらってください。"
SHELTER_STAFF_UNREAD = (
    "{name}の状況として読み取れませんでした。「開設」「空いています」「やや混雑」「混雑」「満員」「閉鎖」のどれかを"
    "送ってください。"
)
SHELTER_STAFF_SET = "{name}の状況を「{status}」に更新しました（{when}）。"
# 避難情報 (disaster.notices): the push when the city issues or lifts one, and the answer to 「今の警戒レベルは？」.
# The words of each level are the standard ones of the 避難情報に関するガイドライン (内閣府).
NOTICE_PUSH = "【警戒レベル{level}】{name}\n{office}は{areas}に{name}を発令しました（{when}）。"
NOTICE_ACTIONS = {
    3: "危険な場所から高齢者等は避難してください。",
    4: "危険な場所から全員避難してください。",
    5: "命の危険があります。直ちに身の安全を確保してください。",
}
NOTICE_SHELTER_HINT = "近くの避難場所は「避難所」と送ると調べられます。"
NOTICE_LIFTED_PUSH = "【解除】{office}は{areas}の{name}（警戒レベル{level}）を解除しました（{when}）。"
NOTICE_NONE = "現在、{where}に出ている避難情報（高齢者等避難・避難指示・緊急安全確保）はありません。"
NOTICE_NONE_WHERE_ALL = "市内"
NOTICE_NONE_CAUTION = "避難情報が出ていなくても、危険を感じたら早めに安全な場所へ避難してください。"
NOTICE_CURRENT = "【警戒レベル{level}】{name}（{office}、{when}発令）\n対象：{areas}\n{action}"
# JMA's warnings in force (disaster.jma): JMA's names, office and time, credited; the bot adds no words of its own.
JMA_IN_FORCE = "気象庁の発表（{when} {office}）：{kinds}"
JMA_NONE = "気象庁の警報・注意報は、いま{city}に出ているものを受け取っていません。最新の情報は気象庁のホームページで確かめてください。"
JMA_CREDIT = "出典：気象庁ホームページ（気象庁防災情報XML）"
AREA_NOTICE_IN_FORCE = ("{area}には、いま【警戒レベル{level}】{name}が出ています。{action}\n"
                        "詳しくは「警戒レベル」、近くの避難場所は「避難所」と送ってください。")
NOTICE_AREA_HINT = "お住まいの地域を登録すると、その地域の情報をお知らせします（「地域設定」）。"
SHELTER_MODE_NOTE = "避難情報が出ています。{hazard}のときの避難場所をお探ししました（ほかの災害は下のボタンから選べます）。"
DISASTER_MODE_FALLBACK = (
    "避難情報が出ています。近くの避難場所は「避難所」、出ている避難情報は「警戒レベル」と送ると確かめられます。"
    "命に危険がある場合は119番へ。"
)
SHELTER_STALE_PLACE = "位置情報の期限が切れました。もう一度「避難所」と送ってください。"
NOT_TEXT = "申し訳ありません。文字のメッセージにのみお答えできます。知りたいことを短い言葉で送ってください。"
GROUP_ONLY_PERSONAL = "ご質問には、このアカウントとの1対1のトークでお答えしています。"
STALE_BUTTON = "申し訳ありません。このボタンは使えなくなりました。もう一度、質問を送ってください。"

DELETE_CONFIRM = (
    "登録されている情報（地域、お知らせの設定、お子さんの出産予定日・生年月日など）をすべて削除します。"
    "よろしいですか？\n削除した情報はもとに戻せません。"
)
DELETE_YES = "削除する"
DELETE_NO = "やめる"
DELETE_DONE = "登録されていた情報とご質問の記録をすべて削除しました。ご利用ありがとうございました。"
DELETE_NOTHING = "登録されている情報はありませんでした。"
DELETE_CANCELLED = "削除を取りやめました。"

SORRY_ERROR = "申し訳ありません。ただいまお答えできませんでした。少し時間をおいて、もう一度お試しください。"
TOO_LONG = "メッセージが長いため、最初の部分でお探ししました。"

ASK_AREA = "お住まいの町名（地区名）を送ってください。ごみの収集日をその地域でお知らせします。"
ASK_AREA_CURRENT = "いまの地域は「{area}」です。変更する場合は、お住まいの町名（地区名）を送ってください。"
AREA_SET = "地域を「{area}」に設定しました。ごみの収集日はこの地域でお知らせします。変更するときは「地域設定」と送ってください。"
AREA_CHOICES = "どの地域でしょうか？ 当てはまるものを選ぶか、番号を送ってください。"
AREA_NOT_FOUND = "「{text}」に当たる地域が見つかりませんでした。次の中から選ぶか、番号を送ってください。やめるときは「やめる」と送ってください。"
AREA_UNSURE = "大丈夫ですよ。次の中から、お住まいの町名が入っているものを選ぶか、番号を送ってください。やめるときは「やめる」と送ってください。"
AREA_NONE_CONFIGURED = "申し訳ありません。この市のごみ収集の地域がまだ登録されていません。"
CANCELLED = "わかりました。やめました。"
CANCEL_LABEL = "やめる"

ASK_AREA_FOR_GARBAGE = "ごみの収集日はお住まいの地域によって違います。お住まいの町名（地区名）を送ってください。"
WEEKDAYS = "月火水木金土日"
DATE = "{month}月{day}日({weekday})"
DATE_TODAY = "今日 {date}"
DATE_TOMORROW = "明日 {date}"
ITEM_ONE = "{name}は【{category}】です。"
ITEM_VARIANTS = "{name}は、条件によって分け方が違います。"
ITEM_SEVERAL = "{name}の出し方です。"
ITEM_VARIANT_LINE = "・{name}：【{category}】"
ITEM_NOT_COLLECTED = "【{category}】市では収集していません。"
ITEM_NEXT = "{area}の次の収集日は {date} です。"
ITEM_NEXT_VARIANT = "（{area}の次回 {date}）"
ITEM_SCHEDULE_VERBATIM = "{area}の収集日：{text}"
ITEM_SET_AREA = "「地域設定」と送ってお住まいの地域を登録すると、次の収集日もお知らせします。"
DAY_COLLECTED = "{when} の{area}の収集は【{categories}】です。"
DAY_NONE = "{when} は、{area}のごみ収集はありません。"
DAY_HOLIDAY = "（{holiday}）"
DAY_NOTE = "（{note}）"
YEAR_END_HEADER = "{area}の年末年始のごみ収集です。"
YEAR_END_CLOSED = "{days} は収集がありません。"
YEAR_END_OPEN = "年末年始に収集を休む日は登録されていません。いつもの曜日どおりです。"
YEAR_END_LAST = "■年内最後の収集日"
YEAR_END_FIRST = "■年明け最初の収集日"
YEAR_END_NONE = "【{category}】ありません"
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
REMINDER_NONE_SET = ("ごみの日のお知らせは、いまは届かない設定です。このままで大丈夫です。"
                     "受け取りたくなったら「ごみの通知」と送ってください。")
REMINDER_HOW_TO = ("ごみの日のお知らせ（収集日の前日の夕方）は、このLINEで「ごみの通知」と送ると、"
                   "受け取るごみの種類を選んだり止めたりできます。")
SETTINGS_HOW_TO = ("お知らせの設定は、このLINEのトークで変えられます。「配信設定」「配信停止」「ごみの通知」"
                   "「子どもの登録」「地域設定」「データ削除」のように送ってください。")
REMINDER_SAVED = "お知らせの設定を変更しました。"
REMINDER_MESSAGE = "明日 {date} は、{area}の【{categories}】の収集日です。"

# ---- お知らせの配信設定 ------------------------------------------------------------------------------------
CONSENT_EXPLAIN = (
    "市からのお知らせ（子育て・ごみ・防災など）を、このトークでお届けできます。"
    "受け取るには、次の内容への同意をお願いします。\n"
    "【保存する情報】\n"
    "・お届け先（LINEの利用者ID）\n"
    "・受け取る分野\n"
    "・お住まいの地域（登録した場合）\n"
    "・お子さんの出産予定日・生年月日（登録した場合）\n"
    "・ご自身の生年月日（高齢者向けのお知らせで登録した場合のみ）\n"
    "【使い道】あなたに合った分野と時期のお知らせを送るためだけに使います。"
    "お名前や健診の結果などはお聞きしません。\n"
    "「配信停止」でいつでも止められ、「データ削除」ですべて消せます。"
)
CONSENT_KEPT = "以前に選んだ分野（{categories}）のお知らせも再開します。"
CONSENT_YES = "同意して受け取る"
CONSENT_FIRST = ("日付は、お知らせの受け取りに同意いただいてから登録します。"
                 "先に下の「同意して受け取る」を押してから、もう一度日付を送ってください。")
CONSENT_THANKS = "同意いただきありがとうございます。"
SETTINGS_HEADER = "お知らせを受け取る分野です。下のボタンで切り替えられます。"
SETTINGS_NONE_CHOSEN = "いまは、どの分野も選ばれていません。"
SETTINGS_AREA = "地域：{area}"
SETTINGS_NO_AREA = "地域：未登録（「地域設定」で登録できます）"
SETTINGS_CHILDREN = "登録しているお子さん：{count}人"
SETTINGS_BABY_STOPPED = "妊娠・子育てに関するお知らせは止めています。"
SETTINGS_GARBAGE_HINT = "ごみの収集日の前日のお知らせは「ごみの通知」で種類を選べます。"
SETTINGS_SAVED = "お知らせの設定を変更しました。"
SETTINGS_ALREADY = "お知らせの設定は、すでにそのとおりになっています。"
CATEGORY_ON_LINE = "✓ {category}"
CATEGORY_OFF_LINE = "－ {category}"
CATEGORY_TURN_ON = "{category}を受け取る"
CATEGORY_TURN_OFF = "{category}を止める"
CHILDCARE_HINT = "「子どもの登録」で出産予定日やお子さんの生年月日を登録すると、健診や予防接種の時期もお知らせします。"
CHILDREN_LABEL = "子どもの登録"
AREA_LABEL = "地域の設定"
STOP_PUSH_LABEL = "配信停止"
STOP_PUSH_DONE = (
    "すべてのお知らせの配信を停止しました。\n"
    "選んだ分野とお子さんの登録は残していますので、「配信設定」からいつでも再開できます。"
    "登録した情報をすべて消すときは「データ削除」と送ってください。"
)
STOP_PUSH_ALREADY = "いまはお知らせを配信していません。受け取りたいときは「配信設定」と送ってください。"
REMINDER_NEEDS_CONSENT = "ごみの日のお知らせをお送りするには、お知らせの受け取りへの同意が必要です。"

# ---- 妊娠・子育てのお知らせを止める（理由はお聞きしません） -------------------------------------------------
BABY_STOP_LABEL = "妊娠・子育てを止める"
BABY_RESUME_LABEL = "妊娠・子育てを再開"
BABY_STOPPED = (
    "妊娠・子育てに関するお知らせを止めました。ほかのお知らせは、これまでどおりお届けします。\n"
    "また受け取りたくなったときは「子育てのお知らせ再開」と送ってください。"
)
BABY_RESUMED = "妊娠・子育てに関するお知らせを再開しました。"

# ---- お子さんの登録 -----------------------------------------------------------------------------------------
CHILDREN_NONE = (
    "出産予定日、またはお子さんの生年月日を登録すると、妊婦健診・乳幼児健診・予防接種などの時期にお知らせします。\n"
    "下のボタンで日付を選ぶか、「2027年3月5日」のように送ってください。"
)
CHILDREN_LIST = "登録しているお子さんです。"
CHILDREN_LIST_HINT = "追加・変更・削除は下のボタンからどうぞ。"
CHILD_LINE = "{number}. {name}：{what} {date}"
CHILD_NAME = "{number}人目"
CHILD_DUE = "出産予定日"
CHILD_BIRTH = "生年月日"
CHILD_ADD_DUE = "出産予定日を登録"
CHILD_ADD_BIRTH = "生年月日を登録"
CHILD_MORE_DUE = "出産予定日を追加"
CHILD_MORE_BIRTH = "生年月日を追加"
CHILD_MENU_LABEL = "{name}の変更・削除"
CHILD_MENU = "{name}（{what} {date}）の登録を変更します。"
CHILD_BORN_LABEL = "生まれました"
CHILD_CHANGE_DUE_LABEL = "予定日を変更"
CHILD_CHANGE_BIRTH_LABEL = "生年月日を直す"
CHILD_NAME_LABEL = "呼び名をつける"
CHILD_REMOVE_LABEL = "登録を削除"
CHILD_BACK_LABEL = "一覧に戻る"
CHILD_ADDED = "{what}を{date}で登録しました。"
CHILD_ALREADY = "{what}{date}は、すでに登録されています。"
CHILD_CHILDCARE_ON = "「子育て」のお知らせも受け取る設定にしました。"
CHILD_BORN = (
    "おめでとうございます。生年月日を{date}で登録しました。"
    "これからは、お子さんの月齢に合わせて健診や予防接種の時期をお知らせします。"
)
CHILD_DUE_CHANGED = "出産予定日を{date}に変更しました。"
CHILD_BIRTH_CHANGED = "生年月日を{date}に直しました。"
CHILD_REMOVED = "{name}の登録を削除しました。"
CHILD_GONE = "このお子さんの登録は見つかりませんでした。"
CHILD_ASK_DATE = "日付を「2027年3月5日」のように送ってください。やめるときは「やめる」と送ってください。"
CHILD_ASK_AGAIN = "下のボタンで選び直すこともできます。やめるときは「やめる」と送ってください。"
CHILD_ASK_LABEL = (
    "{name}の呼び名を{max}文字以内で送ってください（例：第1子、長女）。"
    "お名前ではなく、ご家族で分かる呼び名をおすすめします。"
)
CHILD_LABEL_TOO_LONG = "呼び名は{max}文字以内でお願いします。もう一度送ってください。"
CHILD_LABEL_SET = "呼び名を「{label}」にしました。"
BORN_WHICH = "生まれたお子さんを選んで、「生まれました」から生年月日を登録してください。"
BORN_ASK = "おめでとうございます。お子さんの生年月日を、下のボタンで選ぶか「2026年11月1日」のように送ってください。"

# ---- 日付を受け付けられないとき -----------------------------------------------------------------------------
DATE_FULL = "{year}年{month}月{day}日"
DATE_NO_SUCH_DAY = "{text}という日はないようです。日付をもう一度ご確認ください。"
DATE_NEED_YEAR = "何年の日付か分かりませんでした。年も入れて、「2027年3月5日」のように送ってください。"
DATE_UNREADABLE = "日付が読み取れませんでした。「2027年3月5日」や「3/5」のように送ってください。"
DATE_ALONE = (
    "日付についてのご用件でしたら、次のように送ってください。\n"
    "・お子さんの出産予定日や生年月日を登録する：「子どもの登録」\n"
    "・ごみの収集日を調べる：「明日のごみ」「次の燃えるごみはいつ？」"
)
DATE_REFUSED = {
    "due_past": "{date}は1か月以上前のため、出産予定日としては登録できません。お子さんが生まれている場合は、生年月日として登録してください。",
    "due_too_far": "{date}は10か月より先のため、出産予定日としては登録できません。日付をもう一度ご確認ください。",
    "birth_future": "{date}はまだ来ていない日のため、生年月日としては登録できません。お生まれ前でしたら、出産予定日として登録してください。",
    "birth_too_old": "お知らせの対象は18歳までのお子さんのため、{date}生まれのお子さんは登録できません。",
    "own_future": "{date}はまだ来ていない日です。ご自身の生年月日を送ってください。",
    "own_too_young": "{date}生まれですと18歳未満になります。年が正しいか、もう一度ご確認ください。",
    "own_too_old": "{date}生まれで正しいでしょうか。年をもう一度ご確認ください。",
}

# ---- ご自身の生年月日（高齢者向けのお知らせ） ---------------------------------------------------------------
OWN_BIRTH_ASK = (
    "65歳の介護保険や75歳の後期高齢者医療のご案内を、誕生日に合わせてお送りするため、"
    "ご自身の生年月日を登録できます。登録は任意です。"
    "登録しない場合は、高齢者向けの一般的なお知らせだけをお送りします。\n"
    "下のボタンで選ぶか、「昭和35年4月1日」のように送ってください。"
)
OWN_BIRTH_ASK_AGAIN = "ご自身の生年月日を、下のボタンで選ぶか「昭和35年4月1日」のように送ってください。"
OWN_BIRTH_LABEL = "ご自身の生年月日"
OWN_BIRTH_SKIP_LABEL = "登録しない"
OWN_BIRTH_SET = "生年月日を{date}で登録しました。「高齢者」のお知らせを止めると、生年月日も削除します。"
OWN_BIRTH_SKIPPED = "生年月日は登録しませんでした。高齢者向けの一般的なお知らせをお送りします。"
OWN_BIRTH_REMOVED = "登録されていたご自身の生年月日も削除しました。"

# ---- 体調・救急（healthdesk）：診断はしない。病名を書かない。「たぶん大丈夫」と言わない -------------------------
# 119 の案内が、ほかのどの言葉よりも先に来ます（{place}：通報のとき最初に伝える市町村名）。
HEALTH_EMERGENCY = (
    "命にかかわるおそれがあります。迷わず、すぐに{number}番に電話してください。\n"
    "住所は「{place}」から伝えてください。\n"
    "このトークでは、診断や救急車の手配はできません。"
)
# 火事や、倒れた家・水に閉じ込められたとき（病気の話ではないので「診断」とは言わない）。
RESCUE_EMERGENCY = (
    "命にかかわるおそれがあります。迷わず、すぐに{number}番に電話してください。\n"
    "住所は「{place}」から伝えてください。できるだけ安全な場所へ離れてください。\n"
    "このトークからは、消防に通報できません。"
)
HEALTH_CALL_LABEL = "{number}番に電話する"
POLICE_EMERGENCY = (
    "事件や身の危険があるときは、迷わず、すぐに{number}番に電話してください。\n"
    "できるだけ安全な場所から、「{place}」の場所と、何が起きているかを伝えてください。\n"
    "このトークからは、警察に通報できません。"
)
POLICE_CONSULT = "急ぎでないご相談は、こちらへどうぞ。"
POLICE_TOO = "人に危害を加えられるおそれもあるときは、{number}番にも電話してください。"
HEALTH_LINE_CALL_LABEL = "{number}に電話する"
HEALTH_SELF_HARM = (
    "話してくれてありがとうございます。ひとりで抱えこまないでください。\n"
    "次の窓口で、気持ちを聴いてもらえます。"
)
HEALTH_SELF_HARM_NOW = "いま危ない状態にあるときは、迷わず{number}番に電話してください。"
HEALTH_MOOD = "気持ちのつらさや眠れないことは、次の窓口で話を聴いてもらえます。"
HEALTH_FEELING = "気持ちのつらさや眠れないことは、次の窓口でも話を聴いてもらえます。"
HEALTH_MOOD_DESK = "市の相談窓口は、{desk}です。"
HEALTH_DOUBT_LINE = "救急車を呼ぶか迷うときは、{line}に相談できます。"
HEALTH_DOUBT_NO_LINE = "{city}では、{name}（{number}）は利用できません。"
HEALTH_DOUBT_FIRST = "いつもと違う・危ないと感じたら、迷わず{number}番に電話してください（このトークからは救急車を呼べません）。"
HEALTH_DOUBT_OTHERS = "今かかれる医療機関は、次の窓口で案内しています。"
HEALTH_CHILD_OPEN = "お子さんの急な病気やけがで迷うときは、{line}に相談できます。"
HEALTH_CHILD_CLOSED = (
    "{name}（{number}）の受付は{hours}です。いまの時間は、かかりつけの小児科か、下の窓口にご相談ください。"
)
HEALTH_CHILD_RED_FLAGS = "意識がない・けいれんが止まらない・息が苦しそうなときは、迷わず{number}番へ。"
HEALTH_WHERE = "休日や夜間に受診できるところです。受診の前に電話でご確認ください。"
HEALTH_WHERE_NONE = "休日や夜間に受診できる医療機関は、次の窓口で案内しています。"
HEALTH_WORRY = "体調のご相談は、{desk}へどうぞ。このトークでは、病気かどうかの判断はできません。"
# {seen}: the facility's departments and phone (「内科・小児科、0123-45-6750」), or its phone alone.
HEALTH_WORRY_HOLIDAY = "休日・夜間は、{facility}（{seen}）で受診できます。受診の前に電話でご確認ください。"
# 健康相談の窓口が受付時間外のとき：いま連絡できるところを先に、窓口は後に。
HEALTH_WORRY_AFTER_HOURS = "いまは、{desk}の受付時間外です。このトークでは、病気かどうかの判断はできません。"
HEALTH_WORRY_AFTER_HOURS_FACILITY = "休日・夜間は、{facility}（{seen}、受付 {hours}）で受診できます。受診の前に電話でご確認ください。"
HEALTH_FAQ_RELATED = "よくある質問に、関連する案内があります。"
HEALTH_DESK_CLOSED_NOW = "（いまは受付時間外です）"
HEALTH_WORRY_DESK_LATER = "体調のご相談は、受付時間内に{desk}へどうぞ。"
HEALTH_WORRY_LATER = "急に具合が悪くなったときや、いつもと違う・危ないと感じたときは、迷わず{number}番へ。"
HEALTH_LINE = "・{name} {number}（{hours}）"
HEALTH_LINE_NO_HOURS = "・{name} {number}"
HEALTH_LINE_OTHER = "　つながらないときは {other}"
HEALTH_LINE_NOTE = "　{note}"
HEALTH_FACILITY = "・{name}（{departments}）\n　{address}\n　電話 {phone}\n　受付 {hours}"
HEALTH_FACILITY_NOTE = "　{note}"
HEALTH_WEB = "詳しくはこちら：{url}"
HEALTH_DESK = "{name}（{phone}、{hours}）"
HEALTH_DESK_ITEM = "・{desk}"
HEALTH_DESK_CITY = "{department}（{phone}、{office_hours}）"
# ---- ごみの品目を名前から探すとき・「もしかして」が一つのとき（品目の候補、家電リサイクル） -------------------------------
ITEM_CHOICES = "「{word}」には、いくつか種類があります。当てはまるものを選んでください。"
ITEM_CHOICES_LOOSE = "「{word}」そのものは分別一覧にありませんが、近いものはこちらです。当てはまるものを選んでください。"
ITEM_CHOICE_LINE = "・{name}"
SUGGEST_ONE = "もしかして、こちらでしょうか？ 当てはまる場合は選んでください。"
# ---- 会話の途中で別の質問が来たとき・あいさつ・スタンプ ------------------------------------------------------
AREA_LIST_LINE = "{number}. {area}"
AREA_QUESTION_KEPT = "さきほどのごみのご質問には、お住まいの町名を送っていただければお答えします。"
CHILD_DATE_LEFT = "お子さんの日付の登録は、いったん止めました。続けるときは「子どもの登録」と送ってください。"
CHILD_LABEL_LEFT = "呼び名はつけずにおきました。つけるときは「子どもの登録」からどうぞ。"
OWN_BIRTH_LEFT = "ご自身の生年月日の登録は、いったん止めました。「配信設定」の「ご自身の生年月日」から、いつでも登録できます。"
SMALL_TALK_ACK = "承知しました。ほかにも気になることがあれば、いつでも聞いてください。"
SMALL_TALK_LAUGH = "ほかにもお役に立てることがあれば、いつでも聞いてください。"
SMALL_TALK_PERSON = (
    "お役に立てず、申し訳ありません。ご意見やご相談は、{city}の職員がうかがいます。\n"
    "{department} {phone}（受付時間：{office_hours}）"
)
SMALL_TALK_PERSON_NO_PHONE = "お役に立てず、申し訳ありません。ご意見やご相談は、{department}で{city}の職員がうかがいます。"
SMALL_TALK_APOLOGY = "いえいえ、お気になさらないでください。知りたいことがあれば、いつでも聞いてください。"
SMALL_TALK_MISTAKE = "大丈夫ですよ。お気になさらないでください。知りたいことを、あらためて送ってください。"
SMALL_TALK_PRAISE = "ありがとうございます。お役に立ててうれしいです。ほかにも気になることがあれば、いつでも聞いてください。"
SMALL_TALK_ASK = "はい、どうぞ。知りたいことを、そのまま送ってください（例：「住民票がほしい」「粗大ごみの出し方」）。"
SMALL_TALK_FOLLOW_UP = (
    "すみません、このトークでは前のメッセージの内容を引き継げません。知りたいことを、もう一度くわしく送ってください"
    "（例：「粗大ごみの申し込みはいつまで？」）。"
)
SMALL_TALK_IDLE = "お声がけありがとうございます。{city}のくらしのことなら、いつでも聞いてくださいね。"
SMALL_TALK_UNSURE = (
    "大丈夫ですよ。知りたいことを「ごみの出し方」「住民票がほしい」のように短い言葉で送ってください。"
    "「メニュー」と送ると、お答えできることをご案内します。"
)
SMALL_TALK_SAD = (
    "どうされましたか。お困りのことがあれば、短い言葉で送ってください。いっしょにお調べします。"
)
SMALL_TALK_FAREWELL = "ご利用ありがとうございました。またいつでもどうぞ。"
SMALL_TALK_YEAR_END = "こちらこそ、ありがとうございました。どうぞ良いお年をお迎えください。"
SMALL_TALK_NEW_YEAR = "あけましておめでとうございます。本年もどうぞよろしくお願いいたします。"
SMALL_TALK_EMOJI = "メッセージありがとうございます。知りたいことがあれば、短い言葉で送ってください。"
SMALL_TALK_STICKER = "スタンプありがとうございます。知りたいことがあれば、短い言葉で送ってください。"


# ---- Flood control (bot.flows.flood) ----
FLOOD_NOTICE = (
    "たくさんのメッセージをありがとうございます。すべてにお答えできないため、少し時間をおいてから、"
    "ご用件をひとつずつ送ってください。\n"
    "急な病気やけがで命に関わるときは、すぐに119番へ電話してください。"
)
