"""Every write to fees and collection goes through one of these functions (STYLE.md rule 2)."""
