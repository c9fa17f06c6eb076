"""Administration: staff accounts and their roles, and the staff audit log's pages."""
