"""Drawing columns for the synthetic layouts: labels by weight as Arrow text, blanks, counts
written as publishers write them. Vocabularies are drawn as integer codes and turned into text
with Arrow `take`, so no Python loop runs per row."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def weights(values) -> np.ndarray:
    """Weights as probabilities (summing to 1)."""
    w = np.asarray(values, dtype=float)
    return w / w.sum()


def as_text(labels: list[str]) -> pa.Array:
    return pa.array(labels, pa.string())


def take(labels: list[str] | pa.Array, idx: np.ndarray) -> pa.Array:
    """The labels at the codes `idx`."""
    labels = labels if isinstance(labels, pa.Array) else as_text(labels)
    return labels.take(pa.array(idx, pa.int32()))


def blank(values: pa.Array, mask: np.ndarray) -> pa.Array:
    """`values` with the cells under `mask` blank (null: written as an empty field)."""
    return pc.if_else(pa.array(mask), pa.scalar(None, values.type), values)


def numbers(n: int, thousands: bool = True) -> pa.Array:
    """Text of 0..n-1, with thousands separators above 999 ("1,022") as IOM writes them."""
    return as_text([f"{i:,}" if thousands else str(i) for i in range(n)])


def choose(rng: np.random.Generator, pairs, n: int) -> tuple[pa.Array, np.ndarray]:
    """`n` labels drawn from (label, weight) pairs, and their codes."""
    idx = rng.choice(len(pairs), size=n, p=weights([w for _, w in pairs]))
    return take([p for p, _ in pairs], idx), idx
