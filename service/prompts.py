"""Prompt templates: versioned files in prompts/, rendered with string.Template.

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
from pathlib import Path
from string import Template

from service.errors import ConfigError

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"
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


def load_prompt(name: str, directory: Path = PROMPTS_DIR) -> PromptTemplate:
    """Load the highest version of prompt ``name`` from ``directory``."""
    try:
        listed = directory.stat().st_mtime_ns
    except OSError:
        listed = -1
    found = _highest_version(name, directory, listed)
    if found is None:
        raise ConfigError(f"prompt {name!r} not found in {directory}")
    number, path = found
    stat = path.stat()
    return _parse(name, number, path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=64)
def _highest_version(name: str, directory: Path, _listed_ns: int) -> tuple[int, Path] | None:
    """The highest ``<name>.v<N>.txt`` in ``directory``, listed once per directory state
    (adding or removing a file changes the directory's mtime; editing one does not
    change which file is highest)."""
    candidates = [
        (int(m["n"]), p)
        for p in directory.glob(f"{name}.v*.txt")
        if (m := _FILE_RE.match(p.name)) and m["name"] == name
    ]
    return max(candidates) if candidates else None


@lru_cache(maxsize=64)
def _parse(name: str, number: int, path: Path, _mtime_ns: int, _size: int) -> PromptTemplate:
    """Read and hash a template once per file state: the pipeline asks for the prompt
    of every passage, and an edited file (new mtime or size) is read again."""
    raw = path.read_text(encoding="utf-8")
    parts = _SECTION_RE.split(raw)
    # split() gives ['', 'system', body, 'user', body]
    sections = dict(zip(parts[1::2], parts[2::2], strict=True))
    if set(sections) != {"system", "user"}:
        raise ConfigError(f"{path.name}: needs '=== system ===' and '=== user ===' sections")
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
