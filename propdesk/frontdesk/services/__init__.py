"""Every write of the front-desk procedures goes through these modules (STYLE.md rule 2):
`move_in` (入伙), `inspection` (一房一验), `decoration` (装修), `configure` (the rules).
"""
