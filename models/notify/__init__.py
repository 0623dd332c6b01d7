"""Reminders that reach people: what awaits each person, as a bell in the app and an e-mail digest."""
