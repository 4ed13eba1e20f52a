"""FAQ rows, their aliases, the query log and residents' feedback on suggestions."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from db import Base
from db import UTCDateTime
from db import enum_column
from db import utcnow


class FaqStatus(enum.StrEnum):
    """Only published entries are answered."""

    PUBLISHED = "published"
    DRAFT = "draft"


class FaqEntry(Base):
    """One question and its answer, keyed by the id given in the imported file."""

    __tablename__ = "faq_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    faq_id: Mapped[str] = mapped_column(sa.String(64), unique=True)
    category: Mapped[str] = mapped_column(sa.String(200), default="")
    question: Mapped[str] = mapped_column(sa.Text)
    answer: Mapped[str] = mapped_column(sa.Text)
    url: Mapped[str] = mapped_column(sa.String(1000), default="")
    department: Mapped[str] = mapped_column(sa.String(200), default="")
    phone: Mapped[str] = mapped_column(sa.String(50), default="")
    status: Mapped[FaqStatus] = mapped_column(enum_column(FaqStatus), default=FaqStatus.PUBLISHED)
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    aliases: Mapped[list[FaqAlias]] = relationship(
        back_populates="entry", cascade="all, delete-orphan", order_by="FaqAlias.id"
    )


class FaqAlias(Base):
    """Another way residents ask the same question (「住民票ほしい」 for 住民票の写し)."""

    __tablename__ = "faq_alias"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("faq_entry.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(sa.String(500))

    entry: Mapped[FaqEntry] = relationship(back_populates="aliases")


class QueryOutcome(enum.StrEnum):
    """What the bot did with a resident's message."""

    INTENT = "intent"
    FAQ = "faq"
    SUGGEST = "suggest"
    FALLBACK = "fallback"


