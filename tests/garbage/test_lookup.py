"""Finding items by the names people use: general words, things inside descriptions, near names (高松, 留萌)."""

from __future__ import annotations

from pathlib import Path

import pytest

from faq.importers import read_synonyms_file
from garbage.answers import Catalog
from garbage.answers import CategoryInfo
from garbage.answers import ItemChoices
from garbage.answers import ItemRow
from garbage.answers import categories_in_text
from garbage.answers import find_item
from garbage.answers import find_listed
from garbage.answers import item_question
from garbage.importers import read_5374
from garbage.importers import read_takamatsu
from garbage.lookup import ItemNames
from japanese.synonyms import Synonyms

DEMO = Path(__file__).resolve().parents[2] / "packs" / "demo"
RUMOI = Path(__file__).resolve().parents[3] / "shared" / "data" / "rumoi-5374"
RUMOI_ABSENT = f"留萌 5374 data not found at {RUMOI} (shared data next to the repo; it has no licence to ship)"


def _catalog(data) -> Catalog:
    return Catalog(items=[ItemRow(i.name, i.category, i.notice) for i in data.items],
                   categories={c.name: CategoryInfo(c.name, c.collected, c.takeaway) for c in data.categories},
                   areas=[], schedules={}, synonyms=Synonyms(read_synonyms_file(DEMO / "synonyms.csv")))


@pytest.fixture(scope="module")
def takamatsu() -> Catalog:
    """The demo city's dictionary (高松's sorting list)."""
    return _catalog(read_takamatsu(DEMO / "garbage" / "garbage_separation_list.csv",
                                   DEMO / "garbage" / "garbage_collection_date.csv"))


@pytest.fixture(scope="module")
def rumoi() -> Catalog:
    """留萌's dictionary, read in place (it is not ours to ship)."""
    if not RUMOI.is_dir():
        pytest.skip(RUMOI_ABSENT)
    return _catalog(read_5374(RUMOI))


def found(catalog: Catalog, text: str):
    """What the item intent finds for ``text``: bare item names, or ("choices", names)."""
    item, asked = item_question(text)
    result = find_item(catalog, item, asked_about_sorting=asked)
    if isinstance(result, ItemChoices):
        return ("choices", set(result.names))
    return {row.name for row in result}


class TestGeneralWords:
    @pytest.mark.parametrize("text", ["電池", "でんち", "電池は何ごみ？", "電池の捨て方", "単3電池", "アルカリ電池を捨てたい"])
    def test_a_general_word_offers_the_kinds_of_it(self, takamatsu, text):
        """電池 names several items: they are offered to choose from, the kinds of 電池 and nothing else."""
        kind, names = found(takamatsu, text)
        assert kind == "choices"
        assert {"ボタン電池", "ニカド電池", "リチウムイオン電池"} <= names
        assert all("電池" in name for name in names)

    @pytest.mark.parametrize("text", ["ふた", "フタ", "蓋", "ふたは何ごみ"])
    def test_spellings_of_one_word_offer_the_same_items(self, takamatsu, text):
        """ふた, フタ and 蓋 are one word: the same items are offered (ふた・キャップ, 風呂のふた)."""
        assert found(takamatsu, text) == ("choices", {"ふた・キャップ", "風呂のふた"})

    @pytest.mark.parametrize("text", ["びん", "瓶", "缶"])
    def test_containers_offer_the_items_they_end(self, takamatsu, text):
        """びん, 瓶 and 缶 offer the items whose name ends with them (ビールびん, スプレー缶…)."""
        kind, names = found(takamatsu, text)
        assert kind == "choices" and len(names) >= 4
        assert all(name.endswith(("びん", "瓶", "缶")) for name in names)

    def test_a_word_inside_another_word_is_not_its_head(self, takamatsu):
        """袋 offers bags (レジ袋) but not 手袋 (gloves), whose reading is not 〜ふくろ."""
        kind, names = found(takamatsu, "袋")
        assert kind == "choices" and "レジ袋" in names
        assert not any(name.startswith("手袋") for name in names)

    @pytest.mark.parametrize("text", ["棒は何ごみ", "突っ張り棒って何ごみ？"])
    def test_a_word_of_one_character_is_not_guessed_by_its_sound(self, takamatsu, text):
        """棒 (ぼう) is no 帽子 (ぼうし): a one-character word the list lacks finds nothing (a trial's 突っ張り棒 got
        the hats), while a one-character name the list has is still answered (傘)."""
        assert found(takamatsu, text) == set()
        assert found(takamatsu, "傘は何ごみ") == {"傘"}

    def test_an_exact_name_is_answered_not_offered(self, takamatsu):
        """乾電池 is an item itself: its variants are the answer, no choice is asked."""
        assert found(takamatsu, "乾電池") == {"乾電池（筒形）", "乾電池（ニカド電池）", "乾電池（ボタン電池）"}


