"""OpenAPI components are keyed by the schema class name: two apps declaring, say, an
`AddressOut` each would silently publish one of them for both (and the fuzz test then finds
answers that break the published schema). Every schema class name must be unique."""

from collections import defaultdict

from ninja import Schema

import chantier.api.main  # noqa: F401  (imports every router and its schemas)

BASES = {"ObjectIn"}  # abstract helpers, never a component of their own


def _subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found.append(sub)
        found.extend(_subclasses(sub))
    return found


def test_every_schema_class_name_is_unique() -> None:
    modules: dict[str, set[str]] = defaultdict(set)
    for schema in _subclasses(Schema):
        if schema.__module__.startswith("chantier.") and schema.__name__ not in BASES:
            modules[schema.__name__].add(schema.__module__)
    assert {name: where for name, where in modules.items() if len(where) > 1} == {}