class QueryLog(Base):
    """A resident's question as masked, normalised text, with what the bot answered; the user id is only a
    hash. The text is emptied after ``QUERY_LOG_KEEP_DAYS``, the hash set to NULL sooner (``faq.retention``)."""

    __tablename__ = "query_log"
    # The staff's unanswered queue counts the missed questions of a time window by text (``faq.unanswered``): this
    # index holds only those rows and all the queue reads of them, in text order (no sort to group them; the
    # window is at most the texts' retention, so reading past its start costs little).
    __table_args__ = (sa.Index("ix_query_log_missed", "normalized_text", "created_at",
                               sqlite_where=sa.text("missed = 1"), postgresql_where=sa.text("missed")),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # A random name for the row, made before it is written: the 「もしかして」 buttons carry it (their answer
    # is built before the row is stored); NULL on rows older than it.
    ref: Mapped[str | None] = mapped_column(sa.String(16), unique=True)
    normalized_text: Mapped[str] = mapped_column(sa.String(500))
    outcome: Mapped[QueryOutcome] = mapped_column(enum_column(QueryOutcome))
    intent: Mapped[str | None] = mapped_column(sa.String(64))
    faq_id: Mapped[str | None] = mapped_column(sa.String(64))
    score: Mapped[float | None]
    resident_hash: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    # In the staff's unanswered queue: set as the question is logged, changed by the resident's feedback
    # (``faq.unanswered.missed_when_answered`` and ``rated``), cleared when retention empties the text.
    missed: Mapped[bool] = mapped_column(default=False, server_default=sa.false())


class Feedback(Base):
    """A resident's reaction to an answer: from a suggestion list, the entry chosen or none of them; after an
    entry's answer, whether it helped (``helpful``, None on the first kind)."""

    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    query_log_id: Mapped[int | None] = mapped_column(sa.ForeignKey("query_log.id", ondelete="SET NULL"))
    chosen_faq_id: Mapped[str | None] = mapped_column(sa.String(64))
    helpful: Mapped[bool | None]
    resident_hash: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Synonym(Base):
    """One group of the city's synonym table: a canonical term and the words residents use for it."""

    __tablename__ = "synonym"

    id: Mapped[int] = mapped_column(primary_key=True)
    term: Mapped[str] = mapped_column(sa.String(200), unique=True)
    synonyms: Mapped[str] = mapped_column(sa.Text)  # separated by "|"


class DraftStatus(enum.StrEnum):
    """Where a proposed change to an entry stands."""

    OPEN = "open"  # being written; waits for an approver
    APPROVED = "approved"  # approved as it stands; waits to be published
    PUBLISHED = "published"
    DISCARDED = "discarded"


class DraftSteps:
    """Where a draft stands and who moved it (``faq.drafts``): the columns FAQ and synonym drafts share."""

    status: Mapped[DraftStatus] = mapped_column(enum_column(DraftStatus), default=DraftStatus.OPEN)
    author: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    approved_by: Mapped[str | None] = mapped_column(sa.String(64))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_by: Mapped[str | None] = mapped_column(sa.String(64))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class FaqDraft(DraftSteps, Base):
    """A proposed new entry or change to one (``faq.drafts``): the whole content as it would be published.

    ``base_version`` is the entry's version the draft was written against (None: a new entry); publishing
    refuses a draft whose entry was published again meanwhile, so no one's change is lost unseen.
    """

    __tablename__ = "faq_draft"
    __table_args__ = (sa.Index("ix_faq_draft_open", "faq_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    faq_id: Mapped[str] = mapped_column(sa.String(64))
    base_version: Mapped[int | None]
    content: Mapped[dict] = mapped_column(sa.JSON)


class FaqVersion(Base):
    """An entry's content as it was published at one version: the history staff read and restore from."""

    __tablename__ = "faq_version"
    __table_args__ = (sa.UniqueConstraint("faq_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    faq_id: Mapped[str] = mapped_column(sa.String(64))
    version: Mapped[int]
    content: Mapped[dict] = mapped_column(sa.JSON)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime())
    published_by: Mapped[str] = mapped_column(sa.String(64))  # a staff name, or IMPORTED


class QueueDecision(enum.StrEnum):
    """What staff did with a wording of the unanswered queue."""

    ALIAS = "alias"  # added to an entry as another way to ask it
    NEW = "new"  # a new entry was started from it
    DISMISSED = "dismissed"  # not something the FAQ should answer (a greeting, a complaint, nonsense)


class QueueDecided(Base):
    """A wording of the unanswered queue staff dealt with: it leaves the queue (``faq.unanswered``). Holds the
    masked, normalised text only (no resident), as the query log did."""

    __tablename__ = "queue_decided"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(sa.String(500), unique=True)
    decision: Mapped[QueueDecision] = mapped_column(enum_column(QueueDecision))
    faq_id: Mapped[str | None] = mapped_column(sa.String(64))
    decided_by: Mapped[str] = mapped_column(sa.String(64))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SynonymDraft(DraftSteps, Base):
    """A proposed new, changed or removed group of the synonym table (``faq.synonym_drafts``), with the same
    steps as an FAQ draft: written, approved by another person, published."""

    __tablename__ = "synonym_draft"
    __table_args__ = (sa.Index("ix_synonym_draft_open", "term", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    term: Mapped[str] = mapped_column(sa.String(200))
    synonyms: Mapped[list[str]] = mapped_column(sa.JSON)  # empty: the group is removed
    base: Mapped[list[str] | None] = mapped_column(sa.JSON)  # the group's words when written (None: a new group)


class FaqImport(DraftSteps, Base):
    """An FAQ file a member of staff uploaded (``faq.imports``): its records, kept until approved and
    published (or discarded), with the same steps as a draft."""

    __tablename__ = "faq_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(sa.String(200))
    records: Mapped[list[dict]] = mapped_column(sa.JSON)  # each record's content and its "faq_id"
    replace: Mapped[bool] = mapped_column(default=False)  # entries missing from the file are removed
    base_revision: Mapped[int]  # the FAQ's content revision when uploaded


class GoldenQuery(Base):
    """A question with the entry that must answer it, replayed before a change is published (``faq.golden``):
    from the city's pack or added by staff. Written by staff or the pack, never a resident's message as such."""

    __tablename__ = "golden_query"

    id: Mapped[int] = mapped_column(primary_key=True)
    question: Mapped[str] = mapped_column(sa.String(500), unique=True)
    faq_id: Mapped[str] = mapped_column(sa.String(64))
    added_by: Mapped[str] = mapped_column(sa.String(64))  # a staff name, or the pack
    added_at: Mapped[datetime] = mapped_column(UTCDateTime())


class QueryHour(Base):
    """How many questions the bot answered in one hour (UTC) with one outcome: the dashboard's counts, kept as
    questions are logged (``faq.stats``) so that charts read a few thousand rows, not the query log. Counts
    only: no text, no resident."""

    __tablename__ = "query_hour"

    hour: Mapped[datetime] = mapped_column(UTCDateTime(), primary_key=True)
    outcome: Mapped[QueryOutcome] = mapped_column(enum_column(QueryOutcome), primary_key=True)
    questions: Mapped[int] = mapped_column(default=0)


class SentenceVector(Base):
    """The sentence vector of one text of the FAQ (a question, an alias, a question with its answer's lead),
    kept so that a restart encodes only the texts that changed (``faq.vectors``). Keyed by a digest of the
    encoder's name and the text as it reads it; the vector in half precision (1 KB). No resident's words."""

    __tablename__ = "sentence_vector"

    digest: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    vector: Mapped[bytes] = mapped_column(sa.LargeBinary)
    stored_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