class TestThingsInsideWords:
    @pytest.mark.parametrize(("text", "item"), [
        ("引っ越しで出たダンボール", "段ボール箱"),
        ("だんぼーる", "段ボール箱"),
        ("古いテレビ", "テレビ"),
        ("古いテレビを捨てたい", "テレビ"),
        ("壊れた傘の捨て方", "傘"),
        ("使い終わったスプレー缶は何ごみ", "スプレー缶"),
        ("子どもが使っていたアイロン", "アイロン"),
    ])
    def test_what_describes_the_thing_is_left_out(self, takamatsu, text, item):
        """Clauses and adjectives before the thing (引っ越しで出た, 古い, 壊れた) do not hide it."""
        assert {name.split("（")[0] for name in found(takamatsu, text)} == {item}

    @pytest.mark.parametrize("text", ["ペットボトルのキャップ", "ペットボトルのキャップは何ごみ？", "ペットボトルのキャップ捨てたい"])
    def test_a_of_b_is_about_b(self, takamatsu, text):
        """「AのB」 names B: ペットボトルのキャップ is a キャップ, not a ペットボトル."""
        names = found(takamatsu, text)
        assert "キャップ（プラスチック製）" in names
        assert not any(name.startswith("ペットボトル") for name in names)

    def test_a_describing_word_in_the_name_picks_the_variant(self, takamatsu):
        """「プラスチックのキャップ」 keeps only the キャップ whose name says プラスチック."""
        assert found(takamatsu, "プラスチックのキャップ") == {"キャップ（プラスチック製）"}


class TestBracketedNames:
    @pytest.mark.parametrize("text", ["電気毛布", "でんきもうふ", "電気毛布は何ごみ", "古い電気毛布を捨てたい",
                                      "でんきもうふ もえるごみでいい？"])
    def test_another_name_in_brackets_finds_its_item(self, takamatsu, text):
        """電気毛布 is written only inside 「電気カーペット（電気毛布）」's brackets: it still names that item."""
        assert found(takamatsu, text) == {"電気カーペット（電気毛布）"}

    def test_a_bracketed_name_comes_before_names_the_word_only_begins(self, takamatsu):
        """アルミ箔 is 「アルミホイル（アルミ箔）」, not 「アルミ箔なべ（鍋焼きうどん等用）」, which it only begins."""
        assert found(takamatsu, "アルミ箔は何ごみ") == {"アルミホイル（アルミ箔）"}

    def test_a_name_of_its_own_comes_before_a_bracketed_word(self, takamatsu):
        """ボタン電池 is in 乾電池's brackets and an item of its own: the item answers."""
        assert found(takamatsu, "ボタン電池") == {"ボタン電池"}


