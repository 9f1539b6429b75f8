"""Registry pages: `browse` reads (lists, details, search, reveal); `edit` writes via services."""
