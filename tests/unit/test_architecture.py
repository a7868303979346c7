"""The house plan, checked (docs/architecture.md): who may import whom, and where modules live."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from shared.pipeline import STAGES

ROOT = Path(__file__).resolve().parents[2]
SERVICES = {s.package: ROOT / "services" / s.service / s.package for s in STAGES}
# What a pure domain module must not touch: brokers, databases, the event loop, the web.
IMPURE = {"faust", "aiokafka", "asyncpg", "asyncio", "aiohttp", "httpx", "mode"}


def imports_of(path: Path) -> set[str]:
    """Top-level names of every module a file imports (also inside functions)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def python_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)


def top(name: str) -> str:
    return name.split(".")[0]


def test_every_stage_has_its_package_where_its_name_says() -> None:
    for package, folder in SERVICES.items():
        assert (folder / "__init__.py").exists(), f"{package} is not at {folder}"


@pytest.mark.parametrize("path", python_files(ROOT / "shared"), ids=lambda p: str(p.relative_to(ROOT)))
def test_shared_imports_no_service(path: Path) -> None:
    imported = {top(n) for n in imports_of(path)}
    assert not imported & (set(SERVICES) | {"bench", "tests"})


@pytest.mark.parametrize("package", sorted(SERVICES))
def test_no_service_imports_another(package: str) -> None:
    others = set(SERVICES) - {package}
    for path in python_files(SERVICES[package]):
        crossing = {top(n) for n in imports_of(path)} & (others | {"bench", "tests"})
        assert not crossing, f"{path.relative_to(ROOT)} imports {sorted(crossing)}"


@pytest.mark.parametrize("package", sorted(SERVICES))
def test_domain_is_pure(package: str) -> None:
    for path in python_files(SERVICES[package] / "domain"):
        names = imports_of(path)
        impure = {top(n) for n in names} & IMPURE
        inward = {n for n in names if n.startswith((f"{package}.adapters", f"{package}.entrypoints"))}
        assert not impure and not inward, f"{path.relative_to(ROOT)} imports {sorted(impure | inward)}"


# Modules allowed past ~250 lines, each with its reason. Anything else that grows past it is split.
LONG_MODULES: dict[str, str] = {
    "services/payer-sim/payer_sim/domain/adjudication.py": "one plan's arithmetic in the order a payer applies it "
    "(fee schedule, copay, deductible, coinsurance, out-of-pocket cap, denials), read top to bottom",
    "bench/synthetic.py": "the synthetic book drawn in one fixed order from one random stream: moving a draw "
    "elsewhere changes every seed's visits, which the tests' fixed content relies on",
}


def test_no_module_over_250_lines_without_a_reason() -> None:
    too_long = []
    for folder in (ROOT / "shared", ROOT / "bench", *SERVICES.values()):
        for path in python_files(folder):
            lines = len(path.read_text().splitlines())
            if lines > 260 and str(path.relative_to(ROOT)) not in LONG_MODULES:
                too_long.append(f"{path.relative_to(ROOT)} ({lines} lines)")
    assert not too_long, "split these by concept, or give a reason in LONG_MODULES: " + ", ".join(too_long)
