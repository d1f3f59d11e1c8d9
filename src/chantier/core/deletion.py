"""Deleting with a clear refusal while other rows still reference the object.

Every app deletes through `delete_or_refuse`, and the confirmation page shows
`deletion_refusal` before the user tries, so the reason is the same in both places.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from django.db import router, transaction
from django.db.models import Model, ProtectedError, RestrictedError
from django.db.models.deletion import Collector
from django.utils.translation import gettext as _

from chantier.core.exceptions import InUse
from chantier.core.models import Company, User
from chantier.core.services import audit_log

Describe = Callable[[Model, Iterable[Model]], str]


def count_blockers(obj: Model, blockers: Iterable[Model]) -> str:
    """'This cannot be deleted: it is used by 2 sites and 1 contact.' (most numerous first)."""
    counts = Counter(type(blocker) for blocker in blockers)
    parts = []
    for model, count in sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0]._meta))):
        meta = model._meta
        noun = meta.verbose_name if count == 1 else meta.verbose_name_plural
        parts.append(f"{count} {noun}")
    if len(parts) > 1:
        things = _("%(first)s and %(last)s") % {"first": ", ".join(parts[:-1]), "last": parts[-1]}
    else:
        things = parts[0] if parts else ""
    return _("%(object)s cannot be deleted: it is used by %(things)s.") % {
        "object": str(obj),
        "things": things,
    }


def _blockers(obj: Model) -> list[Model]:
    collector = Collector(using=router.db_for_write(type(obj)), origin=obj)
    try:
        collector.collect([obj])
    except ProtectedError as exc:
        return list(exc.protected_objects)
    except RestrictedError as exc:
        return list(exc.restricted_objects)
    return []


def deletion_refusal(obj: Model, describe: Describe = count_blockers) -> str | None:
    """Why `obj` cannot be deleted (shown before asking), or None when it can be."""
    blockers = _blockers(obj)
    return describe(obj, blockers) if blockers else None


def delete_audited(
    *,
    user: User,
    company: Company,
    obj: Model,
    action: str,
    data: dict[str, Any] | None = None,
    describe: Describe = count_blockers,
) -> None:
    """Delete `obj` with its audit entry, or raise InUse (the caller's transaction then
    rolls the entry back). The entry is written first, while the object still has its pk."""
    audit_log(company=company, user=user, action=action, obj=obj, data=data or {"name": str(obj)})
    delete_or_refuse(obj, describe)


def delete_or_refuse(obj: Model, describe: Describe = count_blockers) -> None:
    """Delete `obj` in a savepoint, or raise InUse naming what still references it."""
    try:
        with transaction.atomic():
            obj.delete()
    except ProtectedError as exc:
        raise InUse(describe(obj, exc.protected_objects)) from None
    except RestrictedError as exc:
        raise InUse(describe(obj, exc.restricted_objects)) from None
