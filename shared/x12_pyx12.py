"""pyx12 made cheaper without checking less: once per process, its maps are kept between
documents, its log is silenced, and five of its hot spots (cProfile of a 200-claim file, see
docs/benchmarks.md) are replaced by equivalents that give the same answers:

- `Segment._parse_refdes` parsed a reference designator ("CLM05-1") into a new path object on
  every element read (a third of all path objects made): the answer depends only on the
  designator and the segment id, so it is remembered;
- map nodes' paths (`x12path`, made once per map node and never changed) formatted themselves
  again for every hash and comparison of the walker's node counter: their text, its parts and
  its hash are kept on them;
- `NodeCounter.reset_to_node` formatted the parent path again for each key it compared;
- `segment_if.get_child_node_by_idx` scanned a segment's children for each element;
- `validation.contains_control_character` built two dicts per element before looking: a single
  character-class search answers "none" (nearly always), otherwise the original decides;
- `segment_if.is_valid_errors` (pyx12's pure check of one segment's elements against its map node:
  lengths, codes, dates, syntax rules; 40 % of pyx12's time) is asked again for the same text at
  the same map node in most segments of a batch (submitter, payer, provider, codes, dates: two in
  three segments of the synthetic claims): a segment found valid at a node is remembered as valid
  there (its parsed elements and the node as the key); a segment with any error is checked every time.

tests/unit/test_x12_pyx12.py compares pyx12's whole report with and without these over valid
and broken interchanges."""

from __future__ import annotations

import functools
import logging
import re
from importlib import metadata
from typing import Any

# The pyx12 releases tests/unit/test_x12_pyx12.py compared report for report (requirements.lock pins
# one); any other runs plain, only slower, until that test has been run against it and it is added.
VERIFIED_VERSIONS = frozenset({"4.0.0"})
VALID_SEGMENTS_KEPT = 20_000  # segments remembered as valid at their map node (a few MB)


@functools.cache
def prepare() -> None:
    """Once per process, before pyx12 reads anything."""
    import pyx12.map_if

    logger = logging.getLogger("pyx12")
    # pyx12 logs every error with the offending value (patient data): keep it out of our logs
    logger.propagate = False
    logger.addHandler(logging.NullHandler())
    _keep_maps(pyx12.map_if)
    if metadata.version("pyx12") in VERIFIED_VERSIONS:  # the replacements reach into its internals
        _speed_up()


def _keep_maps(map_if: Any) -> None:
    """pyx12 parses its XML maps again for every document (80 % of the time on a one-claim file);
    the maps hold no per-document state (the walker counts), so keep them."""
    load = map_if.load_map_file
    maps: dict[tuple[str, str | None], Any] = {}

    def load_once(map_file: str, param: Any, map_path: str | None = None) -> Any:
        if (map_file, map_path) not in maps:
            maps[(map_file, map_path)] = load(map_file, param, map_path)
        return maps[(map_file, map_path)]

    map_if.load_map_file = load_once


def _speed_up() -> None:
    import pyx12.map_if._base
    import pyx12.map_if._segment
    import pyx12.nodeCounter
    import pyx12.path
    import pyx12.segment
    import pyx12.validation

    path_cls: Any = pyx12.path.X12Path
    plain_repr = path_cls.__repr__

    def path_repr(self: Any) -> str:
        frozen: str | None = self.__dict__.get("_frozen_text")
        return frozen if frozen is not None else plain_repr(self)

    def path_hash(self: Any) -> int:
        frozen: int | None = self.__dict__.get("_frozen_hash")
        return frozen if frozen is not None else hash(plain_repr(self))

    path_cls.__repr__ = path_repr
    path_cls.__hash__ = path_hash

    node_cls: Any = pyx12.map_if._base.x12_node
    plain_x12path = node_cls.x12path.fget

    def node_x12path(self: Any) -> Any:
        path = plain_x12path(self)
        if "_frozen_text" not in path.__dict__:  # a map node's own path: made once, never changed
            text = plain_repr(path)
            path._frozen_parts = text.split("/")
            path._frozen_hash = hash(text)
            path._frozen_text = text
        return path

    node_cls.x12path = property(node_x12path)

    segment_cls: Any = pyx12.segment.Segment
    plain_parse = segment_cls._parse_refdes
    parsed: dict[tuple[str | None, str], tuple[int | None, int | None]] = {}

    def parse_refdes(self: Any, ref_des: str) -> tuple[int | None, int | None]:
        key = (self.seg_id, ref_des)
        found = parsed.get(key)
        if found is None:  # errors are raised by the original each time, never remembered
            found = parsed[key] = plain_parse(self, ref_des)
        return found

    segment_cls._parse_refdes = parse_refdes

    counter_cls: Any = pyx12.nodeCounter.NodeCounter

    def reset_to_node(self: Any, xpath: Any) -> None:
        root = counter_cls.makeX12Path(xpath).format().split("/")
        depth = len(root)
        for key in [k for k in self._dict if _is_below(_parts(k), root, depth)]:
            del self._dict[key]

    counter_cls.reset_to_node = reset_to_node

    segment_if: Any = pyx12.map_if._segment.segment_if
    plain_child = segment_if.get_child_node_by_idx

    def child_node_by_idx(self: Any, idx: int) -> Any:
        by_seq = self.__dict__.get("_children_by_seq")
        if by_seq is None:
            by_seq = self._children_by_seq = {}
            for child in self.children:
                by_seq.setdefault(child.seq, []).append(child)
        if idx >= len(self.children):
            return None
        found = by_seq.get(idx + 1, ())
        return found[0] if len(found) == 1 else plain_child(self, idx)  # none or several: its error

    segment_if.get_child_node_by_idx = child_node_by_idx

    validation: Any = pyx12.validation
    plain_control = validation.contains_control_character
    any_control = re.compile("[\x01-\x07\x09-\x0d\x11-\x17\x1c-\x1f]")  # every character it names

    def contains_control_character(str_val: str, *args: Any, **kwargs: Any) -> tuple[bool, str | None]:
        if any_control.search(str_val) is None:
            return (False, None)
        return plain_control(str_val, *args, **kwargs)  # which one it names first: its own order

    validation.contains_control_character = contains_control_character

    plain_segment_check = segment_if.is_valid_errors
    valid_at: dict[tuple[int, object], bool] = {}

    def segment_is_valid_errors(self: Any, seg_data: Any) -> tuple[bool, list[Any]]:
        # the key is the node (map nodes live as long as the kept maps: the process) and the parsed
        # segment itself, every element and sub-element, empty ones included (the text would not
        # do: it drops trailing empties, and "too many elements" counts them)
        key = (id(self), (seg_data.seg_id, *(tuple(e.value for e in c.elements) for c in seg_data.elements)))
        if key in valid_at:
            return (True, [])
        ok, errors = plain_segment_check(self, seg_data)
        if ok and not errors:
            if len(valid_at) >= VALID_SEGMENTS_KEPT:  # bounded: unique segments (names, ids) would pile up
                valid_at.clear()
            valid_at[key] = True
        return ok, errors

    segment_if.is_valid_errors = segment_is_valid_errors


def _parts(path: Any) -> list[str]:
    parts: list[str] | None = path.__dict__.get("_frozen_parts")
    return parts if parts is not None else path.format().split("/")


def _is_below(child: list[str], root: list[str], depth: int) -> bool:
    """X12Path.is_child_path, with the parent's parts computed once."""
    return len(child) > depth and child[:depth] == root
