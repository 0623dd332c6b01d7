"""The class council's pack: what a consiglio di classe reads before it meets (risk, follow-up, obligation)."""
