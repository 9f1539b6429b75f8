"""Emergencies and community (应急与社区):
incidents, activities, special care, owner visits, front-desk visit log.
"""
