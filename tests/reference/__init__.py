"""Reference checks: the publishers' own figures, computed from the raw files with plain
pandas/openpyxl, against the real release. Nothing here imports `pipelines` or `schemas`."""
