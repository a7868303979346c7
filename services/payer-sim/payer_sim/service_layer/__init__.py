"""The payer-sim's use cases (handlers) and the unit of work they run in."""
