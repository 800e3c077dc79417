"""Statistics: the release's tables built from the processed parts (records, statistics with
margins, coverage, sources), reconciled with each source's own totals, and the blocking checks
and anomaly warnings on them."""
