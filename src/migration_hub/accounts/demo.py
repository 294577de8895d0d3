"""Demo organizations and one account per role, for `migration-hub demo`."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from migration_hub.core.models import Country

from . import services
from .choices import OrganizationKind, Role
from .models import Organization, User

PASSWORDS_FILE = "demo-accounts.json"
DEMO_ORGANIZATIONS = [
    # code, name, acronym, kind, country (alpha-3)
    (
        "DEMO-SECRETARIAT",
        "Demo Network Secretariat",
        "DNS",
        OrganizationKind.NETWORK_SECRETARIAT,
        "CHE",
    ),
    (
        "DEMO-MINISTRY",
        "Demo Ministry of Labour and Migration",
        "DMLM",
        OrganizationKind.MINISTRY,
        "KEN",
    ),
]


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str
    organization: str


def _passwords(directory: Path) -> dict[str, str]:
    path = directory / PASSWORDS_FILE
    return json.loads(path.read_text()) if path.exists() else {}


def _save_passwords(directory: Path, passwords: dict[str, str]) -> None:
    path = directory / PASSWORDS_FILE
    path.write_text(json.dumps(passwords, indent=1, sort_keys=True))
    path.chmod(0o600)


@transaction.atomic
def ensure_demo_accounts(directory: Path) -> list[DemoAccount]:
    """Create what is missing; keep passwords in the data directory so a rerun prints the same."""
    organizations = []
    for code, name, acronym, kind, alpha3 in DEMO_ORGANIZATIONS:
        organization = Organization.objects.filter(code=code).first()
        if organization is None:
            organization = services.create_organization(
                actor=None,
                code=code,
                name=name,
                acronym=acronym,
                kind=kind,
                country=Country.objects.filter(alpha3=alpha3).first(),
            )
        organizations.append(organization)
    home, ministry = organizations
    passwords = _passwords(directory)
    wanted = [(f"demo-{role.replace('_', '-')}", role, home) for role in Role.values]
    # A member of a second organization shows that organizations do not see each other's members.
    wanted.append(("demo-ministry-editor", Role.EDITOR, ministry))
    accounts = []
    for username, role, organization in wanted:
        user = User.objects.filter(username=username).first()
        if user is None or username not in passwords:
            passwords[username] = secrets.token_urlsafe(12)
            if user is None:
                user = services.create_user(
                    actor=None,
                    username=username,
                    password=passwords[username],
                    email=f"{username}@example.org",
                    first_name="Demo",
                    last_name=str(Role(role).label),
                )
            else:
                user.set_password(passwords[username])
                user.save(update_fields=["password"])
        if role == Role.ADMINISTRATOR and organization == home and not user.is_superuser:
            user.is_staff = user.is_superuser = True
            user.save(update_fields=["is_staff", "is_superuser"])
        services.grant_role(actor=None, user=user, organization=organization, role=role)
        accounts.append(DemoAccount(username, passwords[username], role, organization.name))
    _save_passwords(directory, passwords)
    return accounts
