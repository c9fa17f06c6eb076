"""What every job needs, handed to it by the worker that runs it (never a module global)."""

from dataclasses import dataclass

import httpx
from procrastinate import JobContext
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.config import Settings
from api.webhooks.deliveries import MayHear, nobody
from api.webhooks.health import Tell, log_only

KEY = "kindred"


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    sessionmaker: async_sessionmaker[AsyncSession]
    http: httpx.AsyncClient
    # Which integrator's client may hear of which event (scopes, referrals).
    may_hear: MayHear = nobody
    # How a client is told that Kindred disabled its endpoint.
    tell: Tell = log_only


def runtime_of(context: JobContext) -> Runtime:
    runtime = context.additional_context.get(KEY)
    if not isinstance(runtime, Runtime):
        raise RuntimeError("This job was run by a worker without Kindred's runtime.")
    return runtime
