"""Console pages of service quality."""
