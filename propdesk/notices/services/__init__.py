"""Every write of the notices app: templates, preferences, announcements, read state, delivery."""
