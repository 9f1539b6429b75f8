"""Pages of the notices app: the staff console (`console`) and the owners' pages (`owner`)."""