class TestNearNames:
    @pytest.mark.parametrize("text", ["蛍光灯", "けいこうとう", "蛍光灯は何ごみ", "古い蛍光灯"])
    def test_one_kanji_head_apart_is_the_same_thing(self, takamatsu, text):
        """蛍光灯 and 蛍光管 are one stem with another one-kanji head: the dictionary's 蛍光管 answers."""
        assert found(takamatsu, text) == {"蛍光管（電球型蛍光管を含む）"}


class TestScripts:
    @pytest.mark.parametrize(("text", "item"), [
        ("ケイコウトウ", "蛍光管（電球型蛍光管を含む）"),
        ("だんボール", "段ボール箱"),
        ("ダンぼーる", "段ボール箱"),
        ("おさら", "皿"),
    ])
    def test_a_word_in_another_script_is_read_whole(self, takamatsu, text, item):
        """Katakana for a kanji item, or a mix of scripts, finds the item its whole reading names."""
        assert found(takamatsu, text) == {item}

    @pytest.mark.parametrize("text", ["かん", "カン", "かんは何ごみ"])
    def test_a_kana_homophone_means_the_spelling_most_names_share(self, takamatsu, text):
        """かん offers the kinds of 缶 (eight names end with it), not 蛍光管 (管 is read かん too)."""
        assert found(takamatsu, text) == found(takamatsu, "缶")
        assert "蛍光管" not in found(takamatsu, text)[1]


class TestNearNamesLoosely:
    @pytest.mark.parametrize(("text", "item"), [
        ("お皿", "皿"), ("お茶碗", "茶碗（陶器、プラスチック製）"), ("お皿の捨て方", "皿"),
    ])
    def test_an_honorific_prefix_is_left_out(self, takamatsu, text, item):
        """お/ご before a thing's name (お皿) is courtesy, not part of the name."""
        assert found(takamatsu, text) == {item}

    @pytest.mark.parametrize(("text", "first"), [
        ("炊飯器", "炊飯ジャー"), ("電気炊飯器", "炊飯ジャー"), ("炊飯器の捨て方", "炊飯ジャー"),
        ("リチウムイオンバッテリー", "リチウムイオン電池"), ("本棚", "棚"), ("本棚捨てたい", "棚"),
    ])
    def test_a_compound_the_dictionary_lacks_is_offered_not_answered(self, takamatsu, text, first):
        """A near name is a choice to confirm, led by the items sharing the compound's specific part."""
        item, asked = item_question(text)
        result = find_item(takamatsu, item, asked_about_sorting=asked)
        assert isinstance(result, ItemChoices) and result.loose
        assert result.names[0] == first

    def test_the_specific_part_outranks_the_head(self, takamatsu):
        """リチウムイオンバッテリー offers リチウムイオン電池 before the car バッテリー it shares only a head with."""
        result = find_item(takamatsu, "リチウムイオンバッテリー", asked_about_sorting=False)
        assert list(result.names).index("リチウムイオン電池") < list(result.names).index("バッテリー")

    def test_an_exact_name_is_not_loose(self, takamatsu):
        """A word the dictionary has (ゴルフクラブ) is answered, not offered loosely."""
        assert found(takamatsu, "ゴルフクラブ") == {"ゴルフクラブ"}


class TestModifiers:
    @pytest.mark.parametrize("text", ["ペットボトルのふた", "瓶のふた", "ジャムのふたは何ごみ"])
    def test_a_modifier_drops_kinds_described_otherwise(self, takamatsu, text):
        """「AのふたB」 leaves out 風呂のふた: only the kinds named by the word alone (ふた・キャップ) are meant."""
        names = found(takamatsu, text)
        assert {name.split("（")[0] for name in names} == {"ふた・キャップ"}

    def test_a_modifier_in_a_name_still_picks_it(self, takamatsu):
        """「お風呂のふた」 is the dictionary's 風呂のふた (the honorific left out)."""
        assert found(takamatsu, "お風呂のふた") == {"風呂のふた"}


