"""Integrator clients: their credentials and scopes, the client-credentials grant, and who is
asking when a client calls (``ClientPrincipal``, ``require_scopes``)."""
