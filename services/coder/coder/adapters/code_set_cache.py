"""The ICD-10-CM code set as simple-icd-10-cm holds it, kept on disk between starts.

Importing simple-icd-10-cm parses its 9.7 MB tabular XML into a tree of nodes; that import was
most of a restarted coder's start-up on a loaded machine (62 s at load average 35,
docs/reliability.md). With CODER_INDEX_CACHE=1 (as services.sh runs the coder) the first start
keeps the parsed tree — the library's `_chapter_list` and `_code_to_node`, all its functions
read — in RCM_DATA_DIR, named by a digest of the library's code, its data files and Python;
the next start runs the library's module without its load call and puts the kept tree in
place. Same objects, same functions over them: the same coding (tests/unit/test_code_set_cache.py).
Anything changed (a new code-set release is a new library version or data file) parses again.

`prepare()` must run before anything imports simple_icd_10_cm (the coder's entry point)."""

from __future__ import annotations

import ast
import contextlib
import gc
import hashlib
import importlib.util
import logging
import os
import pickle
import sys
import tempfile
import types
from collections.abc import Iterator
from pathlib import Path

from shared.settings import get_settings

log = logging.getLogger(__name__)

PACKAGE = "simple_icd_10_cm"
MODULE = f"{PACKAGE}.simple_icd_10_cm"
LOAD_CALL = "_load_codes"  # the module-level call that parses the XML at import


def prepare() -> str:
    """Imports simple-icd-10-cm the quick way when a kept tree matches, else the usual way (and
    keeps its tree). Returns how: "kept", "parsed" or "already imported"."""
    if MODULE in sys.modules:
        return "already imported"
    if not get_settings().coder_index_cache:
        __import__(MODULE)
        return "parsed"
    spec = importlib.util.find_spec(PACKAGE)  # a top-level package: found, not imported
    if spec is None or spec.origin is None or not spec.submodule_search_locations:
        __import__(MODULE)
        return "parsed"
    folder = Path(next(iter(spec.submodule_search_locations)))
    path = Path(get_settings().data_dir) / f"icd10cm-{_key(folder)}.pickle"
    if path.exists():
        try:
            _import_kept(spec, folder, path)
            return "kept"
        except Exception as exc:  # a torn or foreign file: the usual import below, and kept anew
            log.warning("kept ICD-10-CM code set unreadable (%s); parsing it", type(exc).__name__)
            for name in (MODULE, PACKAGE):
                sys.modules.pop(name, None)
    module = importlib.import_module(MODULE)
    keep_pickle(path, (module._chapter_list, module._code_to_node), "ICD-10-CM code set")
    return "parsed"


def _key(folder: Path) -> str:
    digest = hashlib.sha256(sys.version.encode())
    for p in sorted([*folder.glob("*.py"), *(folder / "data").glob("*")]):
        if p.is_file():
            digest.update(p.name.encode() + b"\0" + p.read_bytes())
    return digest.hexdigest()[:16]


def _without_load_call(source: str, filename: str) -> types.CodeType:
    tree = ast.parse(source, filename)
    calls = [
        s
        for s in tree.body
        if isinstance(s, ast.Expr)
        and isinstance(s.value, ast.Call)
        and isinstance(s.value.func, ast.Name)
        and s.value.func.id == LOAD_CALL
    ]
    if len(calls) != 1:  # not the library this was written for: no quick way
        raise LookupError(f"{LOAD_CALL}() not found once at the top of {filename}")
    tree.body.remove(calls[0])
    return compile(tree, filename, "exec")


def _import_kept(spec: importlib.machinery.ModuleSpec, folder: Path, path: Path) -> None:
    """The package and its module made as an import would, minus the parse; the kept tree is
    unpickled once the module (whose class its nodes are) is in sys.modules."""
    package = importlib.util.module_from_spec(spec)
    sys.modules[PACKAGE] = package
    source = folder / "simple_icd_10_cm.py"
    module_spec = importlib.util.spec_from_file_location(MODULE, source)
    assert module_spec is not None
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[MODULE] = module
    exec(_without_load_call(source.read_text(encoding="utf-8"), str(source)), module.__dict__)
    with path.open("rb") as f, no_collection():
        chapters, code_to_node = pickle.load(f)  # written by this code into the service's own 0700 folder
    module._chapter_list.extend(chapters)
    module._code_to_node.update(code_to_node)
    assert spec.loader is not None
    spec.loader.exec_module(package)  # its `from .simple_icd_10_cm import *` finds the module above
    package.simple_icd_10_cm = module  # type: ignore[attr-defined]  # what importing the submodule sets


@contextlib.contextmanager
def no_collection() -> Iterator[None]:
    """The garbage collector off while ~100,000 long-lived objects are unpickled (it would scan
    them again and again: 2.9 s instead of 0.7 s), and those objects kept out of later
    collections (gc.freeze)."""
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


def keep_pickle(path: Path, state: object, what: str) -> None:
    """Written under a temporary name and renamed (two workers starting together never read half a
    file), older keys of the same kind removed; failing to keep it only costs the next start its time."""
    kind = path.name.rsplit("-", 1)[0]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for older in path.parent.glob(f"{kind}-*.pickle"):  # older keys are never read again
            older.unlink(missing_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{kind}-")
        with os.fdopen(fd, "wb") as f:
            pickle.dump(state, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except Exception as exc:
        log.warning("%s not kept on disk (%s)", what, type(exc).__name__)
