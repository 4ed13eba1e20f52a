"""Triage with the national defaults: every red-flag family, despair, doubt, children, where to be seen, worries,
and ordinary questions left alone. Several residents' wordings each (kanji, kana, dialect, polite, typos)."""

from datetime import date
from datetime import time

import pytest

from healthdesk.data import defaults
from healthdesk.data import desk_from
from healthdesk.matching import readings
from healthdesk.triage import Kind
from healthdesk.triage import triage

NOON = time(12, 0)
NIGHT = time(21, 30)

RED_FLAGS = {
    "意識": ["意識がない", "いしきがありません", "いしきがなぃ", "父が倒れて呼んでも返事がない", "じいちゃんが倒れて返事せん",
             "母がぐったりしてる", "様子がおかしくて、もうろうとしてる", "気を失った", "じいちゃんが風呂でうごかんのや",
             "母が湯船に沈んでる", "呼んでも動かない"],
    "呼吸": ["息ができない", "呼吸ができない", "こきゅうができない", "いきがくるしい", "イキガクルシイ", "いきがくるすい", "息がでけへん", "呼吸が苦しくて眠れません", "息してない",
             "くちびるが紫色で息が弱い", "ゼーゼーして苦しそう", "ヒューヒューいって苦しそうです", "ぜいぜいして、くるしげ",
             "ぜえぜえ言って苦しいみたい", "孫がゼイゼイして苦しいっぽい"],
    "胸": ["胸が痛い", "胸がすごく痛いです", "むねがしめつけられる", "胸が苦しいんだけど", "むねがうい", "むねがくるしぃ",
          "夫が急に胸をおさえて苦しんでる"],
    "頭": ["突然激しい頭痛がした", "頭を強く打った", "あたまをつよくうった", "頭が割れるように痛い", "机に頭を強打しました"],
    "顔・言葉・手足": ["ろれつがまわらない", "父が急に話せなくなった", "顔がゆがんでる", "てあしがうごかない",
                    "片方の手に力が入らない", "口の片方がさがってる"],
    "けいれん": ["白目をむいてガクガクしてる", "けいれんしてる", "ケイレンが止まらない", "子供がひきつけをおこした", "痙攣"],
    "出血": ["大量の出血", "血が止まらない", "ちがとまらん", "血を吐いた", "ちをはいた", "血便が出た"],
    "おなか": ["突然の激しい腹痛", "おなかが死ぬほど痛い", "冷や汗が出て吐き気がひどい"],
    "じんましん": ["蜂に刺されて全身じんましん", "全身にじんましんが出た", "じんましん出て顔が真っ青", "アナフィラキシー", "アナフィラキシーかも"],
    "心臓": ["心臓が止まってるかも", "脈がない", "脈がとんでる"],
    "飲み込み": ["おばあちゃんが餅をのどにつまらせた", "子どもがボタン電池を飲み込んだ"],
    "けが・やけど・事故": ["子どもがおぼれた", "車にはねられた", "広い範囲をやけどした", "腕に大やけどをした", "バイクで事故った", "転んで頭を打った",
                      "高いところから落ちた", "ばあちゃん転んで動けん", "父が転倒して立てない",
                      "やけどしました。腕全体がひどいです", "やかんのお湯でやけど。足全体です", "やけどしてしまいました。ひどいです",
                      "足にやけどをしました。範囲が広いです"],
    "乳児の様子": ["あかちゃんがいつもとちがう", "生まれて1か月の子の様子が変です", "生後2か月の赤ちゃん、いつもと違う"],
    "火事・煙": ["火事です", "隣の家から煙出てる", "台所から火が出た", "かじです！", "ガスくさい"],
    "閉じ込め・救助": ["閉じ込められて出られない", "家が流されそう、助けて", "水が家に入ってきた 逃げられない",
                   "瓦礫の下に人がいる", "地震で足を怪我して動けない", "エレベーターに閉じ込められた", "逃げ遅れた人がいる",
                   "家族が流されたかもしれない", "水が来て逃げられない",
                   # From a resident-style trial: a passive without who, a house that fell in, a cry for help.
                   "川に流された", "おとうさんが川にながされた", "流された", "家がつぶれて出られない", "家がつぶれた",
                   "じしんで いえが つぶれた ひとが でられない", "土砂崩れで車が埋まった", "たすけて🆘 家がつぶれた",
                   "たすけて", "助けて！",
                   # From a second trial: a house broken by an earthquake, said without anyone trapped.
                   "地震で家が壊れた", "じしんで家がくずれた", "建物が崩れてる",
                   "地震で家が傾いてしまいました。どこに相談すればいいですか"],
}
RED_FLAGS["火事・煙"] += ["家が燃えてる", "隣の家が燃えています", "車が燃えてる"]
RED_FLAGS["けが・やけど・事故"] += ["けが人がいる", "ケガ人がいます", "怪我人が出た"]

