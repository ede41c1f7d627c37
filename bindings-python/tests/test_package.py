"""The installed package: its stubs name what it exports (so type checkers see the real
API), it is marked typed, the compiled module is the stable-ABI build, and every public
callable has a docstring."""

from __future__ import annotations

import ast
import inspect
import os

import docket
import docket.spark

PKG = os.path.dirname(docket.__file__)


def stub(name: str) -> ast.Module:
    with open(os.path.join(PKG, name)) as f:
        return ast.parse(f.read())


def test_the_package_is_typed():
    assert os.path.exists(os.path.join(PKG, "py.typed"))
    assert os.path.exists(os.path.join(PKG, "__init__.pyi")) and os.path.exists(os.path.join(PKG, "spark.pyi"))


def test_the_stubs_name_the_public_api():
    tree = stub("__init__.pyi")
    classes = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}
    assert set(docket.__all__) - {"FORMAT_VERSION"} <= set(classes)
    for cls in (docket.Engine, docket.Report):
        public = {n for n in dir(cls) if not n.startswith("_")}
        stubbed = {f.name for f in classes[cls.__name__].body if isinstance(f, ast.FunctionDef)} - {"__init__"}
        assert public == stubbed, cls.__name__
    spark = {n.name for n in stub("spark.pyi").body if isinstance(n, ast.FunctionDef)}
    assert spark == set(docket.spark.__all__)


def test_every_public_callable_has_a_docstring():
    for obj in (docket.Engine, docket.Report, docket.DocketError, docket.PolicyError, docket.ArgumentError):
        assert inspect.getdoc(obj), obj
        for name, member in inspect.getmembers(obj):
            if not name.startswith("_") and callable(member):
                assert inspect.getdoc(member), f"{obj.__name__}.{name}"
    for name in docket.spark.__all__:
        assert inspect.getdoc(getattr(docket.spark, name)), name


def test_the_compiled_module_is_the_stable_abi_build():
    # One wheel for CPython 3.9 and later: the extension is named for the stable ABI.
    assert docket._docket.__file__.endswith(".abi3.so")
