"""Decoding a city's file: UTF-8, cp932 and EUC-JP told apart on real Japanese text, or a clear refusal."""

from __future__ import annotations

from pathlib import Path

import pytest

from importing.errors import FileRowError
from importing.errors import ImportFailed
from importing.messages import Problem
from importing.text import cell_problems
from importing.text import decode_text
from importing.text import text_problem

ROOT = Path(__file__).resolve().parents[2]
# The demo pack's FAQ (汎用FAQ, CC BY 4.0) and 高松's sorting list: real municipal Japanese, in the repository.
DEMO_TEXT = (ROOT / "packs" / "demo" / "faq.csv").read_text(encoding="utf-8") + (
    ROOT / "packs" / "demo" / "garbage" / "garbage_separation_list.csv").read_text(encoding="utf-8")
FAQ_ROWS = (
    "id,question,answer\n"
    "1,粗大ごみの申込方法を教えてください。,粗大ごみ受付センターへ電話で申し込んでください。\n"
    "2,住民票の写しがほしい,市民課の窓口で請求できます。本人確認書類をお持ちください。\n"
)
SNIPPET_LENGTHS = (1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 100, 400)


def refusal(data: bytes, file: str = "faq.csv") -> FileRowError:
    """The one file-level error a refused file gives."""
    with pytest.raises(ImportFailed) as caught:
        decode_text(data, file)
    [error] = caught.value.errors
    assert isinstance(error, FileRowError) and error.row == 0 and error.file == file
    return error


