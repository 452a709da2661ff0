"""MIRA's rules, framework-free: never imports dagster (landing contract, scoring, search, consciousness, evolution,
htm, records, demo data)."""
