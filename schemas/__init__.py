"""Pandera models per stage. The schema classes are the data dictionary: their descriptions
feed validation, the generated dictionary and the DuckDB COMMENTs alike. Nothing here imports
from `pipelines`."""
