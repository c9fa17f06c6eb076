"""Privacy rights: download everything about me, delete my account. The one flow that
reaches every domain; each domain's own part lives with it (e.g. api/contact/privacy.py)."""
