"""harmstats: public records of harm to migrants, turned into statistics people can trust.

The package is in layers (raw files -> sources -> statistics -> release -> operations), listed
in `pipelines/layers.py`; a module imports only from its own layer or the ones below."""

import os

# Prefect reads these at import time; set them before anything imports prefect.
# Project-local state, no telemetry (its writes race the temporary server's sqlite
# and it tries to reach the internet), logs kept off stdout.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW", "ignore")
# The temporary server's 20 s default start-up timeout was exceeded on a loaded 2-core box.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")

__version__ = "0.1.0"
