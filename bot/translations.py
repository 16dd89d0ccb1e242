"""Message catalogues: the templates are written once, in German; each other language has one
file ``templates/messages/<code>.yaml`` mapping a German text to its translation.

A plain entry maps a text to a text; an entry for ``ngettext`` maps the German singular to the
forms of the language (``[one, other]``). Placeholders are written ``%(name)s`` and kept as they
are; a literal ``%`` is ``%%``. A format of a date or time (the ``strftime`` filter) is an entry
like any other: ``"%d.%m.": "%d %b"``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from jinja2 import nodes, pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from bot.languages import DEFAULT_LANGUAGE

Entry = str | list[str]
Catalogue = Mapping[str, Entry]
CATALOGUE_VAR = "catalogue"  # the name under which a template module finds its catalogue
FORMAT_FILTER = "strftime"
_PLACEHOLDER = re.compile(r"%\((\w+)\)")


def catalogue_path(templates_dir: Path, lang: str) -> Path:
    """Where the catalogue of language ``lang`` lives."""
    return templates_dir / "messages" / f"{lang}.yaml"


def load_catalogue(templates_dir: Path, lang: str) -> dict[str, Entry]:
    """The catalogue of ``lang`` (empty for German, the templates' own language), checked."""
    if lang == DEFAULT_LANGUAGE:
        return {}
    path = catalogue_path(templates_dir, lang)
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path.name}: expected German text: translation, one a line")
    for key, value in data.items():
        plain = isinstance(value, str)
        forms = isinstance(value, list) and value and all(isinstance(v, str) for v in value)
        if not isinstance(key, str) or not (plain or forms):
            raise ValueError(f"{path.name}: {key!r}: a text or a list of plural forms expected")
    return data


def _catalogue(context: Context) -> Catalogue:
    found = context.get(CATALOGUE_VAR)
    return found if isinstance(found, Mapping) else {}


def _fill(context: Context, text: str, variables: dict[str, Any]) -> str:
    """The text with its %(name)s filled; escaped values under autoescape."""
    if context.eval_ctx.autoescape:
        return Markup(text) % variables  # noqa: S704 (our own texts; the values get escaped)
    return text % variables


@pass_context
def gettext(context: Context, message: str, /, **variables: Any) -> str:
    """``_("German text %(name)s", name=...)``: the text in the template's language."""
    entry = _catalogue(context).get(message, message)
    return _fill(context, entry if isinstance(entry, str) else entry[0], variables)


@pass_context
def ngettext(context: Context, singular: str, plural: str, num: int, /, **variables: Any) -> str:
    """One of two forms by the number ``num`` (available as %(num)s unless given)."""
    entry = _catalogue(context).get(singular, [singular, plural])
    forms = [entry] if isinstance(entry, str) else entry
    variables.setdefault("num", num)
    return _fill(context, forms[0 if num == 1 or len(forms) == 1 else 1], variables)


@pass_context
def strftime(context: Context, moment: Any, german_format: str) -> str:
    """A date or time in the template's language: the German format looked up as an entry."""
    entry = _catalogue(context).get(german_format, german_format)
    return str(moment.strftime(entry if isinstance(entry, str) else entry[0]))


def template_messages(ast: nodes.Template) -> list[str | tuple[str, ...]]:
    """Every text a template asks to translate: _()/gettext()/ngettext() and strftime formats."""
    found: list[str | tuple[str, ...]] = []
    for call in ast.find_all(nodes.Call):
        name = call.node.name if isinstance(call.node, nodes.Name) else None
        consts = [a.value for a in call.args if isinstance(a, nodes.Const)]
        if name in ("_", "gettext") and consts and isinstance(consts[0], str):
            found.append(consts[0])
        elif name == "ngettext" and len(consts) >= 2:
            found.append((consts[0], consts[1]))
    for flt in ast.find_all(nodes.Filter):
        if flt.name == FORMAT_FILTER and flt.args and isinstance(flt.args[0], nodes.Const):
            found.append(str(flt.args[0].value))
    return found


def placeholders(text: str) -> set[str]:
    """The %(name)s placeholders of a text."""
    return set(_PLACEHOLDER.findall(text))