POLICE = {
    "暴力": ["旦那に殴られた", "夫になぐられた", "彼氏に蹴られた", "暴力をふるわれる", "DV", "DVされてる", "父が包丁を持って暴れてる",
           "知らない男に襲われた"],
    "侵入・盗難": ["泥棒に入られた", "空き巣に入られたかも", "家に知らない人がいる", "強盗", "スマホを盗まれた", "ひったくりにあった",
              "不審な人が家の周りをうろうろしていて怖い", "家の前に不審者がいる", "家の周りをうろうろしている人がいて怖い"],
    "つきまとい": ["知らない人につけられてる、こわい", "誰かに後をつけられている", "元彼につきまとわれてる", "ストーカーされてる",
               "変な人に尾行されてる"],
    "行方不明": ["子どもがいなくなった", "娘が帰ってこない", "こどもがみつからない", "認知症の親がいなくなった", "子供が連れ去られた"],
}
NOT_POLICE = [
    "DV相談について", "泥棒対策の補助", "ストーカー対策", "行方不明者の届出", "迷子の犬", "防犯カメラの補助", "交通安全教室",
    "名前をつけられる", "子どもが帰ってきた", "自転車の防犯登録", "傘を盗まれた", "テレビが壊れた", "地震で棚が倒れた",
    "家の燃えるごみ", "燃えるごみの日", "けがの治療費の助成", "不審者情報のメールを登録したい",
    "うちの犬が家の周りをうろうろしている", "不審な電話がかかってきた",
]


def test_every_national_family_is_tested_here():
    """Each family of the national defaults has wordings above (自傷の行為 is tested with despair below)."""
    assert {family.name for family in defaults().red_flags} == set(RED_FLAGS) | {"自傷の行為"}


@pytest.mark.parametrize(("family", "message"), [(f, m) for f, ms in RED_FLAGS.items() for m in ms])
def test_every_red_flag_family_is_an_emergency(family, message):
    """Each family, in kanji, kana, katakana and dialect, is an emergency (119 first)."""
    result = triage(defaults(), message, NOON)
    assert (result.kind, result.family) == (Kind.EMERGENCY, family)


def test_every_national_police_family_is_tested_here():
    """Each police family of the national defaults has wordings above."""
    assert {family.name for family in defaults().police_flags} == set(POLICE)


@pytest.mark.parametrize(("family", "message"), [(f, m) for f, ms in POLICE.items() for m in ms])
def test_danger_from_a_person_is_for_the_police(family, message):
    """Violence, a break-in, being followed and a missing child, in residents' words, are 110 first."""
    result = triage(defaults(), message, NOON)
    assert (result.kind, result.family) == (Kind.POLICE, family)


@pytest.mark.parametrize("message", NOT_POLICE)
def test_questions_about_crime_prevention_and_procedures_are_not_for_the_police(message):
    """Asking about prevention, a desk or a form, or a thing named with the same words, is no emergency."""
    assert triage(defaults(), message, NOON) is None


def test_a_red_flag_from_violence_is_119_first_with_the_police_raised_too():
    """Bleeding after being hit: an emergency (119), and the police flag is carried for a 110 line after."""
    result = triage(defaults(), "夫に殴られて血が止まらない", NOON)
    assert (result.kind, result.family, result.police) == (Kind.EMERGENCY, "出血", "暴力")


@pytest.mark.parametrize("message", ["死にたい", "しにたい", "消えてしまいたい", "もう生きるのがつらい", "いなくなりたい"])
def test_words_of_despair_give_the_mental_health_lines(message):
    """Self-harm words without an act under way: the mental-health lines."""
    assert triage(defaults(), message, NOON).kind == Kind.SELF_HARM


