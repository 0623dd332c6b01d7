"""Dropout risk: indicators and rules (`indicators`), and a synthetic cohort to test them (`synthetic`)."""
