"""Sources: one module per source, each declaring one `Source` (`source.py`) listed in the
registry (`registry.py`); the pieces they share: base (raw tables and quarantine), readers,
formats, curate (deaths records), person (the columns of a one-person row), cases (crimes and
prosecutions records) and reports (report-style and damaged CSV files); and the steps that run
them: fetching (downloads), process (a source's files into parts, with chunk_ids across the
chunks of a file) and names (fingerprints of personal names)."""
