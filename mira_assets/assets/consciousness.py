"""Consciousness: the day's validated consciousness states (the stream later assets encode).

The table is sealed: a breakthrough state's insights belong to private storage (SPEC §5), so
they must not sit in the clear between assets.
"""

from mira_assets.assets.landing_reader import landing_asset

consciousness = landing_asset(
    "consciousness",
    group_name="consciousness",
    description="The day's consciousness states from landing, validated (sealed table: breakthrough insights are private).",
)
