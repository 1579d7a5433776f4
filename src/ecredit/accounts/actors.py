"""Who is acting: a signed-in user, an API token, or the system itself (CLI, demo loader)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ecredit.accounts.roles import Action, Role, actions_for


@dataclass(frozen=True)
class Actor:
    label: str
    user_id: int | None = None
    organisation_id: int | None = None
    organisation_name: str = ""
    via: str = "web"  # web | api | cli | system
    roles: frozenset[Role] = frozenset()
    scopes: frozenset[Action] | None = None  # an API token's scopes narrow its organisation's rights
    token_id: int | None = None
    extra: dict[str, str] = field(default_factory=dict, compare=False)

    def can(self, action: Action) -> bool:
        if self.via == "system":
            return True
        if self.scopes is not None:
            return action is Action.PUBLIC or action in self.scopes
        return action in actions_for(self.roles)


SYSTEM = Actor(label="系统", via="system")


def cli_actor(command: str) -> Actor:
    """Someone with shell access to the server runs a command: the system acts, labelled by command."""
    return Actor(label=f"命令行：{command}", via="system")
