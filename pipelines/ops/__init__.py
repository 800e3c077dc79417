"""Operating the pipeline unattended: one run at a time, incremental runs, freshness of
sources, run reports, retention of old releases, notifications, the nightly schedule."""
