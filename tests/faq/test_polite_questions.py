"""Long polite questions against the demo FAQ: courtesy and context before the question do not drown its topic."""

from __future__ import annotations

from pathlib import Path

import pytest

from faq.importers import read_faq_file
from faq.importers import read_synonyms_file
from faq.policy import Tier
from faq.policy import answer_policy
from japanese.synonyms import Synonyms
from search.docs import FaqDoc
from search.engine import Analyzer
from search.engine import HybridMatcher

DEMO = Path(__file__).resolve().parents[2] / "packs" / "demo"

# (message, the demo FAQ entries that answer it)
POLITE = [
    ("お忙しいところすみません、先月引っ越してきたのですが、子どもの保育園の申し込みはどこですればよろしいでしょうか", {"308"}),
    ("すみません、子どもが生まれたのですが、出生届はどこに出せばいいのでしょうか", {"364"}),
    ("恐れ入りますが、マイナンバーカードを作りたいのですが、申請の方法を教えていただけますか", {"939"}),
    ("いつもお世話になっております。粗大ごみを出したいんですけど、申し込みはどうすればいいですか", {"332"}),
    ("突然すみません、来月市外に引っ越すことになったのですが、転出の手続きについて教えてください", {"540"}),
    ("お手数ですが、印鑑登録の手続きを教えてください", {"1100"}),
    ("申し訳ありませんが、国民健康保険証をなくしてしまったのですが、どうすればよいでしょうか", {"890"}),
    ("こんにちは、共働きなんですけど、放課後クラブの利用方法を知りたいです", {"919", "360"}),
    ("すみません、ちょっとお聞きしたいのですが、児童手当の申請方法を教えてください", {"69"}),
    ("お世話になります。一時保育を利用したいのですが、市立保育園の申込方法を教えていただけますでしょうか", {"245"}),
    ("夜分にすみません、地震が心配なのですが、避難所はどこですか", {"971", "973"}),
    ("すいません、子供の保育園の申し込みってどうやるんですか", {"308"}),
    ("先日こちらに越してきたばかりで分からないのですが、住民票の写しはどこで取れますか", {"161"}),
]


@pytest.fixture(scope="module")
def matcher() -> HybridMatcher:
    """The demo city's FAQ with its synonym table."""
    docs = [FaqDoc(r.faq_id, r.question, r.aliases, r.answer) for r in read_faq_file(DEMO / "faq.csv")]
    return HybridMatcher(docs, analyzer=Analyzer(Synonyms(read_synonyms_file(DEMO / "synonyms.csv"))))


@pytest.mark.parametrize(("text", "relevant"), POLITE)
def test_the_entry_is_offered_or_answered(matcher, text, relevant):
    """The entry that answers the question is among what the resident is shown (answer or 「もしかして」)."""
    policy = answer_policy({})
    hits = matcher.search(text, 5)
    tier = policy.decide(hits, len(text))
    assert tier is not Tier.FALLBACK
    shown = [hits[0]] if tier is Tier.ANSWER else policy.shown(hits, len(text))
    assert relevant & {hit.faq_id for hit in shown}


@pytest.mark.parametrize(("polite", "plain"), [
    ("お忙しいところすみません、住民票の写しを取りたいのですが、よろしいでしょうか", "住民票の写しを取りたい"),
    ("恐れ入りますが、粗大ごみの申込方法を教えていただけますでしょうか", "粗大ごみの申込方法"),
    ("すいません、予防接種の時期はいつですか", "予防接種の時期はいつ"),
])
def test_courtesy_does_not_change_the_best_entry(matcher, polite, plain):
    """Wrapping a question in courtesy leaves the best entry as for the plain question."""
    assert matcher.search(polite, 1)[0].faq_id == matcher.search(plain, 1)[0].faq_id


def test_the_context_still_counts_when_it_fits(matcher):
    """Entries that fit both the context and the question come first: 転入 context with 児童手当 → #71."""
    hits = matcher.search("先月かもめ市に転入してきたのですが、児童手当の手続きを教えてください", 3)
    assert hits[0].faq_id == "71"


@pytest.mark.parametrize(("question", "faq_id"), [("転入の手続きについて教えてください。", "539"),
                                                  ("転入の手続きについて教えてください", "539")])
def test_an_entry_typed_word_for_word_is_answered(matcher, question, faq_id):
    """An entry's own question, courtesy and all, is that entry exactly (score 1), and so answered, although the
    courtesy left out for matching makes a sibling (転入した後の手続きについて…) score as high otherwise."""
    hits = matcher.search(question, 5)
    assert (hits[0].faq_id, hits[0].score) == (faq_id, 1.0)
    assert answer_policy({}).decide(hits, len(question)) is Tier.ANSWER