@pytest.mark.parametrize("message", ["薬をたくさん飲んだ、死にたい", "死にたくて手首を切った", "死にたい、睡眠薬を全部飲んだ"])
def test_an_act_under_way_is_an_emergency_that_also_gives_the_lines(message):
    """Despair with an act under way: 119 first, the mental-health lines after it."""
    result = triage(defaults(), message, NOON)
    assert (result.kind, result.self_harm) == (Kind.EMERGENCY, True)


@pytest.mark.parametrize("message", ["救急車よぶべき？", "救急車呼んだ方がいいですか", "救急車を呼ぶか迷っています",
                                     "きゅうきゅうしゃ呼んでいいのかな", "救急車を呼ぶほどじゃないけど"])
def test_doubt_about_the_ambulance(message):
    """「救急車を呼ぶべき？」 and its variants are doubt, not the FAQ."""
    assert triage(defaults(), message, NOON).kind == Kind.DOUBT


def test_a_doubt_about_a_child_says_so_and_whether_the_child_line_answers_now():
    """「子どもが熱…救急車を呼ぶほどではない」: doubt, about a child, with #8000 answering at night (a city's hours
    for it, when they differ, are the pack's: tests/bot/test_health_chat.py); 「救急車よぶべき？」 is no child's."""
    message = "夜中に子どもが39度の熱を出しました。救急車を呼ぶほどではないと思うのですが、どこに相談すればいいですか？"
    at_night = triage(defaults(), message, NIGHT)
    assert (at_night.kind, at_night.child, at_night.child_line_open) == (Kind.DOUBT, True, True)
    assert not triage(defaults(), "救急車よぶべき？", NIGHT).child


@pytest.mark.parametrize("message", ["子どもが熱を出した", "こどもが吐いた", "赤ちゃんが泣き止まない", "息子がせきがとまらない",
                                     "うちの子、熱っぽいです"])
def test_a_child_who_is_unwell_is_for_the_child_line(message):
    """A child with a symptom is the child case (#8000)."""
    assert triage(defaults(), message, NIGHT).kind == Kind.CHILD


def test_a_child_case_says_whether_the_message_asks_where_to_be_seen_now():
    """「子どもが熱…夜間やってる病院ある？」 asks where; 「子どもが熱を出した」 does not."""
    assert triage(defaults(), "子どもが熱38度あるんだけど夜間やってる病院ある？", NIGHT).where
    assert not triage(defaults(), "子どもが熱を出した", NIGHT).where


@pytest.mark.parametrize("message", ["最近ずっと眠れなくて気分が落ち込みます。相談できるところはありますか",
                                     "気分が落ち込んで何もする気が起きない", "毎日憂鬱です", "不安で眠れない"])
def test_a_worry_about_ones_mood_is_a_worry_with_the_mood_noted(message):
    """Low mood and sleeplessness from worry are a health worry, marked as about the mood (the trial's resident
    got the 急病センター)."""
    result = triage(defaults(), message, NOON)
    assert (result.kind, result.mood) == (Kind.WORRY, True)


@pytest.mark.parametrize("message", ["最近しんどい…", "毎日しんどいです", "眠れない日が続いています", "暑くてしんどい",
                                     "ここ一週間ほど夜になっても全然眠れない日が続いていて、仕事にも集中できません"])
def test_a_feeling_without_a_symptom_is_a_worry_that_may_be_the_moods(message):
    """しんどい or 眠れない without a symptom or a mood word may be the body's or the mood's: a worry (the desk's
    reply) marked as a feeling (the mental-health lines after it). Trial residents who wrote 「最近しんどい…」 and
    「眠れない日が続いています」 got only the 急病センター."""
    result = triage(defaults(), message, NOON)
    assert (result.kind, result.mood, result.feeling) == (Kind.WORRY, False, True)


@pytest.mark.parametrize("message", ["頭が痛くてしんどい", "咳で眠れない", "体がしんどい"])
def test_a_feeling_with_a_symptom_is_a_worry_about_the_body(message):
    """With a symptom or the body named, the feeling is the body's: the health desk, no mood lines."""
    result = triage(defaults(), message, NOON)
    assert (result.kind, result.mood, result.feeling) == (Kind.WORRY, False, False)


