"""Make the demo pack's faq.csv by filling the 汎用FAQ template in for the fictional かもめ市.

Usage (from the repository root)::

    .venv/bin/python packs/demo/tools/make_faq.py ../shared/data/kosodate-faq/faq.json packs/demo/faq.csv

The 汎用FAQ (子育てオープンデータ協議会, CC BY 4.0) is a template: its answers say ``○○市``,
``（電話番号）``, ``（自治体HP内関連ページのURL）`` and, in about 125 answers, give the adopting
city an instruction followed by ``例「…」``. This script turns it into answers a resident of a
real-looking city could read: every faq_id is kept, placeholders are filled with かもめ市's
(fictional) departments, numbers and pages, instructions are replaced by their example text or by
an answer written here, and each entry gets department, phone and, where the source pointed at
a page, a url on the reserved ``.example`` domain. It stops with an error when any placeholder is
left, and prints what it could not fix.

Rules applied to every entry are in ``fill``; entries that need more are in ``EDITS`` (literal
replacements in the source text) and ``ANSWERS`` / ``QUESTIONS`` (text written for this pack).
"""

# Japanese text in the tables below is kept on one line per sentence for review; ruff counts
# each full-width character as two columns, so the line-length rule does not fit this file.
# ruff: noqa: E501

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

CITY = "かもめ市"
BASE_URL = "https://www.city.kamome.example/"
OFFICE_HOURS = "平日8時45分～17時30分"
CITY_HALL = "かもめ市役所本庁舎"
CITY_HALL_ADDRESS = "北海道かもめ市中央1丁目1番1号"
MAIN_PHONE = "0123-45-6700"
HEALTH_CENTER = "かもめ市保健センター"
HEALTH_CENTER_ADDRESS = "かもめ市中央2丁目3番1号"
SUPPORT_CENTER = "かもめ市子育て支援センター「かもめっこ」"

HEADER = ("id", "category", "question", "answer", "aliases", "url", "department", "phone")

# Placeholders that must never reach a resident; the script fails if any is left.
FORBIDDEN = ("○○", "△△", "××", "AAA", "BBB", "（電話番号）", "URL）", "記載してください", "例「")
# Marks that usually mean an unfilled template; reported so a person can look.
SUSPICIOUS = re.compile(
    r"[○△◎□]|●●|××|CCC|（自治体|名称）|担当課等|渋谷|ハチ公|東京都|区立|都税|～～|………|・・・"
    r"|（住所）|（所在場所）|（実施場所）|（開庁時間）|してください。）|平成"
)


@dataclass(frozen=True)
class Department:
    """A (fictional) section of かもめ市 that answers residents' questions."""

    name: str
    phone: str
    place: str
    display: str = ""

    @property
    def label(self) -> str:
        return self.display or f"かもめ市役所 {self.name}"


DEPARTMENTS = {
    d.name: d
    for d in (
        Department("市民課", "0123-45-6789", f"{CITY_HALL}1階"),
        Department("保険年金課", "0123-45-6731", f"{CITY_HALL}1階"),
        Department("税務課", "0123-45-6741", f"{CITY_HALL}1階"),
        Department("市民協働課", "0123-45-6711", f"{CITY_HALL}1階"),
        Department("子育て支援課", "0123-45-6811", f"{CITY_HALL}2階"),
        Department("保育課", "0123-45-6812", f"{CITY_HALL}2階"),
        Department("障がい福祉課", "0123-45-6841", f"{CITY_HALL}2階"),
        Department("生活福祉課", "0123-45-6845", f"{CITY_HALL}2階"),
        Department("介護高齢課", "0123-45-6851", f"{CITY_HALL}2階"),
        Department("環境課", "0123-45-6751", f"{CITY_HALL}3階"),
        Department("危機管理課", "0123-45-6761", f"{CITY_HALL}3階"),
        Department("都市整備課", "0123-45-6771", f"{CITY_HALL}3階"),
        Department("商工観光課", "0123-45-6781", f"{CITY_HALL}3階"),
        Department("上下水道課", "0123-45-6791", f"{CITY_HALL}3階"),
        Department("企画広報課", "0123-45-6701", f"{CITY_HALL}4階"),
        Department("総務課", "0123-45-6702", f"{CITY_HALL}4階"),
        Department("学校教育課", "0123-45-6831", f"{CITY_HALL}5階", "かもめ市教育委員会 学校教育課"),
        Department("生涯学習課", "0123-45-6861", f"{CITY_HALL}5階", "かもめ市教育委員会 生涯学習課"),
        Department("健康づくり課", "0123-45-6821", f"{HEALTH_CENTER}1階", f"{HEALTH_CENTER}（健康づくり課）"),
    )
}

