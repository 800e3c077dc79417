"""The Jinja2 environments of the public tier's text: templates live in `templates/`.

- `html_templates()`: the release page. Autoescaping is on in `.html` templates, so a value
  from the data (a title, a snapshot name, a licence) is always escaped; markup comes from the
  templates only. The captions (`page/captions.txt`) are plain text: the charts' downloads
  carry them as titles, and the page escapes them where it prints them.
- `markdown_templates()`: the READMEs and the data dictionary. Markdown has no autoescaping of
  its own, so every value a template prints goes through `markdown_text` (HTML escaped, table
  pipes, backticks and line breaks neutralised) unless the template says otherwise with `|code`
  (a code span) or `|safe` (trusted text of the project: schema descriptions, file listings).
  Literal text belongs in the template's text, not in an expression (`{{ " | " }}` would be
  escaped too).

Both fail on an undefined name rather than print nothing.
"""

from __future__ import annotations

import html
import re
from functools import cache
from pathlib import Path

import pandas as pd
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

TEMPLATES = Path(__file__).resolve().parent / "templates"


def plain_text(value) -> str:
    """A cell as text; empty for a missing value (None, NaN, NA), never "nan"."""
    if value is None or (not isinstance(value, str) and pd.api.types.is_scalar(value) and pd.isna(value)):
        return ""
    return str(value)


def markdown_text(value) -> str:
    """Raw text (snapshot names, titles, licences, a user's query) made safe inside Markdown:
    HTML escaped, so no renderer runs a tag from it; table pipes, backticks and line breaks
    neutralised, so it cannot break out of its table cell or code span. Markup (from `|code`
    or `|safe`) is printed as it is."""
    if isinstance(value, Markup):
        return str(value)
    text = html.escape(plain_text(value), quote=False)
    return re.sub(r"[\r\n]+", " ", text).replace("|", "\\|").replace("`", "\\`")


def code_span(value) -> Markup:
    """Raw text as a Markdown code span: shown literally (a renderer runs no HTML inside one),
    with backticks and line breaks replaced and table pipes escaped so it cannot end early."""
    text = re.sub(r"[\r\n]+", " ", plain_text(value)).replace("`", "'")
    return Markup(f"`{text.replace('|', chr(92) + '|')}`")


def thousands(value) -> str:
    """A count with thousands separators; empty when missing."""
    return "" if plain_text(value) == "" else f"{int(value):,}"


def percent(value: float) -> str:
    """A share as a whole percentage: 0.347 -> 35%."""
    return f"{value:.0%}"


def share(value: float) -> str:
    """A share as a whole percentage, a small one never rounded to nothing: 0.004 -> <1%."""
    return f"{value:.0%}" if value >= 0.01 or value == 0 else "<1%"


@cache
def html_templates() -> Environment:
    """Templates of the release page: `.html` ones autoescaped; `.txt` ones (captions) are
    plain text, escaped where the page prints them."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(("html",)),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(num=thousands, pct=share)
    return env


@cache
def markdown_templates() -> Environment:
    """Templates of the READMEs and the data dictionary, every printed value escaped for
    Markdown unless marked (`|code`, `|safe`)."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=False, finalize=markdown_text,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                      keep_trailing_newline=True)
    env.filters.update(code=code_span, num=thousands, percent=percent)
    return env
