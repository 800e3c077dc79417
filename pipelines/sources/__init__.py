"""One module per source (see pipelines/sources/registry.py for the shape they share), plus the
shared pieces: base (records and quarantine), readers, formats, curate (deaths records),
person (the columns of a one-person row), cases (crimes and prosecutions records) and
reports (report-style and damaged CSV files)."""
