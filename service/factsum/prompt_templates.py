"""Prompt templates: versioned files in prompts/ (shipped as ``factsum.prompts``).

A template file is ``prompts/<name>.v<N>.txt`` with a ``=== system ===`` and a
``=== user ===`` section. The highest N is used. The version string that goes into the
cache key is ``<name>@v<N>:<sha256 prefix of the file>``, so even an edit that forgot to
bump N misses the cache instead of replaying stale answers.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from string import Template

from factsum.errors import ConfigError

_FILE_RE = re.compile(r"^(?P<name>[a-z_]+)\.v(?P<n>\d+)\.txt$")
_SECTION_RE = re.compile(r"^=== (system|user) ===\n", re.MULTILINE)

LANGUAGE_NAMES = {
    "en": "English", "fr": "French", "de": "German", "es": "Spanish", "it": "Italian",
    "pt": "Portuguese", "nl": "Dutch", "ar": "Arabic", "fa": "Persian", "ru": "Russian",
    "zh": "Chinese", "ja": "Japanese", "tr": "Turkish", "pl": "Polish", "uk": "Ukrainian",
}


def language_name(code: str) -> str:
    """English name of an ISO 639-1 code, or the code itself."""
    return LANGUAGE_NAMES.get(code, code)


@dataclass(frozen=True)
class PromptTemplate:
    """A loaded template pair and its cache-relevant version."""

    name: str
    number: int
    system: Template
    user: Template
    digest: str

    @property
    def version(self) -> str:
        """``extract@v1:1a2b3c4d`` — changes whenever the file changes."""
        return f"{self.name}@v{self.number}:{self.digest}"

    def render(self, **values: object) -> list[dict[str, str]]:
        """Chat messages with ``$placeholders`` substituted (missing ones are an error)."""
        return [
            {"role": "system", "content": self.system.substitute(values)},
            {"role": "user", "content": self.user.substitute(values)},
        ]


def load_prompt(name: str, directory: Traversable | None = None) -> PromptTemplate:
    """Load the highest version of prompt ``name``.

    Templates ship inside the package (``factsum.prompts``, the repository's top-level
    prompts/ folder) and are read with ``importlib.resources``, so an installed wheel
    finds them as an editable checkout does. ``directory`` overrides the folder (tests).
    """
    if directory is None:
        return _packaged(name)
    return _load(name, directory)


@lru_cache(maxsize=16)
def _packaged(name: str) -> PromptTemplate:
    # Package data does not change while the process runs: read and hash it once.
    return _load(name, files("factsum.prompts"))


def _load(name: str, directory: Traversable) -> PromptTemplate:
    candidates = [
        (int(m["n"]), entry)
        for entry in directory.iterdir()
        if (m := _FILE_RE.match(entry.name)) and m["name"] == name
    ]
    if not candidates:
        raise ConfigError(f"prompt {name!r} not found in {directory}")
    number, entry = max(candidates, key=lambda c: c[0])
    raw = entry.read_text(encoding="utf-8")
    parts = _SECTION_RE.split(raw)
    # split() gives ['', 'system', body, 'user', body]
    sections = dict(zip(parts[1::2], parts[2::2], strict=True))
    if set(sections) != {"system", "user"}:
        raise ConfigError(f"{entry.name}: needs '=== system ===' and '=== user ===' sections")
    digest = hashlib.sha256(raw.encode("utf-8")).hexdigest()[:8]
    return PromptTemplate(
        name=name,
        number=number,
        system=Template(sections["system"].strip()),
        user=Template(sections["user"].strip()),
        digest=digest,
    )


def data_tag(*parts: str) -> str:
    """A delimiter tag derived from the data it encloses.

    An article cannot forge the closing marker without knowing the hash of its own
    text (a fixpoint), and the tag is deterministic so identical input keeps hitting
    the cache.
    """
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    return h.hexdigest()[:10]
