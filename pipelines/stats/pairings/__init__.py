"""Every declared pairing of death lists, one module per area (docs/linkage.md). A new
pairing is one `Pairing` in its area's module; a new area is one more module and one line
here."""

from pipelines.stats.pairings.border import BORDER_PAIRINGS
from pipelines.stats.pairings.europe import EUROPE_PAIRINGS, EUROPE_TRIOS
from pipelines.stats.pairings.pima import PIMA_PAIRINGS

PAIRINGS = (*PIMA_PAIRINGS, *BORDER_PAIRINGS, *EUROPE_PAIRINGS)
# Three lists of one area whose three pairings are declared: the log-linear estimate.
TRIOS = (*EUROPE_TRIOS,)
