"""Console pages of the front-desk procedures: move-ins, inspections, permits, configuration."""
