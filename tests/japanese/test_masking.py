"""Masking finds contact details in every form residents type them and leaves the rest of the question alone."""

from __future__ import annotations

import pytest

from japanese.masking import EMAIL
from japanese.masking import PHONE
from japanese.masking import POSTAL
from japanese.masking import STREET
from japanese.masking import mask
from japanese.normalize import normalize


class TestPhoneNumbers:
    @pytest.mark.parametrize(("text", "expected"), [
        ("電話は090-1234-5678です", f"電話は{PHONE}です"),
        ("携帯09012345678に", f"携帯{PHONE}に"),
        ("０９０－１２３４－５６７８に電話ください", f"{PHONE}に電話ください"),
        ("090ー1234ー5678", PHONE),
        ("080 1234 5678 まで", f"{PHONE} まで"),
        ("0120-123-456まで", f"{PHONE}まで"),
        ("0570-000-123", PHONE),
        ("050-1234-5678", PHONE),
        ("+81-90-1234-5678", PHONE),
        ("+81 3 1234 5678", PHONE),
        ("＋８１９０１２３４５６７８", PHONE),
        ("(03)1234-5678", PHONE),
        ("03(1234)5678", PHONE),
        ("０１６６－１２－３４５６", PHONE),
        ("011-123-4567に折り返し", f"{PHONE}に折り返し"),
    ])
    def test_japanese_forms_are_masked(self, text, expected):
        """Mobile, landline, toll-free, IP, international, full-width and long-vowel-dash forms are masked."""
        assert mask(text) == expected

    @pytest.mark.parametrize("text", ["受付番号12345678です", "2026-12-03", "20261203", "1,000,000円",
                                      "マイナンバーは12桁"])
    def test_other_long_numbers_are_not_phone_numbers(self, text):
        """Numbers not written as a Japanese phone number (dates, amounts, reference numbers) stay."""
        assert PHONE not in mask(text)


class TestEmail:
    @pytest.mark.parametrize("text", ["taro.yamada@example.co.jp に送って", "ｔａｒｏ＠ｅｘａｍｐｌｅ．ｃｏｍ",
                                      "メールはhanako+city@mail.example.comです"])
    def test_addresses_are_masked(self, text):
        """ASCII and full-width addresses, with dots and plus signs, are masked whole."""
        masked = mask(text)
        assert EMAIL in masked
        assert "@" not in masked and "example" not in masked

    def test_an_at_sign_alone_is_kept(self):
        """An @ that is not part of an address stays."""
        assert mask("@マークの入力方法") == "@マークの入力方法"


class TestPostalCodes:
    @pytest.mark.parametrize(("text", "expected"), [
        ("〒123-4567", POSTAL),
        ("〒１２３－４５６７ 本町", f"{POSTAL} 本町"),
        ("〒1234567", POSTAL),
        ("郵便番号1234567です", f"{POSTAL}です"),
        ("郵便番号は123-4567", POSTAL),
        ("住所は123-4567の", f"住所は{POSTAL}の"),
    ])
    def test_postal_codes_are_masked(self, text, expected):
        """〒 and 郵便番号 forms, and 3-4 digit codes on their own, are masked."""
        assert mask(text) == expected

    @pytest.mark.parametrize("text", ["1234567", "100-1000円", "受付は1234567番"])
    def test_seven_digits_without_a_postal_sign_stay(self, text):
        """Seven digits without 〒 or 郵便番号, and ranges of amounts, are not postal codes."""
        assert mask(text) == text


class TestStreetNumbers:
    @pytest.mark.parametrize(("text", "expected"), [
        ("本町1丁目2番3号", f"本町{STREET}"),
        ("本町１丁目２番３号の近く", f"本町{STREET}の近く"),
        ("旭町1丁目12番地5", f"旭町{STREET}"),
        ("1丁目2-3", STREET),
        ("三丁目二番地の公園", f"{STREET}の公園"),
        ("二十三番地", STREET),
        ("2番地の3", STREET),
        ("12番3号", STREET),
        ("本町1-2-3に住んでます", f"本町{STREET}に住んでます"),
        ("本町１－２－３", f"本町{STREET}"),
        ("本町2の3", f"本町{STREET}"),
        ("本町2-3", f"本町{STREET}"),
        ("本町2-3-4-101", f"本町{STREET}"),
        ("101号室", STREET),
    ])
    def test_street_numbers_are_masked(self, text, expected):
        """丁目・番地・番・号, hyphenated and の forms, with kanji or full-width numerals, are masked."""
        assert mask(text) == expected

    @pytest.mark.parametrize("text", [
        "12月3日に行けますか", "令和8年12月3日", "2026-12-03", "2026/12/3", "10:00-12:00", "9時-17時",
        "3000円", "65歳になりました", "子ども3人", "2-3日かかる", "1-2歳の子", "小学1-2年", "第1-2回",
        "一番近い避難所", "台風10号", "3の倍数", "3階の窓口",
    ])
    def test_dates_times_amounts_ages_and_counts_stay(self, text):
        """Dates, times, amounts, ages, ranges and counts are not street numbers."""
        assert mask(text) == text


def test_the_rest_of_the_question_stays_useful():
    """A question with contact details keeps its words, so staff can still see what was asked."""
    masked = mask("本町1丁目2番3号に住んでいます。粗大ごみの回収を12月3日に頼みたいので090-1234-5678に電話ください")
    assert masked == f"本町{STREET}に住んでいます。粗大ごみの回収を12月3日に頼みたいので{PHONE}に電話ください"


@pytest.mark.parametrize("placeholder", [PHONE, EMAIL, POSTAL, STREET])
def test_placeholders_survive_normalising(placeholder):
    """The normaliser keeps the placeholder's brackets, so a stored key shows where something was masked."""
    assert normalize(placeholder).startswith("〔") and normalize(placeholder).endswith("〕")


def test_text_without_contact_details_is_returned_unchanged():
    """A text with nothing to mask comes back as it was, not even NFKC-normalised."""
    assert mask("ペットボトルは何ごみ？") == "ペットボトルは何ごみ？"
