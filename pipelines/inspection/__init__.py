"""Looking into releases: what changed between two (`diff`) and which source records add up
to a published cell (`lineage`, `harmstats trace`)."""