class TestManner:
    @pytest.mark.parametrize(("text", "item"), [
        ("ペットボトルのキャップは外すの？", "キャップ"),
        ("キャップってはずすの？", "キャップ"),
        ("スプレー缶は穴をあけるの？", "スプレー缶"),
        ("ダンボールはたたんだほうがいいですか", "段ボール箱"),
    ])
    def test_a_question_about_preparing_a_thing_reaches_it(self, takamatsu, text, item):
        """「Xは外すの？」 asks how to put X out: X is the item."""
        assert {name.split("（")[0] for name in found(takamatsu, text)} == {item}

    @pytest.mark.parametrize(("text", "item"), [
        ("引っ越しのダンボール大量にあるんだけどどうすればいい", "段ボール箱"),
        ("ダンボールがいっぱいあるんだけどどうしたらいい", "段ボール箱"),
        ("空き缶たくさんあるけどどうすればいい", "空き缶"),
        ("ペットボトル3本の捨て方", "ペットボトル"),
    ])
    def test_words_of_quantity_do_not_hide_the_thing(self, takamatsu, text, item):
        """大量, いっぱい, たくさん, 3本 say how many, not what."""
        assert {name.split("（")[0] for name in found(takamatsu, text)} == {item}

    @pytest.mark.parametrize(("text", "item"), [
        ("ダンボールいつ出せばええの？", "段ボール箱"),  # 出せ + ば, then 関西の「ええ」
        ("ペットボトルのキャップ外さなきゃだめ？", "キャップ"),  # preparing it, spoken without は
        ("電子レンジ何ごみさ", "電子レンジ"),  # 北海道の「さ」
        ("古い傘って何ごみになるんかな", "傘"),
        ("草刈りした草ってもやせるごみでいい？", "枯れ草"),  # a category in kana beginning with も
    ])
    def test_questions_as_residents_end_them_reach_the_thing(self, takamatsu, text, item):
        """Endings a trial's residents wrote (each was a 「もしかして」 list or a fallback) still ask about the thing."""
        assert item in {name.split("（")[0] for name in found(takamatsu, text)}

    def test_this_in_a_later_clause_is_the_thing_of_the_clause_before(self, takamatsu):
        """「電子レンジ壊れたっしょ、これ何ごみさ」: これ is the 電子レンジ of the clause before."""
        assert found(takamatsu, "電子レンジ壊れたっしょ、これ何ごみさ") == {"電子レンジ"}

    @pytest.mark.parametrize("text", ["住民票とるにはどうしたらいいですか", "休み取るのは大変？", "車洗うのだめ？"])
    def test_a_thing_before_a_verb_is_no_question_about_preparing_it_unless_it_asks_if_it_must(self, text):
        """Without a particle, the thing before 取る or 洗う is asked about only when the question is whether it must
        be done (外さなきゃだめ): 「休み取るのは大変？」 once got 炭, 「車洗うのだめ？」 一輪車."""
        assert item_question(text)[1] is False

    def test_this_after_a_clause_that_says_nothing_is_done_with_names_no_thing(self):
        """「写真送ります。これは何ごみですか」: これ is in the picture, not the 写真 (once 「写真は【燃やせるごみ】」)."""
        assert item_question("写真送ります。これは何ごみですか") == ("", True)

    def test_a_one_character_thing_opening_a_sentence_still_names_its_kinds(self, takamatsu):
        """「缶がたくさんたまったけど、どうすれば」: 缶 names several items, offered to choose from."""
        assert found(takamatsu, "缶がたくさんたまったけど、どうすれば")[0] == "choices"

    @pytest.mark.parametrize("text", ["犬が死んでしまったのですが、どうすれば", "猫が死んだんだけどどうしたらいい"])
    def test_a_one_character_thing_opening_a_sentence_begins_no_name(self, takamatsu, text):
        """「犬が死んでしまったのですが、どうすれば」 (once 「犬小屋（解体済）は【破砕ごみ】です」 to a grieving owner):
        a sentence may be about something else than throwing its first thing away, and 犬 only begins 犬小屋."""
        assert found(takamatsu, text) == set()

    @pytest.mark.parametrize("text", ["自転車は駐輪場に止められるの？", "母子手帳はどこでもらえるの？", "保育園は何時まで？"])
    def test_other_questions_about_a_topic_are_not_items(self, takamatsu, text):
        """A question about a thing that is not about preparing it is left to the FAQ."""
        assert item_question(text)[1] is False


