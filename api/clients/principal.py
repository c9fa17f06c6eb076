"""Who is asking when an integrator calls: a client, with the scopes its token carries."""

from dataclasses import dataclass
from uuid import UUID


@dataclass(frozen=True)
class ClientPrincipal:
    client_id: UUID
    name: str
    scopes: frozenset[str]

    def has(self, scope: str) -> bool:
        return scope in self.scopes
