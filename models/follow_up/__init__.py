"""What staff do with the list: reviews, interventions, list exports."""