# category1, or "category1/category2" where the sub-category belongs elsewhere.
CATEGORY_DEPARTMENT = {
    "保育": "保育課",
    "子どもの手当・助成": "子育て支援課",
    "妊娠・出産": "健康づくり課",
    "妊娠・出産/出生届": "市民課",
    "健診・予防接種": "健康づくり課",
    "施設": "総務課",
    "施設/区立公園": "都市整備課",
    "施設/子育て・教育": "子育て支援課",
    "施設/スポーツ・文化・生涯学習": "生涯学習課",
    "施設/スポーツ施設": "生涯学習課",
    "施設/医療・健診施設": "健康づくり課",
    "施設/土木・清掃・リサイクル": "環境課",
    "施設/宿泊施設": "商工観光課",
    "施設/駐輪場・公共駐車場": "都市整備課",
    "学校・教育": "学校教育課",
    "健康・医療": "健康づくり課",
    "暮らしに役立つ情報": "市民協働課",
    "暮らしに役立つ情報/ハチ公バス": "都市整備課",
    "暮らしに役立つ情報/マイナンバー": "市民課",
    "暮らしに役立つ情報/区内の郵便番号": "市民課",
    "暮らしに役立つ情報/地図": "企画広報課",
    "暮らしに役立つ情報/気象情報": "危機管理課",
    "暮らしに役立つ情報/水道": "上下水道課",
    "暮らしに役立つ情報/申請": "市民課",
    "暮らしに役立つ情報/自転車": "都市整備課",
    "暮らしに役立つ情報/暮らしの相談": "環境課",
    "住民票・戸籍・印鑑証明": "市民課",
    "子育て・子ども家庭支援": "子育て支援課",
    "ごみ・リサイクル": "環境課",
    "防災・防犯": "危機管理課",
    "税金": "税務課",
    "区の紹介": "企画広報課",
    "観光・イベント": "商工観光課",
    "渋谷区LINE公式アカウントについて": "企画広報課",
    "生涯学習・スポーツ": "生涯学習課",
    "施策・計画・取り組み": "企画広報課",
    "保険・年金": "保険年金課",
    "環境衛生": "環境課",
    "障害者": "障がい福祉課",
    "採用・職員情報": "総務課",
    "暮らしに関する相談": "市民協働課",
    "商工・労働・相談": "商工観光課",
    "地域": "市民協働課",
    "女性相談": "市民協働課",
    "広報": "企画広報課",
    "高齢者・介護と福祉サービス": "介護高齢課",
}

# Entries whose answer belongs to another department than their category's.
DEPARTMENT_OVERRIDES = {
    14: "市民課",
    36: "子育て支援課",
    162: "市民課",
    317: "学校教育課",
    327: "学校教育課",
    328: "学校教育課",
    334: "市民課",
    368: "総務課",
    376: "市民課",
    425: "子育て支援課",
    543: "市民課",
    570: "学校教育課",
    841: "子育て支援課",
    842: "保険年金課",
    847: "学校教育課",
    895: "健康づくり課",
    947: "保育課",
    969: "保育課",
    943: "生活福祉課",
    1046: "保育課",
    1048: "健康づくり課",
}

# Shibuya's categories, renamed for a Hokkaido city; "64" and "null" mean none.
CATEGORY_RENAMES = {
    "渋谷区LINE公式アカウントについて": "かもめ市LINE公式アカウントについて",
    "区の紹介": "市の紹介",
    "区立公園": "市立公園",
    "ハチ公バス": "コミュニティバス",
    "区内の郵便番号": "市内の郵便番号",
    "都税": "市税",
}
NO_CATEGORY = {"", "64", "null"}

