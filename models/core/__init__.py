"""Foundations every product uses: errors, clock, school years, the database, permissions, audit."""
