"""Matching a health phrase whatever the spelling: script, width, inflection, politeness, words between."""

import pytest

from healthdesk import matching
from healthdesk.data import defaults
from healthdesk.matching import found
from healthdesk.matching import phrase
from healthdesk.matching import readings
from healthdesk.matching import spell


def matches(phrase_text: str, message: str) -> bool:
    return found(phrase(phrase_text), spell(message))


@pytest.mark.parametrize("message", ["胸が痛い", "むねがいたい", "ムネガイタイ", "ﾑﾈｶﾞｲﾀｲ", "胸がすごく痛いです",
                                     "むねがいたくてたまらん", "痛いの、胸が"])
def test_a_kanji_phrase_finds_every_spelling_and_words_between(message):
    """胸 痛い finds kana, katakana, half-width, politeness, inflection and words in between."""
    assert matches("胸 痛い", message)


@pytest.mark.parametrize("message", ["息ができない", "いきができない", "息ができません", "息ができんのよ", "息もできない"])
def test_negation_is_one_ending_whatever_its_form(message):
    """ない, ません and the dialect ん all read as ない."""
    assert matches("息 できない", message)


def test_a_kana_phrase_finds_the_kanji_spelling():
    """A phrase written in kana finds the kanji word (reading compared)."""
    assert matches("けいれん", "痙攣している")


def test_kana_that_sudachi_splits_is_still_found():
    """ひきつけ in kana (split by Sudachi into ひき + つけ) is found by the phrase in kanji."""
    assert matches("引きつけ", "子供がひきつけをおこした")


@pytest.mark.parametrize(("phrase_text", "message"), [("咳", "窓口の席"), ("熱", "断熱リフォームの補助"),
                                                      ("幼児", "救急医療情報"), ("胸 うい", "ウイルスについて")])
def test_other_words_with_the_same_sound_do_not_match(phrase_text, message):
    """Two kanji words with one reading differ; a word is never found inside another word."""
    assert not matches(phrase_text, message)


@pytest.mark.parametrize("message", ["インフルエンザの注射はただでうてるんか", "頭をうった"])
def test_a_verb_typed_in_one_of_its_forms_is_no_kanji_noun_with_its_sound(message):
    """うてる and うっ are forms of 打つ (うつ): not 鬱, which sounds like its dictionary form."""
    assert not matches("鬱", message)


@pytest.mark.parametrize("message", ["最近うつっぽい", "うつかもしれない"])
def test_kana_typed_as_a_dictionary_form_may_still_be_the_kanji_noun(message):
    """うつ as typed may be 鬱 as well as 打つ: the mood word is still found."""
    assert matches("鬱", message)


def test_a_kanji_verb_finds_its_forms_typed_in_kana():
    """頭 打つ finds 「頭をうった」: the verb's forms still read as the verb."""
    assert matches("頭 打つ", "頭をうった")


@pytest.mark.parametrize(("phrase_text", "message"), [("咳", "こせきとほん ほしい"), ("咳", "こせきの写し")])
def test_kana_glued_to_a_prefix_is_not_read_as_a_word_of_its_own(phrase_text, message):
    """こせき (戸籍 typed in kana) reads こ + せき: the せき is part of one unknown word, not 咳."""
    assert not matches(phrase_text, message)


@pytest.mark.parametrize(("phrase_text", "message"), [("お腹 痛い", "おなかがいたい"), ("ご飯 食べる", "ごはんがたべられない")])
def test_an_honorific_prefix_leaves_the_word_after_it_whole(phrase_text, message):
    """お and ご are honorifics, not parts of an unknown word: おなか is still found."""
    assert matches(phrase_text, message)


def test_words_far_apart_do_not_make_a_phrase():
    """The parts of a phrase must be near each other."""
    assert not matches("胸 痛い", "胸部の検診を受けたいのですが、予約の方法と持ち物と料金と場所を教えてください。足が痛い")


def test_a_phrase_with_nothing_to_look_for_is_refused():
    """A phrase of particles only cannot be matched and says so."""
    with pytest.raises(ValueError):
        phrase("、")


def test_a_word_with_a_minus_rules_the_phrase_out():
    """「倒れる -木」 finds a person who fell, not a tree that fell."""
    assert matches("倒れる -木", "父が倒れた")
    assert not matches("倒れる -木", "木が倒れてる")


def test_one_wrong_kana_letter_in_a_long_word_after_the_first_is_forgiven():
    """いきがくるすい is 息 苦しい typed with one wrong letter; a short first word must be right."""
    assert matches("息 苦しい", "いきがくるすい")
    assert not matches("息 苦しい", "いけがくるしい")