@pytest.mark.parametrize("message", ["手続きがしんどい", "ごみ出しがしんどい"])
def test_a_feeling_about_a_procedure_or_the_garbage_is_no_health_worry(message):
    """A feeling about a procedure or the garbage is no health message."""
    assert triage(defaults(), message, NOON) is None


@pytest.mark.parametrize(("message", "kind"), [("熱がある", Kind.WORRY), ("死にたい", Kind.SELF_HARM)])
def test_other_worries_and_despair_are_not_about_the_mood(message, kind):
    """A fever is no mood; despair keeps its own reply (the lines, then 119)."""
    result = triage(defaults(), message, NOON)
    assert (result.kind, result.mood) == (kind, False)


def test_the_child_line_is_open_only_in_its_hours():
    """With #8000 from 19:00 to 08:00, a child at 21:30 finds it open and at noon closed."""
    desk = desk_from({"lines": {"q8000": {"opens": "19:00", "closes": "08:00"}}})
    assert triage(desk, "子供が熱", NIGHT).child_line_open
    assert not triage(desk, "子供が熱", NOON).child_line_open


@pytest.mark.parametrize("message", ["本日営業している病院", "今日あいてる病院", "夜やってる病院ある？", "休日当番医",
                                     "日曜日に診てもらえる病院", "救急医療情報"])
def test_where_can_i_be_seen_now(message):
    """Asking where to be seen now gives the 急病センター and 当番医 information."""
    assert triage(defaults(), message, NOON).kind == Kind.WHERE


@pytest.mark.parametrize("message", ["熱がある", "ねつがある", "吐いた", "はきけがする", "体調が悪い", "ぐあいがわるい",
                                     "下痢が続いてます", "頭が痛い", "頭がいたい", "めまいがします",
                                     "なんか体調がすぐれない", "熱中症かもしれない", "あたまがいたいんやけど"])
def test_other_worries_go_to_the_health_desk(message):
    """Symptoms without a red flag go to the health desk."""
    assert triage(defaults(), message, NOON).kind == Kind.WORRY


@pytest.mark.parametrize("message", ["からだがこわい", "なんだか体がこわくて", "体こわいんだわ"])
def test_hokkaido_kowai_is_unwell_not_afraid(message):
    """北海道の「体がこわい」 is tiredness: the health desk, never the mental-health lines."""
    assert triage(defaults(), message, NOON).kind == Kind.WORRY


@pytest.mark.parametrize("message", ["地震がこわい", "こわい夢を見た"])
def test_kowai_without_the_body_is_not_health(message):
    """こわい about something else is not a health message."""
    assert triage(defaults(), message, NOON) is None


ORDINARY = [
    "予防接種の時期", "がん検診について", "子どもの予防接種のスケジュール", "インフルエンザの予防接種の助成",
    "健康診断の予約", "妊婦健診", "母子手帳", "国民健康保険", "子どもの医療費助成", "高額療養費", "病院の領収書",
    "出産育児一時金", "住民票がほしい", "粗大ごみの出し方", "アイロンは何ごみ？", "体温計の捨て方", "熱中症対策",
    "断熱リフォームの補助", "窓口の席", "献血", "AEDの場所", "保健センターの場所", "子育て支援センター",
    "ウイルスについて", "児童手当", "保育園の申し込み", "こども食堂はやっていますか", "こせきとほん ほしい",
    "燃えるごみの日", "家の燃えるごみ", "火災保険", "火災報知器の設置", "たばこの煙が苦手", "住民票ほしいんやけど",
    "印鑑登録したいんやけど何持っていけばええの？",
    # Household items typed in kana that hold a symptom's reading, and garbage questions about health goods.
    "せんぷうきの処分方法", "せんぷうきはなにごみ", "はなみずきの苗", "ひやけどめの捨て方", "はいたてのくつ",
    "やけどの薬の捨て方", "湿布の出し方", "血圧計の処分", "ねつさましの捨て方",
    # Being unable to get away from something that is no danger.
    "仕事から逃げられない", "逃げられないほど忙しい", "締め切りから逃げられない",
    # Words of the rescue phrases in everyday questions.
    "ニュースで流された映像", "子育ての助けになる制度", "電話に出られない", "助かりました、ありがとう", "トイレに流せるもの",
    # A bath's machines that do not work, and a verb that sounds like a mood word (打つ, not 鬱).
    "お風呂の給湯器が動かない", "風呂の換気扇がうごかん", "インフルエンザの注射はただでうてるんか",
]


