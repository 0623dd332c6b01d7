"""Users, sessions, schools and networks."""
