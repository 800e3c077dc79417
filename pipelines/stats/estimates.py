"""Capture-recapture estimates of the number of deaths in an area from overlapping lists: model
estimates, published apart (`deaths_estimates`) and never mixed into the counted statistics.

- Two lists: Chapman's nearly unbiased form of the Lincoln-Petersen estimator,
  N = (n1 + 1)(n2 + 1) / (m + 1) - 1, with Seber's variance and Chao's log-normal 95 %
  interval (its lower end is never below the persons counted).
- Three lists: a log-linear model of the seven observed capture patterns (Poisson GLM,
  statsmodels), main effects plus any declared two-list interactions; the unobserved cell is
  exp(intercept), its 95 % interval log-normal from the intercept's standard error.

Both assume a closed population, lists independent of each other (or, for the log-linear
model, dependences that the declared interactions capture), equal catchability within a list
and perfect linkage. Which pairs of lists may be estimated at all: `pipelines/stats/overlap.py`
and the README of `deaths_estimates`.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from itertools import product

Z95 = 1.959963984540054


@dataclass(frozen=True)
class Estimate:
    """A population estimate, the persons counted (in at least one list) and a 95 % interval."""

    estimate: float
    observed: int
    ci_low: float
    ci_high: float


def log_normal_interval(observed: int, unseen: float, variance: float) -> tuple[float, float]:
    """Chao's (1987) 95 % interval of N = observed + unseen: the unseen part is log-normal,
    so the lower end is above the persons counted."""
    if unseen <= 0:
        return float(observed), float(observed)
    c = math.exp(Z95 * math.sqrt(math.log(1 + variance / unseen ** 2)))
    return observed + unseen / c, observed + unseen * c


def chapman(n1: int, n2: int, m: int) -> Estimate:
    """Chapman's estimate of N from two lists of n1 and n2 persons, m of them in both; Seber's
    (1970) variance (n1+1)(n2+1)(n1-m)(n2-m) / ((m+1)^2 (m+2)) and Chao's interval."""
    if not 0 <= m <= min(n1, n2):
        raise ValueError(f"chapman: {m} in both lists of {n1} and {n2}")
    estimate = (n1 + 1) * (n2 + 1) / (m + 1) - 1
    variance = (n1 + 1) * (n2 + 1) * (n1 - m) * (n2 - m) / ((m + 1) ** 2 * (m + 2))
    observed = n1 + n2 - m
    low, high = log_normal_interval(observed, estimate - observed, variance)
    return Estimate(estimate, observed, low, high)


PATTERNS = tuple(p for p in product((0, 1), repeat=3) if any(p))  # the seven observed cells


def loglinear(counts: dict[tuple[int, int, int], float],
              interactions: tuple[tuple[int, int], ...] = ()) -> Estimate:
    """Log-linear estimate of N from three lists: `counts` maps each capture pattern (in list
    1, 2, 3: 0/1) seen to its persons; `interactions` the pairs of lists (0-based) whose
    dependence the model carries. Fitted as a Poisson GLM (statsmodels)."""
    import numpy as np
    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

    rows = [[1.0, *map(float, p), *(float(p[a] * p[b]) for a, b in interactions)] for p in PATTERNS]
    y = np.array([float(counts.get(p, 0)) for p in PATTERNS])
    with warnings.catch_warnings():
        # A model that fits the seven cells exactly (saturated, or exact data) is reported as
        # "perfect separation": the intercept is still identified by the other cells.
        warnings.simplefilter("ignore", PerfectSeparationWarning)
        fit = sm.GLM(y, np.array(rows), family=sm.families.Poisson()).fit()
    intercept, se = float(fit.params[0]), float(fit.bse[0])
    unseen = math.exp(intercept)
    observed = int(round(y.sum()))
    variance = (unseen * se) ** 2  # delta method for exp(intercept)
    low, high = log_normal_interval(observed, unseen, variance)
    return Estimate(observed + unseen, observed, low, high)
