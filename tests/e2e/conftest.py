"""Service-level tests talk to the API as an integration account would: with an API key."""

from __future__ import annotations

from kuzet.access.model import Role
from kuzet.access.service import AccessService

E2E_PERMISSIONS = ["cameras.read", "events.read", "snapshots.read", "live.read", "metrics.read"]


def integration_key(access: AccessService, name: str = "e2e") -> str:
    """A fresh integration account in the situation centre (sees every camera) and its key."""
    access.seed_agencies()
    user, _ = access.accounts.create_user(None, name, "situation-centre", Role.INTEGRATION)
    _, key = access.keys.create(None, user["id"], E2E_PERMISSIONS)
    return key
