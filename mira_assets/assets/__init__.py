"""Dagster assets and their checks, one module per asset group, and the factories they share
(landing_reader, vault_day, chroma_day)."""
