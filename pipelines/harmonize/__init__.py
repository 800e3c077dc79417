"""Harmonisation: small functions over reviewed mapping tables (the CSV files in maps/)."""
