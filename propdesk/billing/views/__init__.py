"""Console pages of fees and collection: thin views over billing.selectors and billing.services."""
