"""One-row INSERT and lookup with statements built once per model, for the hottest paths:
the event chain (every write of the application appends to it) and the public feedback
form. There the ORM's statement building cost more CPU than the database's work (about
0.3 ms a statement against 0.1 ms; see docs/performance.md).

The values are the ones ``Model.save()`` writes: each field's ``pre_save`` (``auto_now``
and ``auto_now_add`` included) prepared by ``get_db_prep_save`` for the connection, so JSON,
dates and foreign keys are stored exactly as the ORM stores them (tests/orgs/test_rows.py
compares the two). No signals are sent: nothing in this project listens to these models'
saves. Anything else should use the ORM."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db import connections, models, router
from django.db.backends.base.base import BaseDatabaseWrapper

M = TypeVar("M", bound=models.Model)
Converter = Callable[[Any, Any, BaseDatabaseWrapper], Any]

# Fields whose value Model.save() writes as it is when it is a str, int, bool or None (their
# pre_save reads the attribute; get_db_prep_save returns such a value unchanged): the
# preparation is skipped for them. Subclasses are not in the set, and JSON, dates,
# decimals and the like always go through get_db_prep_save.
_PLAIN_FIELDS = (
    models.CharField,
    models.TextField,
    models.SlugField,
    models.EmailField,
    models.BooleanField,
    models.IntegerField,
    models.BigIntegerField,
    models.PositiveBigIntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.SmallIntegerField,
    models.ForeignKey,
)
_PLAIN_VALUES = (str, int, bool, type(None))
Prepare = tuple["models.Field[Any, Any]", bool]
_INSERTS: dict[tuple[type[models.Model], str], tuple[str, str, str, list[Prepare]]] = {}
_SELECTS: dict[
    tuple[type[models.Model], str, str],
    tuple[str, list[str], list[tuple[int, list[Converter], Any]]],
] = {}


def _insert_statement(
    model: type[models.Model], connection: BaseDatabaseWrapper, unless: str = ""
) -> tuple[str, list[Prepare]]:
    """``INSERT INTO table (columns) VALUES (%s, ...) RETURNING pk``; with ``unless`` (a
    query), ``INSERT INTO table (columns) SELECT %s, ... WHERE NOT EXISTS (unless)
    RETURNING pk``."""
    key = (model, connection.alias)
    if key not in _INSERTS:
        meta = model._meta
        written = [f for f in meta.local_concrete_fields if not f.primary_key]
        quote = connection.ops.quote_name
        columns = ", ".join(quote(f.column) for f in written)
        _INSERTS[key] = (
            f"INSERT INTO {quote(meta.db_table)} ({columns})",
            ", ".join(["%s"] * len(written)),
            f"RETURNING {quote(meta.pk.column)}",
            [(f, type(f) in _PLAIN_FIELDS) for f in written],
        )
    into, marks, returning, fields = _INSERTS[key]
    if unless:
        # PostgreSQL types the SELECT's literals by the columns they go to, as VALUES'.
        return f"{into} SELECT {marks} WHERE NOT EXISTS ({unless}) {returning}", fields
    return f"{into} VALUES ({marks}) {returning}", fields


def _fetch_one(connection: BaseDatabaseWrapper, sql: str, params: list[Any]) -> Any:
    # Django's cursor (parameters bound in the client): a server-binding psycopg cursor
    # measured slower here (4.6 against 4.1 ms of CPU a feedback POST).
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def _prepared(
    instance: models.Model, unless: str = ""
) -> tuple[BaseDatabaseWrapper, str, list[Any]]:
    model = type(instance)
    if instance.pk is not None or not instance._state.adding:
        raise ValueError(f"{model.__name__} is already saved.")
    connection = connections[router.db_for_write(model, instance=instance)]
    sql, fields = _insert_statement(model, connection, unless)
    params = []
    for field, plain in fields:
        if plain:
            value = getattr(instance, field.attname)
            if type(value) not in _PLAIN_VALUES:
                value = field.get_db_prep_save(value, connection)
        else:
            value = field.get_db_prep_save(field.pre_save(instance, True), connection)
        params.append(value)
    return connection, sql, params


def _saved(instance: M, connection: BaseDatabaseWrapper, pk: Any) -> M:
    instance.pk = pk
    instance._state.adding = False
    instance._state.db = connection.alias
    return instance


def insert(instance: M) -> M:
    """Insert a new, unsaved instance (automatic primary key) and set its ``pk``."""
    connection, sql, params = _prepared(instance)
    row = _fetch_one(connection, sql, params)
    assert row is not None
    return _saved(instance, connection, row[0])


def insert_with(
    instance: models.Model,
    query: str,
    params: list[Any],
    *,
    unless: tuple[str, list[Any]] | None = None,
) -> tuple[Any, ...] | None:
    """Insert a new, unsaved instance and run ``query`` (a SELECT with ``%s``
    placeholders, which may lock what it reads: FOR UPDATE) in the same transaction.
    Returns ``(pk, *the query's first row)``, the query's columns None when it found
    nothing. With ``unless`` (a query and its parameters), nothing is inserted, and None
    returned, when that query finds a row: it sees what the insert's snapshot sees, so
    concurrent writers of the same row must take turns some other way (a lock taken in an
    earlier statement).

    On PostgreSQL one statement (the insert in a WITH clause, the query joined LATERAL to
    it: PostgreSQL types the SELECT's literals by the columns they go to, as VALUES');
    elsewhere two."""
    unless_sql, unless_params = unless or ("", [])
    connection, insert_sql, insert_params = _prepared(instance, unless=unless_sql)
    insert_params += unless_params
    if connection.vendor == "postgresql":
        row = _fetch_one(
            connection,
            f"WITH new_row AS ({insert_sql}) SELECT new_row.*, found.* FROM new_row "  # noqa: S608 - the model's statement and the caller's
            f"LEFT JOIN LATERAL ({query}) found ON TRUE",
            [*insert_params, *params],
        )
    else:
        row = _fetch_one(connection, insert_sql, insert_params)
        if row is not None:
            with connection.cursor() as cursor:
                cursor.execute(query, params)
                found = cursor.fetchone()
                width = len(cursor.description or ())
            row = (row[0], *(found if found is not None else (None,) * width))
    if row is None:
        return None
    _saved(instance, connection, row[0])
    return tuple(row)


def insert_then(instance: models.Model, sql: str, params: list[Any]) -> int:
    """``insert(instance)``, then one more data-changing statement (an UPDATE or DELETE
    with ``%s`` placeholders, without RETURNING) in the same transaction; returns how many
    rows that one changed. On PostgreSQL the two are one statement (data-modifying WITH
    clauses: one round trip instead of two); elsewhere two."""
    connection, insert_sql, insert_params = _prepared(instance)
    if connection.vendor == "postgresql":
        row = _fetch_one(
            connection,
            f"WITH new_row AS ({insert_sql}), changed AS ({sql} RETURNING 1) "  # noqa: S608 - the caller's statement and the model's
            "SELECT (SELECT * FROM new_row), (SELECT COUNT(*) FROM changed)",
            [*insert_params, *params],
        )
        changed = int(row[1])  # the statement always answers one row
    else:
        row = _fetch_one(connection, insert_sql, insert_params)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            changed = int(cursor.rowcount)
    assert row is not None
    _saved(instance, connection, row[0])
    return changed


def _select_statement(
    model: type[models.Model], connection: BaseDatabaseWrapper, column: str
) -> tuple[str, list[str], list[tuple[int, list[Converter], Any]]]:
    key = (model, connection.alias, column)
    if key not in _SELECTS:
        meta = model._meta
        field = meta.get_field(column)
        alone = {
            tuple(c.fields)
            for c in meta.constraints
            if isinstance(c, models.UniqueConstraint) and c.condition is None
        }
        if not (getattr(field, "unique", False) or (column,) in alone):
            raise ValueError(f"{model.__name__}.{column} is not unique.")
        concrete = list(meta.concrete_fields)
        quote = connection.ops.quote_name
        columns = ", ".join(quote(f.column) for f in concrete)
        # What the ORM applies to each value read (JSON decoded, SQLite's dates made aware).
        converters = []
        for i, f in enumerate(concrete):
            col = f.get_col(meta.db_table)
            found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
            if found:
                converters.append((i, found, col))
        _SELECTS[key] = (
            f"SELECT {columns} FROM {quote(meta.db_table)} "  # noqa: S608 - names from the model
            f"WHERE {quote(str(getattr(field, 'column', column)))} = %s",
            [f.attname for f in concrete],
            converters,
        )
    return _SELECTS[key]


def get_by(model: type[M], column: str, value: Any) -> M | None:
    """The one row whose unique ``column`` equals ``value``, or None."""
    alias = router.db_for_read(model)
    connection = connections[alias]
    sql, names, converters = _select_statement(model, connection, column)
    row = _fetch_one(connection, sql, [value])
    if row is None:
        return None
    values = list(row)
    for i, found, col in converters:
        for converter in found:
            values[i] = converter(values[i], col, connection)
    return model.from_db(alias, names, values)
