"""The embedded model's assembly and server control, without loading a real model."""

from __future__ import annotations

import hashlib
import re
import tomllib
from pathlib import Path

import pytest
from factsum import localmodel
from factsum.backend import effective_settings
from factsum.errors import ConfigError, LocalModelError
from factsum.localmodel import LocalServer, ModelSpec, assemble_model
from factsum.settings import Settings, StructuredMode


def _spec(tmp: Path, parts: list[bytes], monkeypatch: pytest.MonkeyPatch) -> ModelSpec:
    paths = []
    for n, data in enumerate(parts, start=1):
        p = tmp / f"part{n}.bin"
        p.write_bytes(data)
        paths.append(p)
    monkeypatch.setattr(localmodel, "_part_paths", lambda spec: paths)
    digest = hashlib.sha256(b"".join(parts)).hexdigest()
    return ModelSpec(name="tiny", part_module="x{n}", parts=len(parts), sha256=digest,
                     extra="embedded-model", packages="x1 .. x3")


def test_parts_are_concatenated_in_order_and_verified(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = _spec(tmp_path, [b"GGUF", b"-part2", b"-part3"], monkeypatch)
    path = assemble_model(spec, tmp_path / "models")
    assert path.read_bytes() == b"GGUF-part2-part3"
    assert assemble_model(spec, tmp_path / "models") == path  # stamp: no re-assembly


def test_a_wrong_checksum_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = _spec(tmp_path, [b"GGUF", b"x"], monkeypatch)
    bad = ModelSpec(**{**spec.__dict__, "sha256": "0" * 64})
    with pytest.raises(LocalModelError, match="sha256"):
        assemble_model(bad, tmp_path / "models")
    assert not (tmp_path / "models" / "tiny.gguf").exists()


def test_a_tampered_model_file_is_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = _spec(tmp_path, [b"GGUF", b"data"], monkeypatch)
    path = assemble_model(spec, tmp_path / "models")
    path.write_bytes(b"evil")
    assert assemble_model(spec, tmp_path / "models").read_bytes() == b"GGUFdata"


def test_server_command_listens_on_loopback_only(tmp_path: Path) -> None:
    server = LocalServer(tmp_path / "m.gguf", alias="m", port=12345)
    cmd = server.command()
    assert cmd[cmd.index("--host") + 1] == "127.0.0.1"
    assert server.base_url == "http://127.0.0.1:12345/v1"


def test_missing_extra_and_endpoint_names_both_remedies(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(localmodel, "server_available", lambda: False)
    with pytest.raises(LocalModelError) as err:
        LocalServer(tmp_path / "m.gguf", alias="m").start()
    assert "OPENAI_API_KEY" in str(err.value) and ".[embedded-model]" in str(err.value)
    with pytest.raises(ConfigError):
        effective_settings(Settings(use_local_model=False))


def test_local_settings_use_the_form_llama_cpp_python_accepts() -> None:
    conf = effective_settings(Settings())
    assert conf.structured_mode is StructuredMode.JSON_OBJECT_SCHEMA
    assert conf.model == "qwen2.5-coder-1.5b-instruct"
    remote = effective_settings(Settings(base_url="http://example.invalid/v1", model="m"))
    assert remote.structured_mode is StructuredMode.JSON_SCHEMA


def test_replaced_weights_under_the_same_file_name_get_a_new_cache_identity(
        tmp_path: Path) -> None:
    import os

    from factsum.backend import local_settings

    weights = tmp_path / "my-model.gguf"
    weights.write_bytes(b"GGUF" + b"\0" * 64)
    os.utime(weights, ns=(1_700_000_000_000_000_000, 1_700_000_000_000_000_000))
    settings = Settings(model="local", local_model_path=weights)
    first = local_settings(settings).model
    weights.write_bytes(b"GGUF" + b"\1" * 80)  # new weights, same name
    second = local_settings(settings).model
    assert first.startswith("my-model@") and second.startswith("my-model@")
    assert first != second
    assert localmodel.resolve_model(weights, tmp_path)[0] == second


def test_each_model_names_the_extra_and_the_packages_that_install_it() -> None:
    pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
    extras = tomllib.loads(pyproject.read_text())["project"]["optional-dependencies"]
    for spec in localmodel.MODELS.values():
        wanted = {spec.part_module.format(n=n).replace("_", "-") for n in range(1, spec.parts + 1)}
        pinned = {re.split("[=<>]", req)[0] for req in extras[spec.extra]}
        assert wanted <= pinned, spec.extra
        assert spec.part_module.format(n=1).replace("_", "-") in spec.packages


def test_a_missing_chunk_package_names_the_extra_and_its_packages() -> None:
    spec = ModelSpec(name="tiny", part_module="factsum_no_such_chunk_{n}", parts=1,
                     sha256="0" * 64, extra="embedded-model-small", packages="tiny-part1")
    with pytest.raises(LocalModelError) as err:
        localmodel._part_paths(spec)
    assert ".[embedded-model-small]" in str(err.value) and "tiny-part1" in str(err.value)
