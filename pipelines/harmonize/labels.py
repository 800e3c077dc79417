"""Shared text handling for mapping tables: normalising labels and splitting multi-valued cells
only on labels we know (a bare comma is not a separator: "Harsh environmental conditions /
lack of adequate shelter, food, water" is one MMP category)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

_SPACES = re.compile(r"\s+")
_DASHES = str.maketrans({"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-",
                         "\u2014": "-", "\u00a0": " ",
                         "\u2018": "'", "\u2019": "'", "\u02bc": "'", "\u201c": '"', "\u201d": '"'})
# UTF-8 read as Windows-1252 ("CÃ´te d'Ivoire", "TÃ¼rkiye", "â€™"): a lead byte shown as
# Ã, Â or â followed by a character that is a UTF-8 continuation byte in that code page.
_MOJIBAKE = re.compile("[\u00c2\u00c3\u00e2][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178"
                       "\u017d\u017e\u0192\u02c6\u02dc\u2013-\u203a\u20ac\u2122]")


def repair_mojibake(text: str) -> str:
    """Text whose UTF-8 bytes were decoded as Windows-1252 (or Latin-1), decoded back; any other
    text unchanged. Only text showing the telltale pairs is touched, and only when the round trip
    gives valid UTF-8, so correct accented text ("São", "château") is never altered."""
    if not _MOJIBAKE.search(text):
        return text
    for encoding in ("cp1252", "latin-1"):
        try:
            return text.encode(encoding).decode("utf-8")
        except UnicodeError:
            continue
    return text


def normalise_label(text: str) -> str:
    """Lookup key for a label: mojibake repaired, Unicode NFC, dashes, curly quotes and
    non-breaking spaces made plain, case folded, surrounding punctuation (. ; and quotes) and
    repeated spaces removed. Accents are kept."""
    text = unicodedata.normalize("NFC", repair_mojibake(str(text))).translate(_DASHES)
    text = _SPACES.sub(" ", text).strip().strip(".;'\"").strip()
    return text.casefold()


def split_known(text: str, is_known: Callable[[str], bool], separators: str = ",;/&") -> list[str] | None:
    """Split `text` into labels that `is_known` accepts, cutting only at separator characters.

    Returns the labels (one element when the whole text is a known label), or None when no
    cut of the text gives only known labels. Shortest segmentation wins, so a known label
    containing a comma is never cut apart.
    """
    text = str(text).strip()
    if is_known(text):
        return [text]
    cut_points = [i for i, ch in enumerate(text) if ch in separators]
    if not cut_points:
        return None
    bounds = [-1] + cut_points + [len(text)]
    best: dict[int, list[str]] = {0: []}
    for j in range(1, len(bounds)):
        for i in range(j):
            if i not in best:
                continue
            piece = text[bounds[i] + 1:bounds[j]].strip()
            piece = re.sub(r"^(and|y|or)\s+", "", piece, flags=re.IGNORECASE)
            if piece and is_known(piece):
                candidate = best[i] + [piece]
                if j not in best or len(candidate) < len(best[j]):
                    best[j] = candidate
    return best.get(len(bounds) - 1)