class TestNotItems:
    @pytest.mark.parametrize("text", ["ごみ", "粗大ごみ", "燃えるごみ", "ゴミ", "ごみ袋"])
    def test_kinds_of_garbage_are_not_items(self, takamatsu, text):
        """Words that end several category names (ごみ) name no thing; the FAQ or the calendar answers."""
        assert found(takamatsu, text) == set()

    @pytest.mark.parametrize("text", ["ボタン電池を飲み込んだ", "ひっこしてきた", "ﾏｲﾅﾝﾊﾞｰｶｰﾄﾞなくした", "出生届 ひつようなもの",
                                      "近くのラーメン屋", "子どもの保育園の申し込み", "住民票"])
    def test_questions_that_name_no_item_are_left_alone(self, takamatsu, text):
        """A text ending with a verb, a light noun (もの) or a thing the dictionary lacks is not an item."""
        assert found(takamatsu, text) == set()


class TestRumoi:
    def test_a_general_word_that_is_an_item_is_answered(self, rumoi):
        """留萌 lists 電池 itself: the item answers."""
        assert found(rumoi, "電池") == {"電池"}

    def test_a_thing_inside_a_description(self, rumoi):
        """「古いテレビを捨てたい」 finds 留萌's テレビ（ブラウン管、液晶、プラズマ）."""
        assert {name.split("（")[0] for name in found(rumoi, "古いテレビを捨てたい")} == {"テレビ"}

    def test_a_general_word_offers_the_kinds_of_it(self, rumoi):
        """缶 offers the 留萌 items that are kinds of 缶 (アルミ缶, スチール缶…)."""
        kind, names = found(rumoi, "缶")
        assert kind == "choices" and {"アルミ缶", "スチール缶"} <= names

    @pytest.mark.parametrize("text", ["ごみ", "粗大ごみ"])
    def test_kinds_of_garbage_are_not_items(self, rumoi, text):
        """留萌's category names make ごみ a kind of garbage too."""
        assert found(rumoi, text) == set()


def test_kinds_of_garbage_come_from_the_category_names():
    """A word is a kind of garbage when it ends two category names or more; names of symbols only are skipped."""
    names = ItemNames(["生ごみ", "電池"], ["燃えるごみ", "燃えないごみ", "電池類", "・"])
    assert names.generic == {"ごみ"}
    assert names.exact("でんち") == "電池"


class TestStrict:
    @pytest.mark.parametrize("text", ["炊飯器", "本棚", "休み", "運動会"])
    def test_strict_finds_no_guess(self, takamatsu, text):
        """Strict stops before the guesses: a compound the dictionary lacks (炊飯器) or a word that is no thing's
        name (休み, 運動会) finds nothing."""
        assert find_item(takamatsu, text, asked_about_sorting=True, strict=True) == []

    @pytest.mark.parametrize("text", ["注射", "薬", "歯", "電気", "ペット", "段ボール", "お薬"])
    def test_strict_takes_no_head_and_no_name_the_word_begins(self, takamatsu, text):
        """注射 (注射器・注射針), 薬 (湿布薬), 電気 (電気ストーブ…), ペット (ペットの砂): a word heading or beginning
        a name is a guess when nothing says garbage is meant."""
        assert find_item(takamatsu, text, asked_about_sorting=True, strict=True) == []

    @pytest.mark.parametrize(("text", "expected"), [("新聞", {"新聞"}), ("ざっし", {"雑誌"})])
    def test_strict_finds_what_the_text_names(self, takamatsu, text, expected):
        """A name, an alias, a reading or the dictionary's spelling of kana is found strictly too."""
        assert {row.name for row in find_item(takamatsu, text, asked_about_sorting=True, strict=True)} == expected

    def test_strict_still_offers_the_kinds_of_a_general_word(self, takamatsu):
        """電池 names several items for sure: they are offered, not as a loose guess."""
        result = find_item(takamatsu, "電池", asked_about_sorting=True, strict=True)
        assert isinstance(result, ItemChoices) and not result.loose


