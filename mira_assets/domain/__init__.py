"""MIRA's domain rules, framework-free: nothing here imports dagster."""
