"""Sessions and messages inside the agreed boundaries; see docs/contact.md."""
