"""Approdo's domain logic. Nothing here imports streamlit."""
