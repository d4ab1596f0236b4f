"""Outside data in: validation rules, file readers, imports, proposals and moderation."""
