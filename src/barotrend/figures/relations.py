"""How the groups of a wave relate: partition, disjoint, nested, or unknown (``groups.csv``).

A group table (``Dataset.groups``; columns ``survey``, ``wave``, ``group``, ``parent``,
``relation``) states, per survey (and optionally per wave), the group each group lies within
(its *parent*; ``all`` is the wave's respondents) and how it lies there:

* ``partition``: the groups of a parent with this relation are disjoint and make up the parent;
* ``disjoint``: disjoint from every ``disjoint``/``partition`` sibling, not covering the parent;
* ``nested``: a subset of the parent that may overlap its siblings.

:meth:`GroupRelations.relate` answers, for two groups of a wave, whether they are known to be
disjoint (siblings under one parent with relation partition/disjoint, or descendants of such
siblings), one within the other (``all`` holds every group), possibly overlapping (a ``nested``
group against a sibling or its descendants), or of unknown relation (a group the table does not
name). A row with a blank ``wave`` holds in every wave of its survey; a row naming the wave
replaces it there.
"""

from __future__ import annotations

from typing import NamedTuple

import pandas as pd

RELATIONS = ("partition", "disjoint", "nested")
COLUMNS = ["survey", "wave", "group", "parent", "relation", "label"]
SEPARATE = ("partition", "disjoint")


class Relation(NamedTuple):
    """Relation of group ``a`` to group ``b`` in one wave.

    ``kind``: ``"disjoint"``, ``"a_in_b"`` (a is a subset of b), ``"b_in_a"``, ``"overlap"``
    (may overlap: a nested group is involved) or ``"unknown"`` (a group without a stated
    relation). ``parent``: for disjoint groups, their common ancestor; ``partition``: True when
    ``a`` and ``b`` are exactly the ``partition`` groups of that parent. ``why``: words for notes.
    """

    kind: str
    parent: str
    partition: bool
    why: str


def _text(x) -> str:
    return "" if x is None or (not isinstance(x, str) and pd.isna(x)) else str(x).strip()


class GroupRelations:
    """The stated relations of groups (see module note); ``groups=None`` states none.

    Examples
    --------
    >>> g = pd.DataFrame({"survey": "s", "group": ["GP", "non-GP"],
    ...                   "relation": "partition"})
    >>> r = GroupRelations(g)
    >>> r.relate("s", "W1", "GP", "non-GP").kind, r.relate("s", "W1", "GP", "all").kind
    ('disjoint', 'a_in_b')
    >>> GroupRelations(None).relate("s", "W1", "GP", "non-GP").kind
    'unknown'
    """

    def __init__(self, groups: pd.DataFrame | None = None) -> None:
        self._rows: dict[tuple[str, str], dict[str, tuple[str, str]]] = {}
        if groups is None:
            return
        if not isinstance(groups, pd.DataFrame):
            raise ValueError(f"groups must be a pandas DataFrame, got {type(groups).__name__}")
        missing = [c for c in ("survey", "group", "relation") if c not in groups.columns]
        if missing:
            raise ValueError(f"groups: missing column(s) {', '.join(missing)}")
        for i, r in enumerate(groups.to_dict("records")):
            survey, group = _text(r.get("survey")), _text(r.get("group"))
            wave, parent = _text(r.get("wave")), _text(r.get("parent")) or "all"
            relation = _text(r.get("relation"))
            if relation not in RELATIONS:
                raise ValueError(f"groups row {i}: relation must be one of {RELATIONS}, got "
                                 f"{relation!r} (group {group!r})")
            if group in ("", "all"):
                raise ValueError(f"groups row {i}: group must name a group other than 'all', "
                                 f"got {group!r}")
            self._rows.setdefault((survey, wave), {})[group] = (parent, relation)

    def __bool__(self) -> bool:
        return bool(self._rows)

    def table(self, survey: str, wave: str) -> dict[str, tuple[str, str]]:
        """``{group: (parent, relation)}`` holding in this wave (wave rows over blank ones)."""
        out = dict(self._rows.get((survey, ""), {}))
        out.update(self._rows.get((survey, wave), {}))
        return out

    def chain(self, survey: str, wave: str, group: str) -> list[str]:
        """The group and its ancestors up to ``all`` (a group the table does not name lies
        directly within ``all``)."""
        tab = self.table(survey, wave)
        out = [group]
        while out[-1] != "all":
            nxt = tab.get(out[-1], ("all", ""))[0]
            if nxt in out:  # a cycle (validation refuses it): stop at all
                nxt = "all"
            out.append(nxt)
        return out

    def members(self, survey: str, wave: str, parent: str) -> list[str]:
        """Groups stated to partition ``parent`` in this wave."""
        return [g for g, (p, rel) in self.table(survey, wave).items()
                if p == parent and rel == "partition"]

    def relate(self, survey: str, wave: str, a: str, b: str) -> Relation:
        """How group ``a`` relates to group ``b`` in ``wave`` of ``survey`` (see module note)."""
        if a == b:
            raise ValueError(f"a group is compared with itself: {a!r}")
        tab = self.table(survey, wave)
        ca, cb = self.chain(survey, wave, a), self.chain(survey, wave, b)
        if b in ca:
            return Relation("a_in_b", b, False, f"{a!r} lies within {b!r}")
        if a in cb:
            return Relation("b_in_a", a, False, f"{b!r} lies within {a!r}")
        top = next(g for g in ca if g in cb)
        xa, xb = ca[ca.index(top) - 1], cb[cb.index(top) - 1]
        ra, rb = tab.get(xa, (None, None))[1], tab.get(xb, (None, None))[1]
        if ra is None or rb is None:
            unknown = [g for g, r in ((xa, ra), (xb, rb)) if r is None]
            return Relation("unknown", top, False,
                            f"no relation stated for {', '.join(map(repr, unknown))} in "
                            "groups.csv")
        if ra in SEPARATE and rb in SEPARATE:
            part = (ra == rb == "partition" and xa == a and xb == b
                    and sorted(self.members(survey, wave, top)) == sorted([a, b]))
            return Relation("disjoint", top, part,
                            f"{xa!r} and {xb!r} are stated disjoint within {top!r}")
        nested = xa if ra == "nested" else xb
        return Relation("overlap", top, False,
                        f"{nested!r} is stated nested within {top!r}: it may overlap "
                        f"{(xb if nested == xa else xa)!r}")