def snippets(length: int) -> list[str]:
    """Pieces of the demo text of one length, from about 300 places, each encodable in cp932 and EUC-JP."""
    step = max(1, len(DEMO_TEXT) // 300)
    found = []
    for start in range(0, len(DEMO_TEXT) - length, step):
        piece = DEMO_TEXT[start : start + length]
        try:
            piece.encode("cp932"), piece.encode("euc_jp")
        except UnicodeEncodeError:
            continue
        found.append(piece)
    return found


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932", "euc_jp", "utf-16"])
def test_a_faq_file_reads_back_in_each_encoding(encoding):
    """Two FAQ rows saved as UTF-8, UTF-8 with BOM, cp932, EUC-JP or UTF-16 with BOM decode to the same text."""
    assert decode_text(FAQ_ROWS.encode(encoding)) == FAQ_ROWS


def test_euc_jp_is_not_read_as_cp932_mojibake():
    """EUC-JP bytes that are also valid cp932 decode as EUC-JP, not as half-width katakana mojibake."""
    text = ("id,question,answer\n"
            "1,妊婦健診受診票はかもめ市外で使えますか？,使えません。\n"
            "2,乳房ケア助成の使い方を教えてください。,受診票を病院に出してください。\n")
    data = text.encode("euc_jp")
    assert data.decode("cp932").startswith("id,question,answer\n1,ﾇ･ﾉﾘｷ")  # the trap: cp932 reads it too
    assert decode_text(data) == text


def test_a_short_euc_jp_file_with_kana_is_read():
    """One short EUC-JP row with kana (「ごみの日はいつ？」) is enough to tell the encoding."""
    text = "id,question,answer\n1,ごみの日は？,月曜日です。\n"
    assert decode_text(text.encode("euc_jp")) == text


def test_halfwidth_katakana_in_cp932_is_read_as_cp932():
    """A cp932 file of half-width katakana reads as cp932."""
    text = "type,name\nｿﾀﾞｲｺﾞﾐ,ﾃﾚﾋﾞ\nｿﾀﾞｲｺﾞﾐ,ｴｱｺﾝ\nﾓﾔｾﾙｺﾞﾐ,ﾅﾏｺﾞﾐ\n"
    assert decode_text(text.encode("cp932")) == text


def test_halfwidth_katakana_that_reads_as_rare_euc_kanji_is_cp932():
    """Half-width katakana whose bytes read in EUC-JP as rare kanji (「五朧勿」) is taken as cp932."""
    text = "name\nｸﾞﾛｰﾌﾞ\nｵｰﾌﾞﾝﾄｰｽﾀｰ･ｵｰﾌﾞﾝﾚﾝｼﾞ\n"
    assert text.encode("cp932").decode("euc_jp") == "name\n五朧勿\n軌勿歡綾整サ位渺旱灼\n"
    assert decode_text(text.encode("cp932")) == text


def test_halfwidth_katakana_that_reads_as_common_euc_kanji_is_refused():
    """「ﾃﾚﾋﾞ,ｶﾞｽｺﾝﾛ」 in cp932 is also 「馳凡,衿什毟」 in EUC-JP: refused, never guessed."""
    data = "type,name\nﾃﾚﾋﾞ,ｶﾞｽｺﾝﾛ\n".encode("cp932")
    assert data.decode("euc_jp") == "type,name\n馳凡,衿什毟\n"
    assert refusal(data).code == "text.ambiguous"


def test_kanji_only_euc_jp_too_short_to_tell_is_refused():
    """「住民票,市民課」 in EUC-JP is also clean half-width katakana in cp932: refused, never guessed."""
    error = refusal("id,question,answer\n1,住民票,市民課\n".encode("euc_jp"))
    assert error.code == "text.ambiguous"
    assert error.message.startswith("文字コード（UTF-8、Shift_JIS、EUC-JP）を見分けられません。")
    assert "「CSV UTF-8（コンマ区切り）」の形式で保存し直して" in error.message


def test_two_euc_jp_kanji_that_are_valid_utf8_are_refused():
    """「法律」 in EUC-JP is also valid UTF-8 (「ˡΧ」): refused rather than read as either."""
    assert "法律".encode("euc_jp").decode("utf-8") == "ˡΧ"
    assert refusal("法律".encode("euc_jp")).code == "text.ambiguous"


@pytest.mark.parametrize("encoding", ["cp932", "euc_jp"])
@pytest.mark.parametrize("length", SNIPPET_LENGTHS)
def test_real_text_reads_back_or_is_refused_never_mojibake(encoding, length):
    """Every piece of the demo's Japanese, in either encoding and at any length, reads back exactly or is refused."""
    wrong = []
    for piece in snippets(length):
        try:
            decoded = decode_text(piece.encode(encoding))
        except ImportFailed:
            continue
        if decoded != piece:
            wrong.append((piece, decoded))
    assert wrong == []


@pytest.mark.parametrize("encoding", ["cp932", "euc_jp"])
def test_real_text_of_a_hundred_characters_is_always_read(encoding):
    """Pieces of 100 characters of real Japanese are never refused, in cp932 or EUC-JP."""
    pieces = snippets(100)
    assert len(pieces) > 200
    assert all(decode_text(piece.encode(encoding)) == piece for piece in pieces)


def test_cp932_with_nec_and_ibm_characters_is_read():
    """cp932's own characters (①, 髙) decode: Excel writes them."""
    text = "id,question,answer\n1,①番の窓口,髙橋さんへ\n"
    assert decode_text(text.encode("cp932")) == text


@pytest.mark.parametrize("stray", [b"\xfd", b"\xfe", b"\xff", b"\x80", b"\xa0"])
def test_stray_byte_in_shift_jis_is_an_invalid_byte_on_its_line(stray):
    """A byte that is no Shift_JIS character (0x80, 0xA0, 0xFD–0xFF) is refused on its line, not read as U+F8F1."""
    data = "id,question,answer\r\n1,住民票,市民課です。\r\n".encode("cp932") + b"2,ABC" + stray + b",x\r\n"
    error = refusal(data)
    assert error.problem == Problem("text.unknown_encoding", line=3, byte=stray.hex().upper())
    assert error.message.startswith(f"3行目のバイト 0x{stray.hex().upper()} が読めません。")


def test_damaged_utf8_is_refused_as_damaged_utf8():
    """A UTF-8 file with one broken byte is refused as damaged UTF-8, not read as cp932."""
    data = FAQ_ROWS.encode("utf-8")
    damaged = data[:60] + b"\xff" + data[61:]
    error = refusal(damaged)
    assert error.problem == Problem("text.utf8_damaged", line=2, byte="FF")
    assert "UTF-8 のファイルですが、一部が壊れています" in error.message


def test_an_xlsx_named_csv_is_refused_as_a_workbook():
    """A zip file (an .xlsx saved as .csv) is refused as not text."""
    error = refusal(b"PK\x03\x04\x14\x00\x06\x00")
    assert error.code == "text.zip"
    assert error.message.startswith("ZIPファイルで、テキストではありません")


def test_nul_bytes_are_refused():
    """UTF-16 without a BOM (NUL bytes) is refused, naming the line."""
    error = refusal("id,question".encode("utf-16-le"))
    assert error.problem == Problem("text.nul_byte", line=1)
    assert error.message.startswith("1行目にNULバイトがあり")


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("ごみ\ue000の日", Problem("text.private_use", place="B列", position=3, codepoint="E000")),
        ("外字\U000f0001", Problem("text.private_use", place="B列", position=3, codepoint="F0001")),
        ("ベル\x07", Problem("text.control", place="B列", position=3, codepoint="0007")),
        ("改\x85行", Problem("text.control", place="B列", position=2, codepoint="0085")),
        ("壊れ\ufffd", Problem("text.replacement", place="B列", position=3)),
        ("一行目\n二行目", Problem("text.line_break", place="B列", position=4)),
        ("列\t区切り", Problem("text.tab", place="B列", position=2)),
    ],
)
def test_characters_an_import_refuses(value, problem):
    """Private-use, control and replacement characters are refused; line breaks and tabs in one-line text too."""
    assert text_problem(value, place="B列") == problem


def test_refused_characters_are_named_in_japanese():
    """The text says where, which character and what to do."""
    assert text_problem("ごみ\ue000の日", place="C列（answer）").text == (
        "C列（answer）の3文字目に外字（U+E000）があります。住民のスマートフォンでは表示できないので、"
        "ふつうの文字に直してください。")
    assert text_problem("一行目\n二行目", place="B列（question）").text == (
        "B列（question）の4文字目に改行があります。この列では改行できません。")


def test_line_breaks_and_tabs_are_allowed_in_multiline_text():
    """An answer may span lines and hold tabs (CRLF included)."""
    assert text_problem("一行目\r\n二行目\tです", place="C列", multiline=True) is None


def test_cell_problems_name_the_column_by_letter_and_header():
    """A bad cell is named by its spreadsheet column and header name; a multi-line column may hold line breaks."""
    problems = cell_problems(["1", "質問\n続き", "回答\n続き", "\ue001"], ["id", "question", "answer"], {"answer"})
    assert problems == [
        Problem("text.line_break", place="B列（question）", position=3),
        Problem("text.private_use", place="D列", position=1, codepoint="E001"),
    ]