URL_PATHS = {
    "保育": "kosodate/hoiku/",
    "子どもの手当・助成": "kosodate/teate/",
    "妊娠・出産": "kosodate/ninshin/",
    "健診・予防接種": "kenko/kenshin/",
    "施設": "shisetsu/",
    "学校・教育": "kyoiku/",
    "健康・医療": "kenko/",
    "暮らしに役立つ情報": "kurashi/",
    "住民票・戸籍・印鑑証明": "kurashi/todokede/",
    "子育て・子ども家庭支援": "kosodate/shien/",
    "ごみ・リサイクル": "kurashi/gomi/",
    "防災・防犯": "bosai/",
    "税金": "kurashi/zei/",
    "区の紹介": "shisei/shokai/",
    "観光・イベント": "kanko/",
    "渋谷区LINE公式アカウントについて": "shisei/line/",
    "生涯学習・スポーツ": "sports/",
    "施策・計画・取り組み": "shisei/keikaku/",
    "保険・年金": "kurashi/hoken/",
    "環境衛生": "kurashi/kankyo/",
    "障害者": "fukushi/shogai/",
    "採用・職員情報": "shisei/saiyo/",
    "暮らしに関する相談": "kurashi/sodan/",
    "商工・労働・相談": "sangyo/",
    "地域": "kurashi/chiiki/",
    "女性相談": "kurashi/sodan/",
    "広報": "shisei/koho/",
    "高齢者・介護と福祉サービス": "fukushi/korei/",
}

# Links the template leaves to another body; filled with this pack's pages or a named service.
OTHER_LINKS = {
    "（都道府県や医師会が提供する医療機関案内等のURL）": BASE_URL + "kenko/iryo/",
    "（当該医療機関案内等のURL）": BASE_URL + "kenko/iryo/",
    "（救急受診ガイド等のURL）": BASE_URL + "kenko/kyukyu/",
    "（当該センター等のURL）": BASE_URL + "kurashi/gomi/sodai/",
    "（当該税務署のホームページ等のURL）": "https://www.nta.go.jp/",
    "（自治体・保健所等のHP内関連ページのURL）": BASE_URL + "kurashi/dobutsu/",
    "（自治体の水道局等のHP内関連ページのURL等）": BASE_URL + "suido/",
    "（QRコードを表示するURL）": BASE_URL + "shisei/line/",
    "（気象情報サイトのURL等を記載してください）": "https://www.jma.go.jp/",
}
CITY_PAGE = "（自治体HP内関連ページのURL）"

# Literal replacements applied to questions and answers of every entry, in this order.
TERMS = (
    ("（○時○分から○時○分）", "（8時45分から17時30分）"),
    ("○時○分から○時○分", "8時45分から17時30分"),
    ("○○子育て支援センター", "かもめ市子育て支援センター"),
    ("○○子育て広場", "子育てひろば「かもめっこ」"),
    ("○○駅", "かもめ駅"),
    ("○○分庁舎", "港町分庁舎"),
    ("○○税務署", "かもめ税務署"),
    ("○○県", "北海道"),
    ("●●県", "北海道"),
    ("○○市", CITY),
    ("○○区", CITY),
    ("渋谷区", CITY),
    ("区立", "市立"),
    ("区市町村", "市町村"),
    ("北海道以外", "道外"),
    ("県内", "道内"),
    ("県外", "道外"),
    ("県に", "道に"),
    ("県が", "道が"),
    ("保健所・保健相談所", "保健センター"),
    ("保健所もしくは保健相談所", "保健センター"),
    ("保健所（保健相談所）", "保健センター"),
    ("保健所、保健相談所", "保健センター"),
    ("AAA保健相談所", HEALTH_CENTER),
    ("保健相談所", "保健センター"),
    ("（開庁時間）", OFFICE_HOURS),
)

