"""Console pages of keys, release passes, the gate and the document register (/custody/…)."""
