"""Telegram's HTML parse mode, modelled on tdlib's ``parse_html`` (MessageEntity.cpp).

``parse_html`` turns the HTML a bot sends into the plain text and entities Telegram stores, or
raises :class:`EntityParseError` with the message Telegram puts after
``"Bad Request: can't parse entities: "``. Offsets and lengths are in UTF-16 code units.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

SUPPORTED_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "code",
        "pre",
        "tg-spoiler",
        "span",
        "blockquote",
        "tg-emoji",
    }
)

_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "code": "code",
    "pre": "pre",
    "a": "text_link",
    "tg-emoji": "custom_emoji",
}

_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z]{2,4}));")
_NAME_CHARS = re.compile(r"[A-Za-z0-9_-]")
_UNQUOTED_VALUE = re.compile(r"[A-Za-z0-9.\-]*")


class EntityParseError(ValueError):
    """The text does not parse; ``str(exc)`` is Telegram's reason."""


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, the unit of Telegram's offsets and limits."""
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _decode_entity(text: str, index: int) -> tuple[str, int] | None:
    """Decode the HTML entity at ``text[index] == "&"``: (character, index after it) or None."""
    match = _ENTITY_RE.match(text, index)
    if match is None:
        return None
    dec, hexa, name = match.groups()
    if name is not None:
        char = _NAMED.get(name)
        if char is None:
            return None
        return char, match.end()
    code = int(dec) if dec is not None else int(hexa, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code), match.end()


