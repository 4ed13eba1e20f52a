import json
from pathlib import Path

import pytest
from openpyxl import Workbook

from faq.importers import FaqRecord
from faq.importers import read_faq_file
from faq.importers import read_synonyms_file
from importing.errors import MAX_ERRORS_SHOWN
from importing.errors import RECORD
from importing.errors import ImportFailed
from importing.errors import RowError
from importing.messages import Problem

KOSODATE = Path(__file__).resolve().parents[3] / "shared" / "data" / "kosodate-faq"
HEADER = "id,category,question,answer,aliases,url,department,phone"


def write(tmp_path: Path, text: str, *, name: str = "faq.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def errors_of(path: Path) -> list[RowError]:
    with pytest.raises(ImportFailed) as caught:
        read_faq_file(path)
    return caught.value.errors


def real_file(name: str) -> Path:
    path = KOSODATE / name
    if not path.exists():
        pytest.skip(f"{path} is not here (the shared 汎用FAQ data lives next to the repository)")
    return path


def test_reads_utf8_csv(tmp_path):
    """A plain UTF-8 CSV with the full header becomes one record per row."""
    path = write(
        tmp_path,
        f"{HEADER}\n"
        "101,住民票・戸籍,住民票の写しがほしい,市民課の窓口で請求できます。,住民票ほしい,"
        "https://www.city.kamome.example/kurashi/,市民課,0123-45-6789\n",
    )

    assert read_faq_file(path) == [
        FaqRecord(
            faq_id="101",
            question="住民票の写しがほしい",
            answer="市民課の窓口で請求できます。",
            category="住民票・戸籍",
            aliases=("住民票ほしい",),
            url="https://www.city.kamome.example/kurashi/",
            department="市民課",
            phone="0123-45-6789",
        )
    ]


def test_reads_utf8_with_bom(tmp_path):
    """A byte-order mark before the header, as Excel's 'CSV UTF-8' writes it, is ignored."""
    path = write(tmp_path, "\ufeffid,question,answer\r\n1,粗大ごみの出し方,申し込みが必要です。\r\n")

    [record] = read_faq_file(path)

    assert (record.faq_id, record.question) == ("1", "粗大ごみの出し方")


def test_reads_cp932_with_crlf(tmp_path):
    """A Shift_JIS (cp932) file with CRLF line ends, as Excel saves 'CSV (コンマ区切り)', is decoded."""
    text = "id,question,answer\r\n1,①番の窓口はどこ？,本庁舎１階です。髙橋さんへ\r\n"
    path = write(tmp_path, text, encoding="cp932")

    [record] = read_faq_file(path)

    assert record.question == "①番の窓口はどこ？"
    assert record.answer == "本庁舎１階です。髙橋さんへ"


def test_header_is_trimmed_case_insensitive_and_in_any_order(tmp_path):
    """Header names may carry spaces and capitals and come in any order."""
    path = write(tmp_path, " Answer , ID ,QUESTION\nこたえ,7,しつもん\n")

    [record] = read_faq_file(path)

    assert (record.faq_id, record.question, record.answer) == ("7", "しつもん", "こたえ")


def test_reads_xlsx(tmp_path):
    """The first sheet of a workbook reads like a CSV, and numeric ids lose their '.0'."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["id", "question", "answer", "aliases"])
    sheet.append(
        [
            12,
            "ごみの日はいつ？",
            "地区ごとに決まっています。\n収集カレンダーをご覧ください。",
            "ごみの日|収集日",
        ]
    )
    sheet.append([13.0, "避難所はどこ？", "指定避難所の一覧をご覧ください。", None])
    workbook.create_sheet("メモ").append(["ignored"])
    path = tmp_path / "faq.xlsx"
    workbook.save(path)

    records = read_faq_file(path)

    assert [r.faq_id for r in records] == ["12", "13"]
    assert records[0].answer == "地区ごとに決まっています。\n収集カレンダーをご覧ください。"
    assert records[0].aliases == ("ごみの日", "収集日")


def test_xlsx_reports_the_spreadsheet_row(tmp_path):
    """A bad cell in a workbook is reported with the row number Excel shows."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["id", "question", "answer"])
    sheet.append([1, "質問", "回答"])
    sheet.append([2, "", "回答"])
    path = tmp_path / "faq.xlsx"
    workbook.save(path)

    assert errors_of(path) == [RowError(3, Problem("field.empty", column="question"))]


def test_xlsx_value_outside_the_header_is_an_error(tmp_path):
    """A filled cell to the right of the last header column is reported, not silently dropped."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["id", "question", "answer"])
    sheet.append([1, "質問", "回答", "はみ出し"])
    path = tmp_path / "faq.xlsx"
    workbook.save(path)

    assert errors_of(path) == [RowError(2, Problem("faq.value_without_header", column="D"))]


def test_broken_xlsx_is_a_file_error(tmp_path):
    """A file named .xlsx that is not a workbook gives a file-level error."""
    path = write(tmp_path, "id,question,answer\n", name="faq.xlsx")

    [error] = errors_of(path)

    assert (error.row, error.code) == (0, "faq.xlsx_unreadable")
    assert error.message.startswith("Excelのブック（.xlsx）として読めません（")


def test_reads_the_real_generic_faq_json():
    """The 汎用FAQ JSON reads as 661 records with string ids and combined categories."""
    records = read_faq_file(real_file("faq.json"))

    assert len(records) == 661
    assert len({r.faq_id for r in records}) == 661
    by_id = {r.faq_id: r for r in records}
    assert by_id["1"].question == "母子手帳を受け取りたいのですが、手続きを教えてください。"
    assert by_id["1"].category == "妊娠・出産 / 妊娠"
    assert all(r.aliases == () for r in records)
    assert not [r for r in records if r.category.endswith(("64", "null"))]


def test_generic_category2_placeholder_means_none():
    """A category2 of "64" leaves the category as category1 alone."""
    records = read_faq_file(real_file("faq.json"))
    source = json.loads(real_file("faq.json").read_text(encoding="utf-8"))
    no_sub = next(item for item in source if item["category2"] == "64")

    [record] = [r for r in records if r.faq_id == str(no_sub["faq_id"])]

    assert record.category == no_sub["category1"]


def test_reads_the_real_generic_faq_csv_like_the_json():
    """The 汎用FAQ CSV, with its own header, gives exactly the records of the JSON."""
    from_csv = read_faq_file(real_file("faq.csv"))

    assert len(from_csv) == 661
    assert from_csv == read_faq_file(real_file("faq.json"))


def test_aliases_are_split_on_pipes(tmp_path):
    """Aliases separated by '|' become a tuple, trimmed, without blanks or repeats."""
    path = write(tmp_path, "id,question,answer,aliases\n1,転入届,市民課へ, ひっこしてきた |転入|| 転入 \n")

    [record] = read_faq_file(path)

    assert record.aliases == ("ひっこしてきた", "転入")


def test_quoted_answer_keeps_line_breaks_and_row_numbers(tmp_path):
    """A quoted answer spanning lines stays one row, and later rows keep their spreadsheet numbers."""
    text = 'id,question,answer\r\n1,質問,"一行目\r\n二行目, ""引用""\r\n三行目"\r\n2,,回答\r\n'
    path = write(tmp_path, text)

    assert errors_of(path) == [RowError(3, Problem("field.empty", column="question"))]
    path = write(tmp_path, text.replace("2,,回答", "2,質問2,回答"))
    assert read_faq_file(path)[0].answer == '一行目\r\n二行目, "引用"\r\n三行目'


def test_blank_rows_are_skipped(tmp_path):
    """Empty lines and rows of empty fields are skipped without an error."""
    path = write(tmp_path, "id,question,answer\n\n1,質問,回答\n,,\n  , ,\n2,質問2,回答2\n\n")

    assert [r.faq_id for r in read_faq_file(path)] == ["1", "2"]


def test_reports_every_bad_row(tmp_path):
    """Three bad rows are all reported, each with its own row number, and nothing is returned."""
    path = write(
        tmp_path,
        "id,question,answer,url\n1,質問,回答,\n2,,回答,\n3,質問,回答,\n4,質問,回答,ftp://example.com/\n5,質問,,\n",
    )

    errors = errors_of(path)

    assert [e.row for e in errors] == [3, 5, 6]
    assert errors[0].problem == Problem("field.empty", column="question")
    assert errors[0].message == "question が空です。"
    assert errors[1].problem == Problem("faq.url_scheme", url="ftp://example.com/")
    assert errors[2].problem == Problem("field.empty", column="answer")


def test_duplicate_id_names_the_first_row(tmp_path):
    """A repeated id is reported on its second row with the row where it first appeared."""
    path = write(tmp_path, "id,question,answer\n12,質問,回答\n13,質問,回答\n12,別の質問,回答\n")

    assert errors_of(path) == [RowError(4, Problem("faq.duplicate_id", faq_id="12", first="2行目"))]
    assert errors_of(path)[0].message == "id 12 は2行目でも使われています。id は重ならないようにしてください。"


def test_missing_required_column(tmp_path):
    """A header without the answer column is rejected on row 1, naming the column."""
    path = write(tmp_path, "id,question,category\n1,質問,分類\n")

    assert errors_of(path) == [RowError(1, Problem("faq.header_missing", columns=["answer"]))]


def test_unknown_column_is_named(tmp_path):
    """A column this format does not know is reported by name."""
    [error] = errors_of(write(tmp_path, "id,question,answer,tel\n1,質問,回答,0123\n"))

    assert error.row == 1
    assert error.problem == Problem("faq.header_unknown", names=["tel"],
                                    allowed="id,category,question,answer,aliases,url,department,phone")
    assert error.message.startswith("見出しの tel は使えない列です（使える列: id,category,")


@pytest.mark.parametrize(
    ("line", "found", "message"),
    [
        ("1,質問,回答,余分", 4, "4列ありますが、見出しは3列です。"),
        ("1,質問", 2, "2列ありますが、見出しは3列です。"),
    ],
)
def test_wrong_number_of_fields(tmp_path, line, found, message):
    """A row with more or fewer fields than the header is an error."""
    path = write(tmp_path, f"id,question,answer\n{line}\n")

    assert errors_of(path) == [RowError(2, Problem("row.width", found=found, expected=3))]
    assert errors_of(path)[0].message == message


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ("1," + "あ" * 501 + ",回答,,", Problem("field.too_long", column="question", length=501, limit=500)),
        ("1,質問,回答," + "い" * 501 + ",", Problem("faq.alias_too_long", alias="い" * 20, length=501, limit=500)),
        ("1,質問,回答,,https://example.com/" + "a" * 1000,
         Problem("field.too_long", column="url", length=1020, limit=1000)),
        ("1,質問,回答,,www.example.com", Problem("faq.url_scheme", url="www.example.com")),
    ],
)
def test_length_and_url_limits(tmp_path, row, problem):
    """Over-long questions, aliases and URLs, and URLs without a scheme, are rejected."""
    [error] = errors_of(write(tmp_path, f"id,question,answer,aliases,url\n{row}\n"))

    assert error.problem == problem


def test_limits_say_the_length_and_the_limit_in_japanese(tmp_path):
    """The text names the column, how long it is and how long it may be."""
    [error] = errors_of(write(tmp_path, "id,question,answer\n1," + "あ" * 501 + ",回答\n"))

    assert error.message == "question が501文字あります。500文字までにしてください。"


def test_values_are_trimmed_but_inner_text_is_kept(tmp_path):
    """Surrounding spaces (also U+3000) go; spaces and width inside the text stay as written."""
    path = write(tmp_path, "id,question,answer\n 1 ,\u3000ﾍﾟｯﾄﾎﾞﾄﾙ は？ ,  回答\u3000 の　本文  \n")

    [record] = read_faq_file(path)

    assert (record.faq_id, record.question, record.answer) == ("1", "ﾍﾟｯﾄﾎﾞﾄﾙ は？", "回答\u3000 の　本文")


def test_broken_shift_jis_is_a_clear_file_error(tmp_path):
    """A Shift_JIS file with invalid bytes gives one file-level error naming the line, not a traceback."""
    good = "id,question,answer\r\n1,住民票,市民課です。\r\n2,ごみの日,地区で異なります。\r\n".encode("cp932")
    path = tmp_path / "faq.csv"
    path.write_bytes(good.replace("ごみ".encode("cp932"), b"\x82\xff"))

    [error] = errors_of(path)

    assert error.row == 0
    assert error.problem == Problem("text.unknown_encoding", line=3, byte="82")
    assert "3行目" in error.message
    assert "UTF-8" in error.message and "Shift_JIS" in error.message


def test_damaged_utf8_is_not_read_as_shift_jis(tmp_path):
    """A UTF-8 file with one damaged byte is refused instead of being decoded into mojibake."""
    good = "id,question,answer\n1,マイナンバーカードの申請,市民課で受け付けています。\n".encode()
    path = tmp_path / "faq.csv"
    path.write_bytes(good[:-10] + b"\xff" + good[-9:])

    [error] = errors_of(path)

    assert error.row == 0
    assert error.problem == Problem("text.unknown_encoding", line=2, byte="FF")
    assert "2行目" in error.message


def test_euc_jp_csv_is_read_not_published_as_mojibake(tmp_path):
    """An EUC-JP FAQ file (whose bytes cp932 also reads) imports with its Japanese intact."""
    text = ("id,question,answer\n"
            "1,妊婦健診受診票はかもめ市外で使えますか？,道内の医療機関で使えます。\n"
            "2,粗大ごみの申込方法を教えてください。,粗大ごみ受付センターへ電話してください。\n")
    path = write(tmp_path, text, encoding="euc_jp")

    records = read_faq_file(path)

    assert [r.question for r in records] == ["妊婦健診受診票はかもめ市外で使えますか？", "粗大ごみの申込方法を教えてください。"]


def test_shift_jis_with_a_stray_fd_byte_is_refused_on_its_line(tmp_path):
    """A Shift_JIS file with a stray 0xFD byte is refused by file and line, not imported with U+F8F1."""
    good = "id,question,answer\r\n1,住民票,市民課です。\r\n2,ごみの日,地区で異なります。\r\n".encode("cp932")
    path = tmp_path / "faq.csv"
    path.write_bytes(good.replace("地区".encode("cp932"), b"\xfd" + "区".encode("cp932")))

    [error] = errors_of(path)

    assert (error.row, error.file) == (0, "faq.csv")
    assert error.problem == Problem("text.unknown_encoding", line=3, byte="FD")
    assert error.message.startswith("3行目のバイト 0xFD が読めません。")
    assert error.where == "faq.csv（ファイル全体）"


def test_private_use_character_is_a_bad_row_naming_its_column(tmp_path):
    """A Shift_JIS user-defined character (外字, U+E000) in an answer is reported by row and column."""
    text = "id,question,answer\r\n1,住民票,市民課です。\r\n2,ごみの日,\ue000地区で異なります。\r\n"
    path = write(tmp_path, text, encoding="cp932")

    [error] = errors_of(path)

    assert error.row == 3
    assert error.problem == Problem("text.private_use", place="C列（answer）", position=1, codepoint="E000")
    assert error.message.startswith("C列（answer）の1文字目に外字（U+E000）があります。")


def test_control_character_and_a_line_break_in_an_id_are_bad_rows(tmp_path):
    """A control character anywhere, and a line break outside question and answer, are reported by row."""
    text = 'id,question,answer\n1,ごみの日\x07,回答\n"2\n3",質問,"回答は\n二行"\n4,"質問は\n二行",回答\n'
    path = write(tmp_path, text)

    errors = errors_of(path)

    assert [(e.row, e.problem) for e in errors] == [
        (2, Problem("text.control", place="B列（question）", position=5, codepoint="0007")),
        (3, Problem("text.line_break", place="A列（id）", position=2)),
    ]


def test_private_use_character_in_xlsx_is_a_bad_row(tmp_path):
    """A private-use character in a workbook cell is reported with the spreadsheet row and column."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["id", "question", "answer"])
    sheet.append([1, "質問\ue8ff", "回答"])
    path = tmp_path / "faq.xlsx"
    workbook.save(path)

    [error] = errors_of(path)

    assert (error.row, error.problem) == (
        2, Problem("text.private_use", place="B列（question）", position=3, codepoint="E8FF"))


def test_control_character_in_json_is_a_bad_record(tmp_path):
    """A control character in a JSON record's field is reported by record and field."""
    items = [{"id": 1, "question": "質問", "answer": "回答"}, {"id": 2, "question": "質問", "answer": "回\u001b答"}]
    path = write(tmp_path, json.dumps(items), name="faq.json")

    [error] = errors_of(path)

    assert (error.row, error.problem) == (2, Problem("text.control", place="項目「answer」", position=2, codepoint="001B"))
    assert str(error) == "2件目：項目「answer」の2文字目に制御文字（U+001B）があります。消してください。"


def test_unclosed_quote_is_reported(tmp_path):
    """A quote that is never closed is reported on the row where it starts."""
    path = write(tmp_path, 'id,question,answer\n1,質問,回答\n2,質問,"回答\n')

    [error] = errors_of(path)

    assert (error.row, error.code) == (3, "csv.unreadable")
    assert "「\"」が正しく閉じているか" in error.message


def test_emoji_and_long_answer_survive(tmp_path):
    """Emoji and a 5,000-character answer come back unchanged."""
    answer = ("ごみの日は🗑️ 月・木です。👍\n" * 400)[:4999] + "。"
    assert len(answer) == 5000
    path = tmp_path / "faq.csv"
    path.write_text(f'id,question,answer\n1,ごみの日📅,"{answer}"\n', encoding="utf-8")

    [record] = read_faq_file(path)

    assert record.question == "ごみの日📅"
    assert record.answer == answer


def test_reads_project_layout_json(tmp_path):
    """A JSON array using this project's column names reads aliases given as a list or a '|' string."""
    items = [
        {"id": 1, "question": "転出届", "answer": "市民課へ", "aliases": ["引っ越す", "転出"]},
        {"id": "2", "question": "転入届", "answer": "市民課へ", "aliases": "ひっこしてきた|転入", "url": ""},
    ]
    path = write(tmp_path, json.dumps(items, ensure_ascii=False), name="faq.json")

    records = read_faq_file(path)

    assert [(r.faq_id, r.aliases) for r in records] == [
        ("1", ("引っ越す", "転出")),
        ("2", ("ひっこしてきた", "転入")),
    ]


def test_json_rows_are_numbered_from_one(tmp_path):
    """Bad JSON records are reported with their 1-based position in the array."""
    items = [
        {"faq_id": 5, "question": "質問", "answer": "回答", "category1": "null", "category2": "64"},
        {"faq_id": 5, "question": "質問", "answer": "回答"},
        ["not", "an", "object"],
        {"id": 9, "question": "質問", "answer": "回答", "colour": "red"},
    ]
    path = write(tmp_path, json.dumps(items), name="faq.json")

    errors = errors_of(path)

    assert errors[0] == RowError(2, Problem("faq.duplicate_id", faq_id="5", first="1件目"), unit=RECORD)
    assert [e.row for e in errors] == [2, 3, 4]
    assert errors[1].problem == Problem("faq.json_not_object", kind="配列")
    assert errors[2].problem == Problem("faq.json_unknown_fields", names=["colour"],
                                        allowed="id,category,question,answer,aliases,url,department,phone")
    assert errors[2].where == "4件目"


def test_bad_json_is_a_file_error(tmp_path):
    """Text that is not JSON gives one file-level error with its position."""
    [error] = errors_of(write(tmp_path, '[{"id": 1,', name="faq.json"))

    assert error.row == 0
    assert error.problem == Problem("json.invalid_at", line=1, column=11, detail="Expecting property name enclosed in "
                                    "double quotes")
    assert error.message.startswith("JSONとして読めません。1行目の11文字目を確かめてください（")


@pytest.mark.parametrize(
    ("name", "text", "code"),
    [("faq.csv", "", "file.empty"), ("faq.csv", "id,question,answer\n", "faq.no_rows"),
     ("faq.json", "[]", "faq.json_empty"), ("faq.txt", "x", "faq.file_type"), ("faq", "x", "faq.no_suffix")],
)
def test_files_without_records_are_refused(tmp_path, name, text, code):
    """An empty file, a header alone, an empty array or an unknown extension is a file-level error."""
    [error] = errors_of(write(tmp_path, text, name=name))

    assert (error.row, error.code) == (0, code)
    assert error.where == "ファイル全体"


def test_an_unknown_file_type_says_which_types_are_read(tmp_path):
    """A .txt file is refused naming its type and the ones that are read."""
    [error] = errors_of(write(tmp_path, "x", name="faq.txt"))

    assert error.message == "ファイル形式 .txt は読めません。.csv、.xlsx、.json のいずれかにしてください。"


def test_message_lists_at_most_fifty_errors(tmp_path):
    """The exception's text shows the first fifty problems and counts the rest."""
    rows = "".join(f"{n},,回答\n" for n in range(60))
    with pytest.raises(ImportFailed) as caught:
        read_faq_file(write(tmp_path, f"id,question,answer\n{rows}"))

    text = str(caught.value)
    assert len(caught.value.errors) == 60
    assert text.count("question が空です。") == MAX_ERRORS_SHOWN
    assert text.startswith("60件の問題があり、何も取り込んでいません。\n")
    assert text.endswith("ほか10件")
    assert "  2行目：question が空です。\n" in text
    assert caught.value.describe("faq.csv").startswith("faq.csv は取り込めません。60件の問題があり、")
    assert caught.value.describe(limit=None).count("question が空です。") == 60


class TestSynonymsFile:
    def test_groups_are_read_with_their_synonyms(self, tmp_path):
        """Each row becomes a canonical term with its |-separated synonyms."""
        path = tmp_path / "synonyms.csv"
        path.write_text("term,synonyms\n可燃ごみ,燃えるごみ|もえるごみ\n", encoding="utf-8")
        [group] = read_synonyms_file(path)
        assert (group.term, group.synonyms) == ("可燃ごみ", ("燃えるごみ", "もえるごみ"))

    def test_bad_rows_are_all_reported(self, tmp_path):
        """An empty term, a row without synonyms and a repeated term are reported by row number."""
        path = tmp_path / "synonyms.csv"
        path.write_bytes("term,synonyms\r\n,燃えるごみ\r\n粗大ごみ,\r\n可燃ごみ,a\r\n可燃ごみ,b\r\n".encode("cp932"))
        with pytest.raises(ImportFailed) as failed:
            read_synonyms_file(path)
        assert [(e.row, e.problem) for e in failed.value.errors] == [
            (2, Problem("synonyms.term_empty")),
            (3, Problem("synonyms.none")),
            (5, Problem("synonyms.term_twice", term="可燃ごみ", first="4行目")),
        ]

    def test_private_use_character_is_a_bad_row(self, tmp_path):
        """A private-use character in a synonym is reported by row and column."""
        path = tmp_path / "synonyms.csv"
        path.write_text("term,synonyms\n可燃ごみ,燃えるごみ\n粗大ごみ,大型\ue000ごみ\n", encoding="utf-8")
        with pytest.raises(ImportFailed) as failed:
            read_synonyms_file(path)
        [error] = failed.value.errors
        assert (error.row, error.problem) == (
            3, Problem("text.private_use", place="B列（synonyms）", position=3, codepoint="E000"))

    def test_wrong_header_is_refused(self, tmp_path):
        """A file without the term,synonyms header is refused."""
        path = tmp_path / "synonyms.csv"
        path.write_text("word,means\na,b\n", encoding="utf-8")
        with pytest.raises(ImportFailed) as failed:
            read_synonyms_file(path)
        assert failed.value.errors == [RowError(1, Problem("header.must_be", columns="term,synonyms"))]
