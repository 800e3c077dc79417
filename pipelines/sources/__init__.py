"""One module per source (see pipelines/registry.py for the shape they share), plus the
shared pieces: base (records and quarantine), readers, formats, curate and person (the
columns of a one-person row)."""
