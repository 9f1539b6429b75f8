"""Every write of the quality app: one module per noun."""
