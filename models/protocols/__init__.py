"""Reception protocols: templates, versions, comments, merges, Word export and import."""
