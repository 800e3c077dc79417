"""Every published table and the model that defines it: the one list the catalog, the data
dictionary and the validation steps iterate over."""

from schemas.crimes import Crimes, CrimesStats, Prosecutions, ProsecutionsStats, SourceInconsistencies
from schemas.deaths import Deaths, DeathsStats
from schemas.linkage import LinkageQuality, RecordLinks
from schemas.overlap import DeathsEstimates, DeathsLinkedRace, DeathsOverlap
from schemas.metadata import Coverage, Quarantine, Sources, UnmappedValues
from schemas.scorecard import LetterScorecard

TABLES = {
    "deaths": Deaths,
    "deaths_stats": DeathsStats,
    "crimes": Crimes,
    "crimes_stats": CrimesStats,
    "prosecutions": Prosecutions,
    "prosecutions_stats": ProsecutionsStats,
    "source_inconsistencies": SourceInconsistencies,
    "sources": Sources,
    "coverage": Coverage,
    "letter_scorecard": LetterScorecard,
    "deaths_overlap": DeathsOverlap,
    "deaths_linked_race": DeathsLinkedRace,
    "deaths_estimates": DeathsEstimates,
    "quarantine": Quarantine,
    "unmapped_values": UnmappedValues,
    "record_links": RecordLinks,
    "linkage_quality": LinkageQuality,
}
# Record-grain and lineage tables stay in the catalog; only these may go public.
PUBLIC_TABLES = ("deaths_stats", "crimes_stats", "prosecutions_stats", "letter_scorecard",
                 "deaths_overlap", "deaths_linked_race", "deaths_estimates", "coverage",
                 "sources", "source_inconsistencies")


def table_description(name: str) -> str:
    """The model docstring, as one paragraph."""
    return " ".join((TABLES[name].__doc__ or "").split())


def column_descriptions(name: str) -> dict[str, str]:
    """Column -> description, from the model's fields."""
    return {c: col.description or "" for c, col in TABLES[name].to_schema().columns.items()}
