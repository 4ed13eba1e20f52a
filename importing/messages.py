"""What is wrong with an import file, in the Japanese city staff read: one catalogue of every problem.

An importer never writes a sentence: it names a problem by a stable code and its parameters
(``Problem("row.width", found=5, expected=7)``) and this module turns it into text
(「5列ありますが、見出しは7列です」). Every code and its template live in ``CATALOGUE`` below, so the wording
is reviewed in one place and tests can check a code and its parameters instead of prose. The console and the
command-line tools print the same text.

Templates are ``str.format`` strings (literal braces doubled). A parameter given as a list or tuple is
shown joined with 「、」. Text that comes from a library (openpyxl's or json's message) is only ever a
parameter, shown in parentheses inside a Japanese sentence. Column names a file's header must use
(``question``, ``line_user_id``) are quoted as written, since staff type them that way.

Where a problem is (「3行目」, 「ファイル全体」, 「target.csv の3行目」) and the summary of a failed import
(「3件の問題があり、何も取り込んでいません。」) are worded here too.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from functools import cache
from typing import Any

# How to fix a file whose bytes cannot be read: said at the end of every such refusal.
_SAVE_AS_UTF8 = "Excelで「CSV UTF-8（コンマ区切り）」の形式で保存し直して、もう一度読み込んでください。"
_TEXT_FIX = "ふつうの文字に直してください。"

CATALOGUE: dict[str, str] = {
    # --- reading the bytes (importing.text) -------------------------------------------------------
    "text.zip": "ZIPファイルで、テキストではありません（Excelのブックの名前を変えたものではありませんか）。"
                + _SAVE_AS_UTF8,
    "text.nul_byte": "{line}行目にNULバイトがあり、文字として読めません（BOMのないUTF-16か、テキストではないファイル"
                     "です）。" + _SAVE_AS_UTF8,
    "text.bom_damaged": "{line}行目のバイト 0x{byte} が読めません。{encoding} のファイルですが、壊れています。"
                        + _SAVE_AS_UTF8,
    "text.utf8_damaged": "{line}行目のバイト 0x{byte} が読めません。UTF-8 のファイルですが、一部が壊れています。"
                         + _SAVE_AS_UTF8,
    "text.unknown_encoding": "{line}行目のバイト 0x{byte} が読めません。文字コードが UTF-8、Shift_JIS、EUC-JP の"
                             "どれでもありません。" + _SAVE_AS_UTF8,
    "text.ambiguous": "文字コード（UTF-8、Shift_JIS、EUC-JP）を見分けられません。ふつうの日本語の文が少なすぎます。"
                      + _SAVE_AS_UTF8,
    # --- characters an import refuses (importing.text.text_problem); place: 「C列（answer）」 -------------
    "text.tab": "{place}の{position}文字目にタブがあります。この列にはタブを書けません。",
    "text.line_break": "{place}の{position}文字目に改行があります。この列では改行できません。",
    "text.private_use": "{place}の{position}文字目に外字（U+{codepoint}）があります。住民のスマートフォンでは"
                        "表示できないので、" + _TEXT_FIX,
    "text.control": "{place}の{position}文字目に制御文字（U+{codepoint}）があります。消してください。",
    "text.replacement": "{place}の{position}文字目に壊れた文字（U+FFFD）があります。以前の変換で文字化けしています。"
                        "元の文字に直してください。",
    # --- CSV records (importing.csvfile) ----------------------------------------------------------
    "csv.unreadable": "この行から先をCSVとして読めません。この行の「\"」が正しく閉じているか確かめてください"
                      "（{detail}）。",
    # --- shared by several importers ----------------------------------------------------------------
    "file.empty": "ファイルが空です。1行目に見出し {columns} を書いてください。",
    "file.blank": "ファイルが空です。",
    "header.must_be": "見出しの行を {columns} にしてください。",
    "header.missing_column": "見出しに {column} の列がありません（列は {columns} です）。",
    "row.width": "{found}列ありますが、見出しは{expected}列です。",
    "field.empty": "{column} が空です。",
    "field.too_long": "{column} が{length}文字あります。{limit}文字までにしてください。",
    "json.invalid": "JSONとして読めません（{detail}）。",
    "json.invalid_at": "JSONとして読めません。{line}行目の{column}文字目を確かめてください（{detail}）。",
    # --- FAQ files (faq.importers) -------------------------------------------------------------------
    "faq.file_type": "ファイル形式 {suffix} は読めません。.csv、.xlsx、.json のいずれかにしてください。",
    "faq.no_suffix": "ファイル名に拡張子がありません。.csv、.xlsx、.json のいずれかにしてください。",
    "faq.no_rows": "見出しの行はありますが、FAQの行がありません。",
    "faq.xlsx_unreadable": "Excelのブック（.xlsx）として読めません（{detail}）。",
    "faq.no_sheets": "ブックにシートがありません。",
    "faq.header_unnamed": "見出しの{columns}列に名前がありません。",
    "faq.header_unknown": "見出しの {names} は使えない列です（使える列: {allowed}）。",
    "faq.header_twice": "見出しに {column} の列が2つあります。",
    "faq.header_missing": "必須の列 {columns} が見出しにありません。",
    "faq.value_without_header": "{column}列に値がありますが、その列には見出しがありません。",
    "faq.not_text": "{column} は文字で書いてください（{kind}になっています）。",
    "faq.duplicate_id": "id {faq_id} は{first}でも使われています。id は重ならないようにしてください。",
    "faq.url_scheme": "url は http:// か https:// で始めてください（「{url}」になっています）。",
    "faq.url_space": "url に空白か改行が入っています。",
    "faq.aliases_type": "aliases は「|」で区切った文字か、文字の配列にしてください。",
    "faq.alias_too_long": "言い換え「{alias}…」が{length}文字あります。{limit}文字までにしてください。",
    "faq.json_not_array": "FAQの配列 [{{…}}, {{…}}] にしてください。",
    "faq.json_empty": "JSONの配列にFAQがありません。",
    "faq.json_not_object": "オブジェクト {{…}} にしてください（{kind}になっています）。",
    "faq.json_unknown_fields": "項目 {names} は使えません（使える項目: {allowed}）。",
    "faq.json_not_text": "{names} は文字で書いてください。",
    # --- synonym tables (faq.importers.read_synonyms_file) ----------------------------------------------
    "synonyms.term_empty": "term（言葉）が空です。",
    "synonyms.none": "synonyms（言い換え）がありません。「|」で区切って書いてください。",
    "synonyms.term_twice": "言葉「{term}」は{first}にもあります。",
    # --- golden queries (faq.golden.read_pack_file) -------------------------------------------------------
    "golden.not_utf8": "文字コードが UTF-8 ではありません。UTF-8 で保存してください。",
    "golden.shape": "{{\"question\": \"…\", \"faq_id\": \"…\"}} の形にしてください。",
    "golden.unknown_faq": "faq_id {faq_id} はパックのFAQにありません。",
    "golden.duplicate": "同じ質問が{first}にもあります。",
    # --- garbage data (garbage.importers) ----------------------------------------------------------------
    "garbage.missing_file": "フォルダにこのファイルがありません。",
    "garbage.no_category": "品目「{name}」の分別区分（{column}）が空です。",
    "garbage.no_category_nor_name": "品目の名前も分別区分（{column}）も空です。",
    "garbage.no_name": "分別区分「{category}」の品目に名前（name）がありません。",
    "garbage.no_label": "分別区分の名前（label）がありません。",
    "garbage.remark_no_id": "注意事項のIDがありません。",
    "garbage.remark_no_text": "注意事項 {key} の本文がありません。",
    "garbage.remark_twice": "ID {key} は{first}でも使われています。",
    "garbage.center_header": "この行は休止期間で、見出しではありません。1行目は 名称,休止開始日,休止終了日 に"
                             "してください。",
    "garbage.center_no_name": "施設の名前（名称）がありません。",
    "garbage.shutdown_no_end": "{center}の休止開始日（{start}）はありますが、休止終了日がありません。両方の日付を"
                               "書くか、休止がなければ両方を空にしてください。",
    "garbage.shutdown_no_start": "{center}の休止終了日（{end}）はありますが、休止開始日がありません。両方の日付を"
                                 "書くか、休止がなければ両方を空にしてください。",
    "garbage.date_format": "「{value}」は日付として読めません。2025/12/31、2025-12-31、20251231 のように書いて"
                           "ください。",
    "garbage.no_such_date": "日付「{value}」は存在しない日付です。",
    "garbage.shutdown_reversed": "休止終了日（{end}）が休止開始日（{start}）より前です。",
    "garbage.area_days_header": "見出しは 地名、センター、分別区分ごとの列 の順にしてください。",
    "garbage.center_is_category": "2列目が分別区分「{category}」になっています。2列目はセンター（なければ空の列）に"
                                  "してください。",
    "garbage.area_no_name": "地区の名前（{column}）がありません。",
    "garbage.area_twice": "地区「{area}」は{first}にもあります。",
    "garbage.cell_unreadable": "{category}の「{cell}」が読めません（{detail}）。",
    "garbage.category_twice": "分別区分「{category}」の列が2つあります。",
    "garbage.column_unnamed": "{column}列目に分別区分の名前がありません。",
    "garbage.unknown_column": "{column}列目の「{category}」は {description} にも {target} にもない分別区分です。",
    "garbage.unknown_category": "分別区分「{part}」（「{cell}」）は一覧のどの区分とも合いません。",
    "garbage.undeclared_category": "{name}の分別区分「{part}」は、収集日の列の区分（{calendar}）にも、市が示した区分"
                                   "にもありません。直すか、市にその区分があれば pack.toml の [garbage] "
                                   "other_categories（garbage import --other-category）に書いてください。",
    "garbage.unknown_calendar_column": "収集日の列「{column}」は使えません（使える列: {allowed}）。",
    # --- collection exceptions, holidays.csv (garbage.schedule.parse_exceptions_csv) ---------------------
    "holidays.missing_columns": "必須の列 {columns} がないので、このファイルは読めません。",
    "holidays.repeated_columns": "列 {columns} が2回以上あるので、このファイルは読めません。",
    "holidays.unknown_columns": "列 {columns} は使えません（使える列: {allowed}）。",
    "holidays.range_with_moved_to": "日付の範囲には moved_to（振替日）を書けません。",
    "holidays.moved_to_same_day": "moved_to（振替日）が date と同じ日です。",
    "holidays.day_format": "{column}「{value}」は YYYY-MM-DD の形で書いてください。",
    "holidays.date_format": "date「{value}」は YYYY-MM-DD か YYYY-MM-DD..YYYY-MM-DD の形で書いてください。",
    "holidays.no_such_day": "{column}「{value}」は存在しない日付です。",
    "holidays.range_reversed": "期間「{value}」は終わりが始まりより前です。",
    "holidays.range_too_long": "期間「{value}」が{limit}日より長いです。",
    "holidays.conflict": "{day} は{first}と食い違っています。",
    # --- shelters (disaster.importers) ----------------------------------------------------------------------
    "shelters.conflict": "共通ID {key} は、{first}にもあり、内容が違います。",
    "shelters.none": "避難所がありません。どのファイルにも 施設・場所名 のある行がありません。",
    "shelters.not_geojson": "GeoJSON の FeatureCollection（\"features\" の一覧）ではありません。",
    "shelters.no_properties": "この地物に properties がありません。",
    "shelters.not_point": "この地物が [経度, 緯度] の Point ではありません。",
    "shelters.no_name_column": "見出しに {column} の列がありません（いまの見出し: {header}）。",
    "shelters.kind": "kind は 指定緊急避難場所 か 指定避難所 にしてください。",
    "shelters.flag": "{column} は 1 か空にしてください（「{value}」になっています）。",
    "shelters.capacity": "{column} は人数を数字で書いてください（「{value}」になっています）。",
    "shelters.coordinate": "{column} は度の数値で書いてください（「{value}」になっています）。",
    "shelters.outside_japan": "{column} の {value} は日本の範囲（{low}～{high}）の外です。緯度と経度が入れ替わって"
                              "いませんか。",
    # --- residents (residents.importer, residents.areas) -------------------------------------------------
    "residents.no_rows": "見出しの行はありますが、住民の行がありません。",
    "residents.user_id": "LINEのユーザーID「{value}」の形が違います。U と16進数32桁で書いてください。",
    "residents.duplicate_user": "LINEのユーザー {user} は{first}にもあります。",
    "residents.unknown_category": "配信の種類「{name}」はありません（使える種類: {known}）。",
    "residents.child_format": "子ども「{value}」は birth:YYYY-MM-DD か due:YYYY-MM-DD の形で書いてください。",
    "residents.child_date": "子ども「{value}」の日付が読めません。存在する日付を YYYY-MM-DD の形で書いてください。",
    "residents.due_past": "出産予定日 {day} は1か月以上前です（生まれていれば birth: で誕生日を書いてください）。",
    "residents.due_too_far": "出産予定日 {day} は10か月より先です。",
    "residents.birth_future": "誕生日 {day} は今日より後です。",
    "residents.birth_too_old": "誕生日 {day} は18年以上前です。",
    "area.ambiguous": "地区「{area}」に当たる地区が{count}つあります（{names}）。地区の名前を省略せずに書いて"
                      "ください。",
    "area.unknown": "地区「{area}」は市の地区にありません。",
    "area.unknown_close": "地区「{area}」は市の地区にありません。{close} のことですか。",
}

# Where a problem is. A JSON file's records and a GeoJSON file's features are counted, not lines.
ROW = "row"
RECORD = "record"
_PLACE = {ROW: "{row}行目", RECORD: "{row}件目"}
_WHOLE_FILE = "ファイル全体"
_IN_FILE = "{file} の{place}"
_WHOLE_OF = "{file}（ファイル全体）"
_COLUMN = "{letter}列（{name}）"
_COLUMN_LETTER = "{letter}列"
_FIELD = "項目「{name}」"
_LINE = "{where}：{message}"
_SUMMARY = "{count}件の問題があり、何も取り込んでいません。"
_SUMMARY_OF = "{source} は取り込めません。{count}件の問題があり、何も取り込んでいません。"
_MORE = "ほか{count}件"
# JSON values as staff know them (Python's type names are not theirs).
_JSON_KINDS = {"dict": "オブジェクト", "list": "配列", "str": "文字", "int": "数値", "float": "数値",
               "bool": "true / false", "NoneType": "null"}


class Problem:
    """What is wrong, as a catalogue code and its parameters; ``text`` is the sentence staff read.

    Raises KeyError for a code the catalogue does not have and TypeError when the parameters are not
    exactly the ones its template uses, so a wrong code fails where it is made, not when it is shown.
    """

    __slots__ = ("_key", "code")

    def __init__(self, code: str, /, **params: Any) -> None:
        expected = template_fields(code)
        if set(params) != expected:
            raise TypeError(f"{code} takes {sorted(expected)}, not {sorted(params)}")
        self.code = code
        self._key = tuple(sorted((name, tuple(value) if isinstance(value, list) else value)
                                 for name, value in params.items()))

    @property
    def params(self) -> dict[str, Any]:
        """The parameters, by name (lists given come back as tuples)."""
        return dict(self._key)

    @property
    def text(self) -> str:
        """The Japanese sentence."""
        return render(self.code, self.params)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Problem):
            return NotImplemented
        return (self.code, self._key) == (other.code, other._key)

    def __hash__(self) -> int:
        return hash((self.code, self._key))

    def __repr__(self) -> str:
        args = "".join(f", {name}={value!r}" for name, value in self._key)
        return f"Problem({self.code!r}{args})"

    def __str__(self) -> str:
        return self.text


@cache
def template_fields(code: str) -> frozenset[str]:
    """The parameter names the template of ``code`` uses (KeyError for an unknown code)."""
    return frozenset(name for _text, name, _spec, _conversion in string.Formatter().parse(CATALOGUE[code]) if name)


def render(code: str, params: Mapping[str, Any]) -> str:
    """The template of ``code`` filled with ``params`` (a list or tuple joined with 「、」)."""
    return CATALOGUE[code].format(**{name: _shown(value) for name, value in params.items()})


def _shown(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return "、".join(str(item) for item in value)
    return str(value)


def place(row: int, unit: str = ROW) -> str:
    """「3行目」 (「3件目」 for a record of a JSON file), or 「ファイル全体」 for row 0."""
    return _WHOLE_FILE if row == 0 else _PLACE[unit].format(row=row)


def place_in_file(file: str, row: int, unit: str = ROW) -> str:
    """「target.csv の3行目」, or 「target.csv（ファイル全体）」 for row 0."""
    return _WHOLE_OF.format(file=file) if row == 0 else _IN_FILE.format(file=file, place=place(row, unit))


def column(letter: str, name: str = "") -> str:
    """A spreadsheet column as a place for ``text.*`` problems: 「C列（answer）」, or 「D列」 without a name."""
    return _COLUMN.format(letter=letter, name=name) if name else _COLUMN_LETTER.format(letter=letter)


def json_field(name: str) -> str:
    """A JSON object's field as a place for ``text.*`` problems: 「項目「answer」」."""
    return _FIELD.format(name=name)


def json_kind(value: object) -> str:
    """What a JSON value is, in the words of the catalogue (オブジェクト, 配列, 数値…)."""
    name = type(value).__name__
    return _JSON_KINDS.get(name, name)


def line(where: str, message: str) -> str:
    """One problem as a line: 「3行目：5列ありますが、見出しは7列です。」."""
    return _LINE.format(where=where, message=message)


def summary(count: int, source: str = "") -> str:
    """The first line of a failed import: 「3件の問題があり、何も取り込んでいません。」, naming ``source`` if given."""
    return _SUMMARY_OF.format(source=source, count=count) if source else _SUMMARY.format(count=count)


def more(count: int) -> str:
    """「ほか12件」: problems not listed."""
    return _MORE.format(count=count)