INSTRUCTION = r"[（(](?:[^（）()\n]|[（(][^（）()\n]*[）)])*?(?:記載|説明|追加)(?:して|することも考えられます)(?:[^（）()\n]|[（(][^（）()\n]*[）)])*?[）)]"
INSTRUCTION_THEN_EXAMPLE = re.compile(r"^\s*" + INSTRUCTION + r"\s*\n+\s*例「")
INLINE_EXAMPLE = re.compile(
    r"[（(][^（）()\n]*?(?:記載|説明)してください[。、]?\s*例?「([^「」]*)」[）)]"
)
INSTRUCTION_LINE = re.compile(r"^[ \t\u3000]*" + INSTRUCTION + r"[ \t\u3000]*\n?", re.M)
INSTRUCTION_ANYWHERE = re.compile(INSTRUCTION)
CONTACT_BLOCK = re.compile(
    r"(◆[^\n]*(?:お問い合わせ|連絡先))\n[（(][^\n]*[）)]\n[（(]電話番号[）)]／[（(][^）)\n]*[）)]"
)
HEALTH_LINES = re.compile(
    r"(?:[A-C]{3}保健相談所：[（(]電話番号[）)](?:（○時○分から○時○分）|／（開庁時間）)\n?)+"
)
MORE_LINK = re.compile(
    r"\n*[ \t]*(?:▼[^\n]*詳しくは[^\n]*|詳しくは(?:こちら|下記)[^\n]*)\n" + re.escape(CITY_PAGE) + r"[ \t]*"
)
PHONE_AND_HOURS = re.compile(r"[（(]電話番号[）)]／[（(](?:開庁時間|受付時間|相談受付日時)[）)]")


def fill(faq_id: int, question: str, answer: str, department: Department, url: str) -> tuple[str, str]:
    """Apply the rules every entry gets; return the filled question and answer."""
    question = _terms(question, department)

    if INSTRUCTION_THEN_EXAMPLE.match(answer):
        answer = _drop_instruction_and_example_quote(answer)
    answer = INLINE_EXAMPLE.sub(r"\1", answer)
    answer = INSTRUCTION_LINE.sub("", answer)
    answer = INSTRUCTION_ANYWHERE.sub("", answer)

    answer = HEALTH_LINES.sub(
        f"{HEALTH_CENTER}：{DEPARTMENTS['健康づくり課'].phone}（8時45分から17時30分）\n", answer
    )
    answer = CONTACT_BLOCK.sub(
        lambda m: f"{m.group(1)}\n{department.label}\n{department.phone}／{OFFICE_HOURS}", answer
    )
    answer = PHONE_AND_HOURS.sub(f"{department.phone}／{OFFICE_HOURS}", answer)
    answer = answer.replace(
        "（自治体の担当課等の名称、場所、郵送する場合の宛名及び住所等）",
        f"〒{CITY_HALL_ADDRESS}\n{department.label}（{department.place}）",
    )
    for name in (
        "（自治体の担当課等の名称）",
        "（自治体の担当課や子育てセンター等の名称）",
        "（自治体の担当課等）",
    ):
        answer = answer.replace(name, department.label)
    answer = answer.replace("（電話番号）", department.phone).replace("(電話番号)", department.phone)

    answer = MORE_LINK.sub("", answer)
    for placeholder, link in OTHER_LINKS.items():
        answer = answer.replace(placeholder, link)
    pages = answer.count(CITY_PAGE)
    for n in range(1, pages + 1):
        answer = answer.replace(CITY_PAGE, url if n == 1 else f"{url}{n}.html", 1)

    answer = _terms(answer, department)
    answer = re.sub(r"[ \t\u3000]+\n", "\n", answer)
    answer = re.sub(r"\n{3,}", "\n\n", answer).strip()
    return question.strip(), answer


def _terms(text: str, department: Department) -> str:
    for old, new in TERMS:
        text = text.replace(old, new)
    for office in ("○○課", "××課"):
        text = text.replace(office, department.name)
    return text


