"""Console pages of operations, one module per noun."""
