"""Shared text handling for mapping tables: normalising labels and splitting multi-valued cells
only on labels we know (a bare comma is not a separator: "Harsh environmental conditions /
lack of adequate shelter, food, water" is one MMP category)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

_SPACES = re.compile(r"\s+")
_DASHES = str.maketrans({"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-",
                         "\u2014": "-", "\u00a0": " "})


def normalise_label(text: str) -> str:
    """Lookup key for a label: Unicode NFC, dashes and non-breaking spaces made plain,
    case folded, surrounding punctuation and repeated spaces removed. Accents are kept."""
    text = unicodedata.normalize("NFC", str(text)).translate(_DASHES)
    text = _SPACES.sub(" ", text).strip().strip(".;").strip()
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
