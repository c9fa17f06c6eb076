"""Evidence for adopters: the data inventory (every table and column, in words), and the
service's published statements' facts; docs/safety/ holds the hazard log."""
