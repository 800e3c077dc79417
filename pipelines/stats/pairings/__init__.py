"""Every declared pairing of death lists, one module per area (docs/linkage.md). A new
pairing is one `Pairing` in its area's module; a new area is one more module and one line
here."""

from pipelines.stats.pairings.europe import EUROPE_PAIRINGS
from pipelines.stats.pairings.pima import PIMA_PAIRINGS

PAIRINGS = (*PIMA_PAIRINGS, *EUROPE_PAIRINGS)
