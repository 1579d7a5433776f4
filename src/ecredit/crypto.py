"""Personal data at rest: Fernet encryption with rotatable keys, and keyed digests for lookups.

``settings.FIELD_ENCRYPTION_KEYS`` is a list of Fernet keys, newest first: new values are
encrypted with the first, and every key in the list can still decrypt. To rotate, put a new key
first and run ``ecredit registry rotate-keys``; then the old key can be dropped.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


@lru_cache(maxsize=4)
def _multi(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def _fernet() -> MultiFernet:
    return _multi(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(plain: str) -> str:
    return _fernet().encrypt(plain.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("无法解密：没有可用的密钥（FIELD_ENCRYPTION_KEYS 缺少旧密钥？）") from exc


def lookup_digest(purpose: str, plain: str) -> str:
    """A keyed SHA-256 of a normalised value, so an exact lookup (is this ID already registered?)
    needs no decryption and the digest alone reveals nothing. Keyed with the newest field key's
    derivation; ``rotate-keys`` recomputes digests together with the ciphertexts."""
    key = hashlib.sha256(("ecredit.lookup:" + settings.FIELD_ENCRYPTION_KEYS[0]).encode()).digest()
    return hmac.new(key, f"{purpose}:{plain}".encode(), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """A text column holding a Fernet token; Python code sees the plaintext.

    Encrypted values cannot be filtered on: store a ``lookup_digest`` beside them for exact search."""

    description = "Text encrypted at rest (Fernet)"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))


def encrypted_fields() -> list[tuple[type[models.Model], list[str]]]:
    """Every model with encrypted columns, and those columns' names."""
    from django.apps import apps

    found = []
    for model in apps.get_models():
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if names:
            found.append((model, names))
    return found
