"""Field-level encryption (AES-256-GCM) and blind indexes (HMAC-SHA256), with keys independent of SECRET_KEY.

Why a small field of our own rather than a package: django-cryptography and django-encrypted-fields are
unmaintained, and django-fernet-fields / several forks hand back the stored ciphertext when a key does not
fit. Here a value that cannot be decrypted raises `DecryptionError`: a page fails loudly instead of showing
ciphertext, and nothing ever writes ciphertext back as if it were the value. `cryptography` does the
cryptography; this module only chooses keys and a format.

Keys: `QADAM_FIELD_KEYS`, comma-separated base64url 32-byte keys. The first encrypts, all decrypt, so a
new key is put first and `qadam keys rotate` re-encrypts the rest. `QADAM_BLIND_INDEX_KEY` keys the HMAC
that makes IIN and phone findable by their exact value. Without them (development, tests) fixed
development keys are derived; `qadam check --deploy` refuses that.

A stored value is `qe1:<key id>:<base64url(nonce + ciphertext)>`; the key id is the start of the key's
SHA-256, and the field's name is the associated data, so a value copied into another column fails too.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import cache
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core import checks
from django.core.validators import MaxLengthValidator
from django.db import models

PREFIX = "qe1"
_DEV_FIELD_KEY = hashlib.sha256(b"qadam development field key, never for production").digest()
_DEV_INDEX_KEY = hashlib.sha256(b"qadam development blind index key, never for production").digest()


class DecryptionError(Exception):
    """A stored value could not be decrypted: a missing or wrong key, or a damaged value."""


def key_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:8]


def _decode_key(text: str) -> bytes:
    key = base64.urlsafe_b64decode(text.strip() + "=" * (-len(text.strip()) % 4))
    if len(key) != 32:
        raise ValueError("A Qadam encryption key is 32 bytes, base64url-encoded.")
    return key


@cache
def _field_keys(configured: tuple[str, ...]) -> tuple[tuple[str, bytes], ...]:
    keys = [_decode_key(k) for k in configured] or [_DEV_FIELD_KEY]
    return tuple((key_id(k), k) for k in keys)


def field_keys() -> tuple[tuple[str, bytes], ...]:
    """(key id, key) pairs, the encrypting key first."""
    return _field_keys(tuple(settings.QADAM_FIELD_KEYS))


def encrypt(plaintext: str, *, context: str) -> str:
    kid, key = field_keys()[0]
    nonce = os.urandom(12)
    sealed = AESGCM(key).encrypt(nonce, plaintext.encode(), context.encode())
    return f"{PREFIX}:{kid}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"


def is_encrypted(value: str) -> bool:
    return value.startswith(f"{PREFIX}:")


def encrypted_key_id(value: str) -> str:
    return value.split(":", 2)[1]


def decrypt(token: str, *, context: str) -> str:
    try:
        prefix, kid, body = token.split(":", 2)
    except ValueError:
        raise DecryptionError(f"The stored value of {context} is not encrypted.") from None
    if prefix != PREFIX:
        raise DecryptionError(f"The stored value of {context} has an unknown format.")
    key = dict(field_keys()).get(kid)
    if key is None:
        raise DecryptionError(f"No key in QADAM_FIELD_KEYS has id {kid}, which encrypted a value of {context}.")
    raw = base64.urlsafe_b64decode(body)
    try:
        return AESGCM(key).decrypt(raw[:12], raw[12:], context.encode()).decode()
    except InvalidTag:
        raise DecryptionError(f"A value of {context} does not decrypt with key {kid}: wrong key or damaged.") from None


def _index_key() -> bytes:
    configured = settings.QADAM_BLIND_INDEX_KEY
    return _decode_key(configured) if configured else _DEV_INDEX_KEY


def blind_index(kind: str, value: str) -> str:
    """The keyed hash that finds an exact value without storing it; `kind` keeps IINs and phones apart."""
    return hmac.new(_index_key(), f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def iin_index(iin: str | None) -> str | None:
    number = "".join(c for c in iin or "" if c.isdigit())
    return blind_index("iin", number) if number else None


def phone_number(text: str) -> str:
    """The 10 national digits of a Kazakhstan phone number (+7 or 8 dropped), or the digits as typed."""
    number = "".join(c for c in text if c.isdigit())
    return number[1:] if len(number) == 11 and number[0] in "78" else number


def phone_index(phone: str | None) -> str | None:
    number = phone_number(phone or "")
    return blind_index("phone", number) if number else None


class EncryptedTextField(models.TextField):
    """Text stored encrypted; read back decrypted. Only `isnull` lookups work: search through a blind index.

    `max_length` limits the plaintext (forms and `full_clean`); the column is text, for the ciphertext.
    None and "" are stored as they are, so that "no value" stays visible.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.max_length is not None:
            self.validators.append(MaxLengthValidator(self.max_length))

    @property
    def context(self) -> str:
        return f"{self.model._meta.label_lower}.{self.name}"

    def get_lookup(self, lookup_name: str) -> Any:
        # Equal plaintexts have different ciphertexts: any other lookup would silently find nothing.
        return super().get_lookup(lookup_name) if lookup_name == "isnull" else None

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        return decrypt(value, context=self.context) if value else value

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        return encrypt(value, context=self.context) if value else value

    def formfield(self, **kwargs: Any) -> Any:
        from django import forms

        return models.Field.formfield(self, **{"form_class": forms.CharField, "max_length": self.max_length, **kwargs})


