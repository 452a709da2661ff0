"""The MIRA rules, framework-free: nothing under this package imports dagster."""
