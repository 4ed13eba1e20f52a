"""FAQ replies: the answer with its links and contact, 「もしかして」 choices, and the contact desk."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from linebot.v3.messaging import Message

from bot import postbacks
from city.info import CityInfo
from faq.answers import Entry
from messaging import texts
from messaging.build import messages
from messaging.build import quick_reply


def faq_answer(entry: Entry, city: CityInfo, query_log_ref: str | None = None) -> list[Message]:
    """The entry's answer, then where to read more and whom to call, and the data's attribution; under it,
    「役に立った」「役に立たなかった」 (naming the logged question, when there is one)."""
    items = [(label, postbacks.encode(postbacks.RATE, id=entry.faq_id, q=query_log_ref, v=value), label)
             for label, value in ((texts.HELPFUL_LABEL, 1), (texts.UNHELPFUL_LABEL, 0))]
    return messages([answer_text(entry, city)], quick_reply(items))


def answer_text(entry: Entry, city: CityInfo) -> str:
    """The text of an entry's answer with its footer (more, contact, attribution); a link or a contact the answer
    already gives is not given twice."""
    answer = entry.answer.strip()
    footer = []
    if entry.url and entry.url not in answer:
        footer.append(texts.FAQ_MORE.format(url=entry.url))
    if (entry.department or entry.phone) and not _gives_contact(answer, entry):
        footer.append(texts.FAQ_CONTACT.format(department=entry.department, phone=entry.phone).strip())
    if city.faq_attribution:
        footer.append(city.faq_attribution)
    if footer:
        answer += "\n\n" + "\n".join(footer)
    return answer


def _gives_contact(answer: str, entry: Entry) -> bool:
    """Whether the answer itself names the entry's phone number (in any punctuation), or, without one, its
    department."""
    if entry.phone:
        digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", entry.phone))
        return len(digits) >= 6 and digits in re.sub(r"\D", "", unicodedata.normalize("NFKC", answer))
    return entry.department in answer


def suggestions(entries: Sequence[Entry], query_log_ref: str | None) -> list[Message]:
    """「もしかして」: the candidate questions as buttons, plus 「どれにも当てはまらない」."""
    lines = [texts.SUGGEST if len(entries) > 1 else texts.SUGGEST_ONE] + [f"・{entry.question}" for entry in entries]
    items = [
        (entry.question, postbacks.encode(postbacks.FAQ, id=entry.faq_id, q=query_log_ref), entry.question)
        for entry in entries
    ]
    items.append(
        (texts.SUGGEST_NONE_LABEL, postbacks.encode(postbacks.NONE, q=query_log_ref), texts.SUGGEST_NONE_LABEL)
    )
    return messages(["\n".join(lines)], quick_reply(items))


def fallback(city: CityInfo) -> list[Message]:
    """Nothing matched: say so kindly and give the city's contact desk and office hours."""
    parts = [texts.FALLBACK]
    if city.phone:
        parts[0] += "\n\n" + texts.CONTACT.format(
            department=city.department or city.name, phone=city.phone, office_hours=city.office_hours
        )
    return messages(parts)


def rated(entry: Entry | None, helpful: bool, city: CityInfo) -> list[Message]:
    """The resident said whether the answer helped: thanks; when it did not, whom to ask instead (the entry's
    department, else the city's desk)."""
    if helpful:
        return messages([texts.HELPFUL_THANKS])
    text = texts.UNHELPFUL_SORRY
    if entry is not None and entry.phone:
        contact = texts.UNHELPFUL_CONTACT.format(department=entry.department, phone=entry.phone)
        text += "\n\n" + " ".join(contact.split())
    elif city.phone:
        text += "\n\n" + texts.CONTACT.format(department=city.department or city.name, phone=city.phone,
                                               office_hours=city.office_hours)
    return messages([text])


def suggestion_declined(city: CityInfo) -> list[Message]:
    """The resident said none of the suggestions fit: thank them and give the contact desk."""
    return messages([texts.SUGGEST_NONE_THANKS]) + fallback(city)
