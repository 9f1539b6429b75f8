"""Reads of fees and collection for pages, the API, exports and other modules."""
