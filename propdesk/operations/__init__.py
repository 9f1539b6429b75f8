"""Operations (运维):
patrols, equipment and maintenance, device readings, temporary parking, fee publication.
"""