def encrypted_fields() -> list[EncryptedTextField]:
    from django.apps import apps

    return [f for m in apps.get_models() for f in m._meta.concrete_fields if isinstance(f, EncryptedTextField)]


@checks.register(checks.Tags.security, deploy=True)
def check_keys(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """In production the keys must be set explicitly: the development keys are public."""
    errors: list[checks.CheckMessage] = []
    if not settings.QADAM_FIELD_KEYS:
        errors.append(
            checks.Error(
                "QADAM_FIELD_KEYS is not set: fields are encrypted with a public development key.", id="qadam.E001"
            )
        )
    if not settings.QADAM_BLIND_INDEX_KEY:
        errors.append(
            checks.Error(
                "QADAM_BLIND_INDEX_KEY is not set: blind indexes use a public development key.", id="qadam.E002"
            )
        )
    return errors


@checks.register(checks.Tags.security)
def check_key_format(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    try:
        [_decode_key(k) for k in settings.QADAM_FIELD_KEYS]
        if settings.QADAM_BLIND_INDEX_KEY:
            _decode_key(settings.QADAM_BLIND_INDEX_KEY)
    except ValueError as error:
        return [checks.Error(f"An encryption key is malformed: {error}", id="qadam.E003")]
    return []


def fields_rotate(*, batch: int = 1000) -> int:
    """Re-encrypt every encrypted value with the first key, a batch of rows per transaction; returns the
    number of values re-encrypted. Values already under the first key are left alone, so a run that stops
    can be started again; each value is decrypted before it is rewritten, so nothing is lost."""
    from django.db import connection, transaction

    rewritten = 0
    tables: dict[type[models.Model], list[EncryptedTextField]] = {}
    for field in encrypted_fields():
        tables.setdefault(field.model, []).append(field)
    quote = connection.ops.quote_name
    for model, fields in tables.items():
        table, pk = quote(model._meta.db_table), quote(str(model._meta.pk.column))
        columns = ", ".join(quote(str(f.column)) for f in fields)
        # Names come from the models' metadata; values travel as parameters.
        select = f"SELECT {pk}, {columns} FROM {table} WHERE {pk} > %s ORDER BY {pk} LIMIT %s"  # noqa: S608
        last: Any = None
        while True:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(select, [last if last is not None else -1, batch])
                rows = cursor.fetchall()
                for row in rows:
                    rewritten += _row_rotate(cursor, table, pk, row, fields)
            if len(rows) < batch:
                break
            last = rows[-1][0]
    return rewritten


def _row_rotate(cursor: Any, table: str, pk: str, row: tuple[Any, ...], fields: list[EncryptedTextField]) -> int:
    from django.db import connection

    current = field_keys()[0][0]
    changed = {
        str(f.column): encrypt(decrypt(value, context=f.context), context=f.context)
        for f, value in zip(fields, row[1:], strict=True)
        if value and encrypted_key_id(value) != current
    }
    if changed:
        sets = ", ".join(f"{connection.ops.quote_name(c)} = %s" for c in changed)
        cursor.execute(f"UPDATE {table} SET {sets} WHERE {pk} = %s", [*changed.values(), row[0]])  # noqa: S608
    return len(changed)


def encrypt_column(table: str, column: str, *, context: str) -> Any:
    """The migration operation that encrypts a column's existing plaintext (a field turned encrypted).

    Raw SQL: the model's field would try to decrypt the plaintext it reads. Values already encrypted are
    left as they are, so the operation may run twice.
    """
    from django.db.migrations import RunPython

    def run(apps: Any, schema_editor: Any) -> None:
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(f"SELECT id, {column} FROM {table}")  # noqa: S608 - names from the migration
            for pk, value in cursor.fetchall():
                if value and not is_encrypted(value):
                    sealed = encrypt(value, context=context)
                    cursor.execute(f"UPDATE {table} SET {column} = %s WHERE id = %s", [sealed, pk])  # noqa: S608

    return RunPython(run, RunPython.noop)
