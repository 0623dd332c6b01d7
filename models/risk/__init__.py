"""Dropout risk: indicators and rules, the level history month by month, the learned model and its audit."""
