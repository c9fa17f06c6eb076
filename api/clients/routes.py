"""Administrators' routes for integrator clients (every one needs an administrator)."""

from uuid import UUID

from fastapi import APIRouter, status

from api.auth.deps import CurrentAdmin
from api.clients import service as clients
from api.clients.schemas import (
    ClientChange,
    ClientIn,
    ClientIssued,
    ClientOut,
    SecretRotation,
)
from api.db import SessionDep
from api.deps import PageDep, SettingsDep
from api.errors import problem_response_docs
from api.paging import ListOut

router = APIRouter(prefix="/admin/clients", tags=["admin: integrator clients"])


def _issued(found: clients.Issued) -> ClientIssued:
    return ClientIssued(**ClientOut.of(found.view).model_dump(), client_secret=found.secret)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ClientIssued)
async def create_client(
    body: ClientIn, admin: CurrentAdmin, db: SessionDep, settings: SettingsDep
) -> ClientIssued:
    """A new integrator client with its scopes. The answer holds the client secret: it is
    shown this once, and Kindred keeps only a hash of it."""
    found = await clients.create_client(
        db, admin, settings=settings, name=body.name, scopes=list(body.scopes)
    )
    return _issued(found)


@router.get("", response_model=ListOut[ClientOut])
async def list_clients(admin: CurrentAdmin, db: SessionDep, window: PageDep) -> ListOut[ClientOut]:
    """Every client, newest first, revoked ones included (secrets as hints only)."""
    found, more = await clients.list_clients(db, admin, window=window)
    return ListOut(data=[ClientOut.of(v) for v in found], has_more=more)


@router.get("/{client_id}", response_model=ClientOut)
async def get_client(client_id: UUID, admin: CurrentAdmin, db: SessionDep) -> ClientOut:
    """One client, with the hints of the secrets that work now."""
    return ClientOut.of(await clients.get_client(db, admin, client_id=client_id))


@router.patch("/{client_id}", response_model=ClientOut, responses=problem_response_docs(409))
async def change_client(
    client_id: UUID, body: ClientChange, admin: CurrentAdmin, db: SessionDep
) -> ClientOut:
    """Rename a client or change its scopes. A scope taken away stops working at once, in
    tokens already issued too."""
    view = await clients.change_client(
        db,
        admin,
        client_id=client_id,
        name=body.name,
        scopes=list(body.scopes) if body.scopes is not None else None,
    )
    return ClientOut.of(view)


@router.post(
    "/{client_id}/secrets",
    status_code=status.HTTP_201_CREATED,
    response_model=ClientIssued,
    responses=problem_response_docs(409),
)
async def rotate_secret(
    client_id: UUID,
    admin: CurrentAdmin,
    db: SessionDep,
    settings: SettingsDep,
    body: SecretRotation | None = None,
) -> ClientIssued:
    """A new secret, shown this once. The current one keeps working for `overlap_hours`
    (24 by default), so the integrator can switch over without a gap."""
    overlap = (body or SecretRotation()).overlap_hours
    found = await clients.rotate_secret(
        db, admin, settings=settings, client_id=client_id, overlap_hours=overlap
    )
    return _issued(found)


@router.post("/{client_id}/revoke", response_model=ClientOut)
async def revoke_client(client_id: UUID, admin: CurrentAdmin, db: SessionDep) -> ClientOut:
    """Revoke a client for good: its secrets and every token it holds stop working at once."""
    return ClientOut.of(await clients.revoke(db, admin, client_id=client_id))