def _drop_instruction_and_example_quote(answer: str) -> str:
    """Replace 「（instruction）\\n例「example」」 by the example, dropping its closing bracket."""
    start = INSTRUCTION_THEN_EXAMPLE.match(answer).end()
    depth = 0
    for i in range(start, len(answer)):
        if answer[i] == "「":
            depth += 1
        elif answer[i] == "」":
            if depth == 0:
                return answer[start:i] + answer[i + 1 :]
            depth -= 1
    return answer[start:]


def category_of(item: dict) -> str:
    parts = [CATEGORY_RENAMES.get(item[key], item[key]) for key in ("category1", "category2")]
    return " / ".join(part for part in parts if part not in NO_CATEGORY)


def department_of(item: dict) -> Department:
    faq_id = item["faq_id"]
    name = DEPARTMENT_OVERRIDES.get(faq_id) or CATEGORY_DEPARTMENT.get(
        f"{item['category1']}/{item['category2']}", CATEGORY_DEPARTMENT[item["category1"]]
    )
    return DEPARTMENTS[name]


def problems_in(text: str) -> tuple[list[str], list[str]]:
    """Return the forbidden placeholders and the suspicious marks found in a text."""
    forbidden = [token for token in FORBIDDEN if token in text]
    suspicious = sorted({m.group(0) for m in SUSPICIOUS.finditer(text)})
    return forbidden, suspicious


def apply_edits(faq_id: int, question: str, answer: str) -> tuple[str, str]:
    for old, new in EDITS.get(faq_id, ()):
        if old not in question and old not in answer:
            raise SystemExit(f"faq {faq_id}: edit target not found: {old!r}")
        question = question.replace(old, new)
        answer = answer.replace(old, new)
    return QUESTIONS.get(faq_id, question), ANSWERS.get(faq_id, answer)


def build(items: list[dict]) -> tuple[list[dict], list[str]]:
    rows = []
    report = []
    for item in items:
        faq_id = item["faq_id"]
        department = department_of(item)
        question, answer = apply_edits(faq_id, item["question"], item["answer"])
        had_link = "URL" in answer or "URL" in item["answer"]
        url = BASE_URL + URL_PATHS[item["category1"]]
        question, answer = fill(faq_id, question, answer, department, url)
        for field, text in (("question", question), ("answer", answer)):
            forbidden, suspicious = problems_in(text)
            if forbidden:
                report.append(f"FAIL {faq_id} {field}: {', '.join(forbidden)}")
            if suspicious:
                report.append(f"look {faq_id} {field}: {' '.join(suspicious)}")
        if not answer:
            report.append(f"FAIL {faq_id} answer: empty after filling in")
        rows.append(
            {
                "id": str(faq_id),
                "category": category_of(item),
                "question": question,
                "answer": answer,
                "aliases": "|".join(ALIASES.get(faq_id, ())),
                "url": url if had_link else "",
                "department": department.label,
                "phone": department.phone,
            }
        )
    return rows, report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="the 汎用FAQ faq.json")
    parser.add_argument("output", type=Path, help="where to write the pack's faq.csv")
    args = parser.parse_args(argv)

    items = json.loads(args.source.read_text(encoding="utf-8"))
    unknown = (set(EDITS) | set(ANSWERS) | set(QUESTIONS) | set(ALIASES)) - {i["faq_id"] for i in items}
    if unknown:
        print(f"fixes for ids not in the source: {sorted(unknown)}", file=sys.stderr)
        return 1
    rows, report = build(items)
    for line in report:
        print(line)
    failed = [line for line in report if line.startswith("FAIL")]
    if failed:
        print(f"{len(failed)} placeholder problems left; nothing written", file=sys.stderr)
        return 1

    with args.output.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=HEADER, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} entries to {args.output} ({len(report)} marks to look at)")
    return 0


# --- entries that need more than the rules ------------------------------------------------------

EDITS: dict[int, list[tuple[str, str]]] = {}
QUESTIONS: dict[int, str] = {}
ANSWERS: dict[int, str] = {}
ALIASES: dict[int, tuple[str, ...]] = {}


if __name__ == "__main__":
    raise SystemExit(main())
