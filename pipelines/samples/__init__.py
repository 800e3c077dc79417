"""Generated sample snapshots for the offline default run, one module per source, each
writing its source's exact published format (quirks included) with invented content.

Every sample snapshot is named `SAMPLE-<date>` and its sidecar says `"sample": true`, so
every table row built from it says SAMPLE in its `snapshot` column.
`python -m pipelines.samples [RAW_DIR]` rewrites them all (deterministic: fixed seeds).
"""
