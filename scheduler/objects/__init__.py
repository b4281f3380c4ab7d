"""The request model the pipeline works on, built from the wire."""
