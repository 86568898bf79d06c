"""API documentation served from local files."""
