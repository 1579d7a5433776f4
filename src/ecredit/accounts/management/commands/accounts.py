from __future__ import annotations

import getpass
import os
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ecredit.accounts import services
from ecredit.accounts.actors import cli_actor
from ecredit.accounts.models import Organisation, User
from ecredit.accounts.roles import ORG_KIND_LABELS, ROLE_LABELS
from ecredit.errors import DomainError


class Command(BaseCommand):
    help = "机构与用户管理 / manage organisations and users (each change is audited)"

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        org = sub.add_parser("create-org", help="新建机构 / create an organisation")
        org.add_argument("name")
        org.add_argument("kind", choices=[kind.value for kind in ORG_KIND_LABELS])
        org.add_argument("--uscc", default="")
        user = sub.add_parser("create-user", help="新建用户 / create a user")
        user.add_argument("username")
        user.add_argument("--org", required=True, help="机构名称 / organisation name")
        user.add_argument("--role", action="append", required=True, choices=[role.value for role in ROLE_LABELS])
        user.add_argument("--name", default="", help="姓名 / display name")
        user.add_argument(
            "--password-env",
            default="",
            help="从该环境变量读取密码，否则交互输入 / read the password from this variable",
        )
        roles = sub.add_parser("set-roles", help="设置用户角色 / set a user's roles")
        roles.add_argument("username")
        roles.add_argument("--role", action="append", required=True, choices=[role.value for role in ROLE_LABELS])
        sub.add_parser("list", help="列出机构与用户 / list organisations and users")

    def handle(self, *args: Any, verb: str, **options: Any) -> None:
        actor = cli_actor(f"ecredit accounts {verb}")
        try:
            if verb == "create-org":
                org = services.create_organisation(
                    actor=actor, name=options["name"], kind=options["kind"], uscc=options["uscc"]
                )
                self.stdout.write(f"已创建机构 / created organisation: {org.name} (#{org.pk})")
            elif verb == "create-user":
                member_of = Organisation.objects.filter(name=options["org"]).first()
                if member_of is None:
                    raise CommandError(f"未找到机构“{options['org']}” / no such organisation", returncode=2)
                user = services.create_user(
                    actor=actor,
                    organisation=member_of,
                    username=options["username"],
                    password=self._password(options["password_env"]),
                    roles=options["role"],
                    display_name=options["name"],
                )
                self.stdout.write(f"已创建用户 / created user: {user.username} (#{user.pk})")
            elif verb == "set-roles":
                found = User.objects.filter(username=options["username"]).first()
                if found is None:
                    raise CommandError(f"未找到用户“{options['username']}” / no such user", returncode=2)
                services.set_roles(actor=actor, user=found, roles=options["role"])
                self.stdout.write(f"已更新角色 / roles set: {found.username}: {', '.join(sorted(options['role']))}")
            else:
                for org in Organisation.objects.prefetch_related("users__role_grants"):
                    self.stdout.write(f"{org.name}  [{org.kind}]")
                    for member in org.users.all():
                        roles = ", ".join(grant.role for grant in member.role_grants.all())
                        self.stdout.write(f"    {member.username:<16} {roles}")
        except DomainError as exc:
            raise CommandError(exc.message, returncode=2) from None

    def _password(self, variable: str) -> str:
        if variable:
            value = os.environ.get(variable, "")
            if not value:
                raise CommandError(f"环境变量 {variable} 为空 / variable {variable} is empty", returncode=2)
            return value
        first = getpass.getpass("密码 / password: ")
        if first != getpass.getpass("再次输入 / again: "):
            raise CommandError("两次输入的密码不一致 / the passwords differ", returncode=2)
        return first
