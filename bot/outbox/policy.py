"""What an outbox kind tells the dispatcher: per row, the message to send or why not, and how
a row interrupted by a crash is settled. Each kind's ``KindPolicy`` is registered in
``bot/outbox/kinds.py``; the dispatcher that acts on it is ``bot/outbox/dispatch.py``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from telegram import InlineKeyboardMarkup, Message

from bot.context import AgendaContext
from storage import outbox
from storage.recipients import Recipient


@dataclass(frozen=True)
class Attachment:
    """A file sent as a document, with the message's text as its caption (1,024 characters)."""

    data: bytes
    filename: str


@dataclass(frozen=True)
class Part:
    """One document of a row that sends several, each with its caption; `name` is recorded in
    the row's payload (``sent_parts``) once it went out."""

    name: str
    document: Attachment
    caption: str


@dataclass(frozen=True)
class Outgoing:
    """The message a row stands for, and what to record once it went out."""

    text: str
    reply_markup: InlineKeyboardMarkup | None = None
    after_sent: Callable[[Message], Awaitable[None]] | None = None
    document: Attachment | None = None  # then one sendDocument with the text as caption
    parts: tuple[Part, ...] = ()  # then one sendDocument per part not sent yet (text unused)


@dataclass(frozen=True)
class Dropped:
    """The row is no longer wanted; `note` says why."""

    note: str


@dataclass(frozen=True)
class Postponed:
    """The row waits until `due_at`; `note` says why."""

    due_at: datetime
    note: str


Decision = Outgoing | Dropped | Postponed
Builder = Callable[[AgendaContext, outbox.OutboxRow, Recipient | None], Awaitable[Decision]]


@dataclass(frozen=True)
class KindPolicy:
    """How the dispatcher treats one kind of row.

    `resend_interrupted`: what a row left in 'sending' by a crash becomes at the next start -
    False: 'sent' (delivery unknown; a second copy would be worse than a lost one), True:
    'pending' again (a lost message would be worse than a rare second copy). Rows past their
    `valid_until` are dropped with `expired_note`; a kind that plans none is sent late.
    """

    build: Builder
    resend_interrupted: bool
    expired_note: str
    interrupted_note: str