class TestListed:
    @pytest.mark.parametrize(("text", "expected"), [("テレビと冷蔵庫", {"テレビ", "冷蔵庫"}),
                                                  ("段ボールや新聞", {"段ボール箱", "新聞"}),
                                                  ("フライパン、新聞とか雑誌", {"フライパン", "新聞", "雑誌"})])
    def test_each_thing_of_a_list_is_found(self, takamatsu, text, expected):
        """「テレビと冷蔵庫」 lists two things (と, や, とか, 、): the rows of each."""
        assert {row.name for row in find_listed(takamatsu, text, asked_about_sorting=True)} == expected

    def test_a_general_word_in_a_list_offers_its_kinds_beside_the_others(self, takamatsu):
        """「電池と蛍光灯」: 電池 names several items, so every item is offered, 蛍光灯's among them."""
        result = find_listed(takamatsu, "電池と蛍光灯", asked_about_sorting=True)
        assert isinstance(result, ItemChoices)
        assert {"乾電池", "ボタン電池"} <= set(result.names) and any("蛍光管" in name for name in result.names)

    @pytest.mark.parametrize("text", ["フライパンと鍋", "フライパン", "子どもと遊べる公園"])
    def test_a_list_with_a_thing_not_found_or_a_single_thing_is_none(self, takamatsu, text):
        """One thing alone, or a list with a thing the dictionary lacks (鍋), is looked up whole instead."""
        assert find_listed(takamatsu, text, asked_about_sorting=True) is None


class TestCategoriesNamed:
    @pytest.mark.parametrize("text", ["缶の日はいつ", "かんの日はいつ", "カンはいつ", "瓶の日", "ペットボトルはいつ"])
    def test_a_word_that_is_a_part_of_a_name_names_the_category(self, takamatsu, text):
        """缶, かん, カン, 瓶 (read びん), ペットボトル: each a whole word and a part of 缶・びん・ペットボトル."""
        assert categories_in_text(takamatsu, text) == ["缶・びん・ペットボトル"]

    @pytest.mark.parametrize("text", ["はさいごみ次いつ", "ハサイゴミの日", "はさいごみはいつ？"])
    def test_a_category_typed_in_kana_names_it(self, takamatsu, text):
        """「はさいごみ」 is 破砕ごみ as it is read: that category alone, not every one."""
        assert categories_in_text(takamatsu, text) == ["破砕ごみ"]

    def test_a_part_read_inside_a_longer_word_names_no_category(self, takamatsu):
        """The かん of 図書館 is no word of its own: 「図書館の近くのごみの日はいつ」 names no category."""
        assert categories_in_text(takamatsu, "図書館の近くのごみの日はいつ") == []

    def test_a_long_name_written_with_one_character_more_names_the_category(self, takamatsu):
        """「プラスチック製容器包装」, the national name, is the demo's プラスチック容器包装 with 製 between."""
        assert categories_in_text(takamatsu, "プラスチック製容器包装は何曜日に出しますか") == ["プラスチック容器包装"]

    def test_a_name_differing_by_a_character_is_another_category(self, takamatsu):
        """燃やせないごみ holds no 燃やせるごみ with one character more: it is never that category."""
        assert "燃やせるごみ" not in categories_in_text(takamatsu, "燃やせないごみの日はいつ")
