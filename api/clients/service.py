"""What administrators do with integrator clients: create (the secret shown once), rotate a
secret with an overlap, change the name or scopes, revoke, and look them up."""

from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from sqlalchemy import or_, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from api.auth.principal import Principal
from api.clients import credentials
from api.clients.models import ClientSecret, IntegratorClient
from api.clients.scopes import SCOPES, unknown
from api.common import utcnow
from api.config import Settings
from api.errors import Conflict, Forbidden, Invalid, NotFound
from api.paging import Order, Window, page

MAX_OVERLAP_HOURS = 24 * 30


@dataclass(frozen=True)
class ClientView:
    """A client as administrators see it: never a secret, only each live secret's hint."""

    client: IntegratorClient
    secrets: list[ClientSecret]


@dataclass(frozen=True)
class Issued:
    """A client and its new secret: the only time the secret is ever shown."""

    view: ClientView
    secret: str


def _require_admin(me: Principal) -> None:
    if not me.is_admin:
        raise Forbidden("Only an administrator can manage integrator clients.")


def _clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not 2 <= len(name) <= 80:
        raise Invalid.field("name", "Give the client a name of 2 to 80 characters.")
    return name


def _clean_scopes(scopes: list[str]) -> list[str]:
    if bad := unknown(scopes):
        raise Invalid.field("scopes", f"Unknown scope {bad[0]!r}: choose from {', '.join(SCOPES)}.")
    if not scopes:
        raise Invalid.field("scopes", "Choose at least one scope.")
    return [s for s in SCOPES if s in scopes]  # in the list's own order, once each


async def _live_secrets(db: AsyncSession, client_ids: list[UUID]) -> dict[UUID, list[ClientSecret]]:
    now = utcnow()
    found: dict[UUID, list[ClientSecret]] = {c: [] for c in client_ids}
    for secret in await db.scalars(
        select(ClientSecret)
        .where(
            col(ClientSecret.client_id).in_(client_ids),
            or_(col(ClientSecret.expires_at).is_(None), col(ClientSecret.expires_at) > now),
        )
        .order_by(col(ClientSecret.created_at).desc())
    ):
        found[secret.client_id].append(secret)
    return found


async def _add_secret(
    db: AsyncSession, settings: Settings, client: IntegratorClient, me: Principal
) -> str:
    secret = credentials.new_secret()
    db.add(
        ClientSecret(
            client_id=client.id,
            secret_hash=credentials.hash_secret(settings, secret),
            hint=credentials.hint(secret),
            created_by=me.user_id,
        )
    )
    await db.flush()
    return secret


async def _view(db: AsyncSession, client: IntegratorClient) -> ClientView:
    live = [] if client.revoked_at else (await _live_secrets(db, [client.id]))[client.id]
    return ClientView(client=client, secrets=live)


async def create_client(
    db: AsyncSession, me: Principal, *, settings: Settings, name: str, scopes: list[str]
) -> Issued:
    """A new client and its first secret."""
    _require_admin(me)
    client = IntegratorClient(
        name=_clean_name(name), scopes=_clean_scopes(scopes), created_by=me.user_id
    )
    db.add(client)
    await db.flush()
    secret = await _add_secret(db, settings, client, me)
    return Issued(view=await _view(db, client), secret=secret)


async def _get(db: AsyncSession, client_id: UUID, *, for_update: bool = False) -> IntegratorClient:
    query = select(IntegratorClient).where(IntegratorClient.id == client_id)
    client = await db.scalar(query.with_for_update() if for_update else query)
    if client is None:
        raise NotFound("No such client.")
    return client


async def get_client(db: AsyncSession, me: Principal, *, client_id: UUID) -> ClientView:
    _require_admin(me)
    return await _view(db, await _get(db, client_id))


async def list_clients(
    db: AsyncSession,
    me: Principal,
    *,
    window: Window,
) -> tuple[list[ClientView], bool]:
    """Every client, newest first, revoked ones included."""
    _require_admin(me)
    order = Order(col(IntegratorClient.created_at), col(IntegratorClient.id), descending=True)
    found = await page(db, select(IntegratorClient), order, window)
    rows, more = found.items, found.has_more
    clients = [row[0] for row in rows]
    live = await _live_secrets(db, [c.id for c in clients if not c.revoked_at])
    return [ClientView(client=c, secrets=live.get(c.id, [])) for c in clients], more


async def change_client(
    db: AsyncSession,
    me: Principal,
    *,
    client_id: UUID,
    name: str | None = None,
    scopes: list[str] | None = None,
) -> ClientView:
    """Rename a client or change its scopes; tokens already made lose removed scopes at once."""
    _require_admin(me)
    client = await _get(db, client_id)
    if client.revoked_at:
        raise Conflict("This client is revoked; create a new one instead.")
    if name is not None:
        client.name = _clean_name(name)
    if scopes is not None:
        client.scopes = _clean_scopes(scopes)
    await db.flush()
    return await _view(db, client)


async def rotate_secret(
    db: AsyncSession,
    me: Principal,
    *,
    settings: Settings,
    client_id: UUID,
    overlap_hours: int = 24,
) -> Issued:
    """A new secret. The current one keeps working for `overlap_hours` (0: stops now), so the
    integrator can switch without a gap; any older one still in its overlap stops now, so at
    most two secrets ever work at once."""
    _require_admin(me)
    if not 0 <= overlap_hours <= MAX_OVERLAP_HOURS:
        raise Invalid.field(
            "overlap_hours", f"Choose an overlap from 0 to {MAX_OVERLAP_HOURS} hours."
        )
    client = await _get(db, client_id, for_update=True)
    if client.revoked_at:
        raise Conflict("This client is revoked; create a new one instead.")
    now = utcnow()
    live = (await _live_secrets(db, [client.id]))[client.id]
    for secret in live:
        if secret.expires_at is None:
            secret.expires_at = now + timedelta(hours=overlap_hours)
        else:
            secret.expires_at = now
    new = await _add_secret(db, settings, client, me)
    return Issued(view=await _view(db, client), secret=new)


async def revoke(db: AsyncSession, me: Principal, *, client_id: UUID) -> ClientView:
    """Revoke a client for good: its secrets and every token made with them stop at once."""
    _require_admin(me)
    client = await _get(db, client_id, for_update=True)
    if client.revoked_at is None:
        client.revoked_at, client.revoked_by = utcnow(), me.user_id
        await db.execute(
            update(ClientSecret)
            .where(
                col(ClientSecret.client_id) == client.id,
                or_(
                    col(ClientSecret.expires_at).is_(None),
                    col(ClientSecret.expires_at) > client.revoked_at,
                ),
            )
            .values(expires_at=client.revoked_at)
            .execution_options(synchronize_session=False)
        )
        await db.flush()
    return ClientView(client=client, secrets=[])
