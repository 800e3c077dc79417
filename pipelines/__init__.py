"""harmstats: public records of harm to migrants, turned into statistics people can trust.

The package is in layers (raw files -> sources -> statistics -> release -> operations), listed
in `pipelines/layers.py`; a module imports only from its own layer or the ones below. Importing
it changes nothing: settings are read, and third parties' variables set, where a run starts
(`pipelines/settings.py`)."""

__version__ = "0.1.0"
