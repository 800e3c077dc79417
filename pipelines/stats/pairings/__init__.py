"""Every declared pairing of death lists, one module per area (docs/linkage.md). A new
pairing is one `Pairing` in its area's module; a new area is one more module and one line
here."""

from pipelines.stats.pairings.border import BORDER_PAIRINGS
from pipelines.stats.pairings.pima import PIMA_PAIRINGS

PAIRINGS = (*PIMA_PAIRINGS, *BORDER_PAIRINGS)