@pytest.mark.parametrize(("phrase_text", "message"), [("風邪", "せんぷうきの処分方法"), ("風邪", "せんぷうき")])
def test_kana_read_as_a_word_with_another_sound_keeps_its_own_sound(phrase_text, message):
    """せんぷうき is split せん + ぷう (風) + き: the ぷう still reads ぷう, never かぜ (風邪)."""
    assert not matches(phrase_text, message)


@pytest.mark.parametrize(("phrase_text", "message"), [("鼻水", "はなみずきの剪定"), ("やけど", "ひやけどめの捨て方"),
                                                      ("はいた", "はいたてのくつ")])
def test_a_reading_is_never_found_inside_another_kana_word(phrase_text, message):
    """はなみずき holds はなみず, ひやけどめ holds やけど, but neither is that word."""
    assert not matches(phrase_text, message)


@pytest.mark.parametrize("message", ["ゼーゼーして苦しそう", "ぜーぜーいってくるしい", "ゼーゼー、くるしい"])
def test_a_part_spelled_in_kana_and_a_part_read_as_a_word_make_one_phrase(message):
    """ぜーぜー reads ぜー + ぜー on its own but ぜいぜい in a message; 苦しい is found as a word next to it."""
    assert matches("ぜーぜー 苦しい", message)


@pytest.mark.parametrize("message", ["苦しそう", "くるしそうや", "苦しげにしている", "苦しいみたい", "苦しいっぽい",
                                     "苦しいらしい", "苦しいようです"])
def test_how_someone_else_seems_reads_as_garu(message):
    """苦しそう, 苦しげ, 苦しいみたい… say what 苦しがる says: another person seems to suffer."""
    assert matches("苦しがる", message)


@pytest.mark.parametrize("message", ["やけどしました。腕全体がひどいです", "やけどをしてしまいました。ひどいです"])
def test_particles_and_polite_endings_do_not_push_words_apart(message):
    """Two sentences with polite endings between the words are still one phrase: only words count."""
    assert matches("ひどい やけど", message)


def test_an_adjective_in_another_form_is_found_however_sudachi_split_it():
    """くるしそうや after して reads 来る + し + そう: the plain reading still holds くるし + そう."""
    assert matches("ひゅーひゅー 苦しい", "ひゅーひゅーしてくるしそうや")


def test_words_of_one_part_are_not_spread_over_a_long_sentence():
    """いなくなる たい: 成る, 居る, ない and たい scattered over a polite request are not the phrase."""
    assert not matches("いなくなる たい", "お世話になっております。カードを作りたいと思っているのですが、"
                                       "申請の仕方を教えていただけないでしょうか。")
    assert matches("いなくなる たい", "もういなくなりたい")


@pytest.mark.parametrize("message", [
    "父が倒れて意識がありません", "いきができない", "むねがくるしぃ", "頭がいたい", "子供が熱を出して苦しそう",
    "やけどした", "ひやけどめ", "ぜーぜーして苦しい", "死にたい", "救急車よんだほうがいいですか？", "住民票ほしい",
    "おなかがいたくてたまらん", "顔の片側が動かない", "赤ちゃんがぐったりしてる", "ハチに刺されてじんましん",
    "アナフィラキシーかも",
])
def test_a_phrase_list_finds_the_first_phrase_whose_first_word_or_part_the_message_holds(message):
    """The index finds, in the city's order, the first phrase that starts with a word of the message (or whose
    first part is in its plain reading) and is found in it."""
    message_readings = readings(message)

    def may_start(item):
        firsts = [key for token in (item.tokens[0], item.spelled[0]) for key in matching._keys(token)]
        plain = all(len(part) >= matching.MIN_PLAIN_PART for part in item.parts)
        return any(any(key in reading.keys for key in firsts) or plain and item.parts[0] in reading.plain
                   for reading in message_readings)

    desk = defaults()
    for phrases in [*(family.phrases for family in desk.red_flags), *desk.words.values()]:
        expected = next((item for item in phrases.phrases
                         if may_start(item) and any(found(item, reading) for reading in message_readings)), None)
        assert phrases.first_found(message_readings) == expected


def test_a_message_sudachi_reads_the_same_both_ways_is_read_once():
    """「住民票を取りに行きたいです」 reads into the same words with a break after 住民票: one reading, not two."""
    assert len(readings("住民票を取りに行きたいです")) == 1


@pytest.mark.parametrize("message", ["頭がいたい", "むねがくるしぃ"])
def test_a_message_the_second_reading_reads_otherwise_is_read_twice(message):
    """頭がいたい (頭蓋 + たい as typed) and くるしぃ (a small vowel) keep their second reading."""
    first, second = readings(message)
    assert first.tokens != second.tokens
