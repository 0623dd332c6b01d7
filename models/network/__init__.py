"""Network figures, programme indicators and reports, suppressed."""
