"""The demo installation and its synthetic cohorts (never real data)."""