@pytest.mark.parametrize("message", ORDINARY)
def test_ordinary_questions_are_not_health(message):
    """Procedure questions about health services, and other questions, are left to the intents and the FAQ."""
    assert triage(defaults(), message, NOON) is None


def test_a_city_family_replaces_the_default_of_its_name_and_keeps_the_others():
    """A pack's 意識 list replaces the national one; the families it does not name stay."""
    desk = desk_from({"red_flags": {"意識": ["目を開けない"]}})
    assert triage(desk, "目を開けない", NOON).kind == Kind.EMERGENCY
    assert triage(desk, "胸が痛い", NOON).family == "胸"


def test_more_phrases_are_added_to_a_list_without_replacing_it():
    """[more_words] adds a city's words to the national list; the national words still work."""
    desk = desk_from({"more_words": {"worry": ["なまら こわい"]}})
    assert triage(desk, "なまらこわい", NOON).kind == Kind.WORRY
    assert triage(desk, "熱がある", NOON).kind == Kind.WORRY


@pytest.mark.parametrize("message", ["木が倒れてる", "電柱が倒れた", "看板が倒れそう"])
def test_things_falling_over_are_not_a_person_collapsing(message):
    """A fallen tree or pole is not the 意識 red flag (the disaster and road desks answer it)."""
    assert triage(defaults(), message, NOON) is None


def test_someone_under_a_fallen_thing_is_an_emergency():
    """Under a fallen shelf: an emergency all the same."""
    assert triage(defaults(), "棚が倒れて子どもが下敷きになった", NOON).kind == Kind.EMERGENCY


@pytest.mark.parametrize("message", ["ゼーゼーしてる", "ヒューヒューいってる", "夜になるとぜいぜいする"])
def test_wheezing_without_distress_is_a_worry(message):
    """Wheezing alone (no 苦しい) goes to the health desk, not to 119 and not to the fallback."""
    assert triage(defaults(), message, NOON).kind == Kind.WORRY


def test_the_desk_is_open_only_on_office_days_in_its_hours():
    """A desk open 08:45–17:30 answers on a Friday noon, not at night, on a Sunday or a public holiday."""
    desk = desk_from({"desk": {"name": "保健センター", "phone": "0123", "opens": "08:45", "closes": "17:30"}})
    assert triage(desk, "熱がある", NOON, date(2026, 11, 20)).desk_open is True
    assert triage(desk, "熱がある", NIGHT, date(2026, 11, 20)).desk_open is False
    assert triage(desk, "熱がある", NOON, date(2026, 11, 22)).desk_open is False  # Sunday
    assert triage(desk, "熱がある", NOON, date(2026, 11, 23)).desk_open is False  # 勤労感謝の日


def test_a_desk_without_hours_is_not_said_to_be_closed():
    """Without opens and closes the desk's state is unknown (None), so no reply calls it closed."""
    assert triage(defaults(), "熱がある", NIGHT, date(2026, 11, 22)).desk_open is None


@pytest.mark.parametrize("message", [m for ms in RED_FLAGS.values() for m in ms] + ORDINARY)
def test_one_index_of_every_family_finds_what_asking_each_family_in_order_finds(message):
    """The desk looks a message up once in all families' phrases; the family and phrase are those the first
    family with a match, asked in the data's order, would give."""
    desk, read = defaults(), readings(message)
    expected = next(((family, found) for family in desk.red_flags
                     if (found := family.phrases.first_found(read)) is not None), None)
    assert desk.red_flag(read) == expected


@pytest.mark.parametrize("message", ["父が最近ご飯をあまり食べなくなって元気がないです。高齢なので心配です。",
                                     "離れて暮らしてる母がさいきん物忘れがひどくて、認知症かもしれない"])
def test_an_older_parents_worry_is_for_the_health_desk(message):
    """A parent who eats little and is listless, or forgets: the desk (a trial got child-care entries for them)."""
    assert triage(defaults(), message, NOON).kind == Kind.WORRY


def test_a_dementia_cafe_is_no_worry():
    assert triage(defaults(), "認知症カフェはどこ", NOON) is None
