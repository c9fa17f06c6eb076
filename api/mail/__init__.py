"""E-mail: composing a discreet message, the outgoing queue (`mail_out`), sending through SMTP."""