def _decode_attribute(raw: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(raw):
        if raw[i] == "&" and (decoded := _decode_entity(raw, i)) is not None:
            out.append(decoded[0])
            i = decoded[1]
        else:
            out.append(raw[i])
            i += 1
    return "".join(out)


@dataclass
class _Open:
    tag: str
    attrs: dict[str, str]
    start: int  # UTF-16 offset in the output
    byte_offset: int
    children: list[_Open] = field(default_factory=list)


def _unclosed_start(begin: int) -> EntityParseError:
    return EntityParseError(f"Unclosed start tag at byte offset {begin}")


def _skip_space(text: str, j: int) -> int:
    while j < len(text) and text[j].isspace():
        j += 1
    return j


def _parse_start_tag(text: str, i: int, tags: frozenset[str]) -> tuple[str, dict[str, str], int]:
    """Parse ``<tag attr="v" ...>`` at ``text[i] == "<"``; return tag, attributes, index after."""
    begin = _byte_offset(text, i)
    j = i + 1
    while j < len(text) and not text[j].isspace() and text[j] != ">":
        j += 1
    if j >= len(text):
        raise _unclosed_start(begin)
    tag = text[i + 1 : j].lower()
    if tag not in tags:
        raise EntityParseError(f'Unsupported start tag "{tag}" at byte offset {begin}')
    attrs: dict[str, str] = {}
    while True:
        j = _skip_space(text, j)
        if j >= len(text):
            raise _unclosed_start(begin)
        if text[j] == ">":
            return tag, attrs, j + 1
        name, value, j = _parse_attribute(text, j, tag, begin)
        attrs[name] = value


def _parse_attribute(text: str, j: int, tag: str, begin: int) -> tuple[str, str, int]:
    """One attribute at ``text[j]``: ``name``, ``name=v`` or ``name="v"``; (name, value, end)."""
    k = j
    while k < len(text) and _NAME_CHARS.match(text[k]):
        k += 1
    if k == j:
        raise EntityParseError(f'Empty attribute name in the tag "{tag}" at byte offset {begin}')
    name = text[j:k].lower()
    j = _skip_space(text, k)
    if j >= len(text) or text[j] != "=":
        return name, "", j
    j = _skip_space(text, j + 1)
    if j >= len(text):
        raise _unclosed_start(begin)
    if text[j] in "\"'":
        end = text.find(text[j], j + 1)
        if end < 0:
            raise _unclosed_start(begin)
        return name, _decode_attribute(text[j + 1 : end]), end + 1
    match = _UNQUOTED_VALUE.match(text, j)
    assert match is not None
    return name, _decode_attribute(match.group(0)), match.end()


def _entity_for(item: _Open, length: int) -> dict[str, object] | None:
    if length <= 0:
        return None
    tag = item.tag
    entity: dict[str, object]
    if tag == "blockquote":
        kind = "expandable_blockquote" if "expandable" in item.attrs else "blockquote"
        return {"type": kind, "offset": item.start, "length": length}
    entity = {"type": _ENTITY_TYPES[tag], "offset": item.start, "length": length}
    if tag == "a":
        entity["url"] = item.attrs.get("href", "")
    elif tag == "tg-emoji":
        entity["custom_emoji_id"] = item.attrs["emoji-id"]
    elif tag == "pre":
        for child in item.children:
            cls = child.attrs.get("class", "")
            if child.tag == "code" and cls.startswith("language-"):
                entity["language"] = cls.removeprefix("language-")
    return entity


def _check_start(tag: str, attrs: dict[str, str], begin: int, require_href: bool) -> None:
    if tag == "span" and attrs.get("class") != "tg-spoiler":
        raise EntityParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {begin}')
    if tag == "tg-emoji" and not attrs.get("emoji-id", "").isdigit():
        raise EntityParseError(
            f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset {begin}'
        )
    if tag == "a" and require_href and not attrs.get("href"):
        raise EntityParseError(f'Tag "a" must have attribute "href" at byte offset {begin}')


def parse_html(
    text: str, *, strict_ampersand: bool = True, require_href: bool = True
) -> tuple[str, list[dict[str, object]]]:
    """Parse Telegram HTML into (plain text, entities), trimmed like Telegram trims messages.

    ``strict_ampersand`` and ``require_href`` are stricter than Telegram (which keeps a stray
    ``&`` literally and uses the link text as URL of an ``<a>`` without ``href``): they catch
    unescaped text before it reaches users.
    """
    return _HtmlParser(text, strict_ampersand, require_href).parse()


@dataclass
class _HtmlParser:
    """One pass over a message's HTML: the plain text so far, the open tags, the entities."""

    text: str
    strict_ampersand: bool
    require_href: bool
    out: list[str] = field(default_factory=list)
    utf16: int = 0  # length of the plain text so far, in UTF-16 code units
    stack: list[_Open] = field(default_factory=list)
    entities: list[dict[str, object]] = field(default_factory=list)

    def parse(self) -> tuple[str, list[dict[str, object]]]:
        text, i = self.text, 0
        while i < len(text):
            if text[i] == "&":
                i = self._ampersand(i)
            elif text[i] != "<":
                self._emit(text[i])
                i += 1
            elif text.startswith("</", i):
                i = self._end_tag(i)
            else:
                i = self._start_tag(i)
        if self.stack:
            raise EntityParseError(
                f'Can\'t find end tag corresponding to start tag "{self.stack[-1].tag}"'
            )
        # code inside pre with a language class is part of the pre entity
        entities = [
            e for e in self.entities if not (e["type"] == "code" and _inside_pre(e, self.entities))
        ]
        return trim("".join(self.out), entities)

    def _emit(self, chars: str) -> None:
        self.out.append(chars)
        self.utf16 += utf16_len(chars)

    def _ampersand(self, i: int) -> int:
        decoded = _decode_entity(self.text, i)
        if decoded is not None:
            self._emit(decoded[0])
            return decoded[1]
        if self.strict_ampersand:
            raise EntityParseError(
                f'Unsupported character "&" at byte offset {_byte_offset(self.text, i)}: '
                "escape it as &amp; (the fake is stricter than Telegram here)"
            )
        self._emit("&")
        return i + 1

    def _end_tag(self, i: int) -> int:
        """``</tag>`` (or ``</>``) at ``i``: close the innermost tag; the index after it."""
        text, n = self.text, len(self.text)
        begin = _byte_offset(text, i)
        if not self.stack:
            raise EntityParseError(f"Unexpected end tag at byte offset {begin}")
        j = i + 2
        while j < n and (text[j].isascii() and (text[j].isalnum() or text[j] == "-")):
            j += 1
        end_tag = text[i + 2 : j].lower()
        j = _skip_space(text, j)
        if j >= n or text[j] != ">":
            raise EntityParseError(f"Unclosed end tag at byte offset {begin}")
        top = self.stack[-1]
        if end_tag and end_tag != top.tag:
            raise EntityParseError(
                f'Unmatched end tag at byte offset {begin}, expected "</{top.tag}>", '
                f'found "</{end_tag}>"'
            )
        self.stack.pop()
        entity = _entity_for(top, self.utf16 - top.start)
        if entity is not None:
            self.entities.append(entity)
        return j + 1

    def _start_tag(self, i: int) -> int:
        """``<tag ...>`` at ``i``: open it; the index after it."""
        begin = _byte_offset(self.text, i)
        tag, attrs, after = _parse_start_tag(self.text, i, SUPPORTED_TAGS)
        _check_start(tag, attrs, begin, self.require_href)
        item = _Open(tag, attrs, self.utf16, begin)
        if self.stack:
            self.stack[-1].children.append(item)
        self.stack.append(item)
        return after


def _inside_pre(entity: dict[str, object], entities: list[dict[str, object]]) -> bool:
    return any(
        other["type"] == "pre"
        and other["offset"] == entity["offset"]
        and other["length"] == entity["length"]
        for other in entities
    )


def trim(text: str, entities: list[dict[str, object]]) -> tuple[str, list[dict[str, object]]]:
    """Strip surrounding whitespace as Telegram does and keep the entities in step."""
    stripped = text.strip()
    if stripped == text:
        kept = entities
    else:
        lead = utf16_len(text[: len(text) - len(text.lstrip())])
        total = utf16_len(stripped)
        kept = []
        for entity in entities:
            offset = int(str(entity["offset"])) - lead
            end = min(offset + int(str(entity["length"])), total)
            offset = max(offset, 0)
            if end > offset:
                kept.append({**entity, "offset": offset, "length": end - offset})
    kept.sort(key=lambda e: (int(str(e["offset"])), -int(str(e["length"]))))
    return stripped, kept
