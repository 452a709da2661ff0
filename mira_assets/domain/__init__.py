"""MIRA's rules, framework-free: never imports dagster (landing contract, scoring, search, records, demo data, htm)."""
