"""YAML configuration files (instruments, mappings): reading and structural checks.

``read_yaml`` refuses duplicate keys and names the line of any syntax error;
:class:`Checker` collects every structural problem of the parsed data at once, each
with its location (``subscales[2].bands[0].upper``) and a did-you-mean for a misspelt
field, so a consultant fixes a file in one pass.
"""

from __future__ import annotations

from collections.abc import Hashable
from pathlib import Path
from typing import Any

from surveyor.errors import Problem, SurveyorError, clip


def read_yaml(path: Path, hint: str = "give an instrument .yaml file") -> Any:
    """Parse a YAML file, refusing duplicate keys; errors name the file and line.

    ``hint`` says what the file should be, for a path that is a folder or unreadable.
    """
    import yaml

    from surveyor.files import read_input

    raw = read_input(path, hint)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SurveyorError(
            f"{path}: is not UTF-8 text (byte {exc.start}); save it as UTF-8 and try again"
        ) from exc
    try:
        return _load_bounded(text, path)
    except RecursionError:
        raise SurveyorError(f"{path}: is nested too deeply to be read") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown line"
        what = exc.problem or exc.context or "invalid YAML"
        raise SurveyorError(clip(f"{path}: invalid YAML at {where}: {what}")) from exc
    except yaml.YAMLError as exc:
        raise SurveyorError(clip(f"{path}: invalid YAML: {exc}")) from exc


# An instrument or mapping has a few thousand values at most; YAML aliases may repeat a
# part (shared bands, say) but not multiply it: a 19 KB "billion laughs" file expands to
# hundreds of millions, and any message quoting such a value runs to megabytes.
MAX_YAML_VALUES = 100_000


def _load_bounded(text: str, path: Path) -> Any:
    """``yaml.load`` with the unique-key loader, refusing a document whose aliases expand
    to more than ``MAX_YAML_VALUES`` values (counted on the node graph, so the count costs
    no more than the file's own size)."""
    loader = _UniqueKeyLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        values = expanded_size(node)
        if values > MAX_YAML_VALUES:
            raise SurveyorError(
                f"{path}: its aliases (*name) expand to {values:,} values, more than the "
                f"{MAX_YAML_VALUES:,} an instrument or mapping file may hold; write the "
                "values out, or use fewer nested aliases"
            )
        return loader.construct_document(node)
    finally:
        loader.dispose()


def expanded_size(node) -> int:
    """How many values a YAML node stands for once every alias is expanded.

    Each distinct node is counted once and its size reused wherever an alias repeats it
    (a node reached again through a cycle counts as one).
    """
    import yaml

    sizes: dict[int, int] = {}

    def size(item) -> int:
        key = id(item)
        if key in sizes:
            return sizes[key]
        sizes[key] = 1
        total = 1
        if isinstance(item, yaml.SequenceNode):
            total += sum(size(child) for child in item.value)
        elif isinstance(item, yaml.MappingNode):
            total += sum(size(k) + size(v) for k, v in item.value)
        sizes[key] = total
        return total

    return size(node)


def _unique_key_loader():
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    def construct_mapping(loader, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = loader.construct_object(key_node, deep=deep)
            # A list or mapping used as a key is left to SafeLoader, whose error has a line.
            if not isinstance(key, Hashable):
                continue
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key '{key}'", key_node.start_mark
                )
            seen.add(key)
        return loader.construct_mapping_plain(node, deep)

    Loader.construct_mapping_plain = yaml.SafeLoader.construct_mapping
    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    return Loader


class _LazyLoader:
    """Build the YAML loader class on first use so importing surveyor stays cheap."""

    _cls = None

    def __call__(self, stream):
        if _LazyLoader._cls is None:
            _LazyLoader._cls = _unique_key_loader()
        return _LazyLoader._cls(stream)


_UniqueKeyLoader = _LazyLoader()


class Checker:
    """Collects the problems of one parsed file, each with its location."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def error(self, location: str, message: str) -> None:
        self.problems.append(Problem(location, message))

    def mapping(self, value: Any, location: str, fields: dict[str, bool]) -> dict | None:
        """Check a mapping's type, required and unknown fields; return it when usable."""
        if not isinstance(value, dict):
            self.error(location or "(top level)", f"must be a mapping, not {kind(value)}")
            return None
        prefix = f"{location}." if location else ""
        for name, required in fields.items():
            if required and name not in value:
                self.error(f"{prefix}{name}", "is required")
        self.unknown(value, location, tuple(fields))
        return value

    def unknown(self, value: dict, location: str, allowed: tuple[str, ...],
                list_allowed: bool = False) -> None:
        """Report each field of ``value`` not in ``allowed``, with a did-you-mean, and
        with ``list_allowed`` the whole list (for formats with few fields)."""
        prefix = f"{location}." if location else ""
        for name in value:
            if name not in allowed:
                hint = closest(str(name), allowed)
                suggestion = f" (did you mean '{hint}'?)" if hint else ""
                listing = f"; allowed: {', '.join(allowed)}" if list_allowed else ""
                self.error(f"{prefix}{name}", f"unknown field{suggestion}{listing}")

    def text(self, data: dict, name: str, location: str, required: bool = True) -> str | None:
        if name not in data:
            return None
        value = data[name]
        where = f"{location}.{name}" if location else name
        if not isinstance(value, str):
            self.error(where, f"must be text, not {kind(value)}")
            return None
        if required and not value.strip():
            self.error(where, "must not be empty")
            return None
        return value

    def sequence(self, data: dict, name: str, location: str) -> list:
        if name not in data:
            return []
        value = data[name]
        where = f"{location}.{name}" if location else name
        if not isinstance(value, list):
            self.error(where, f"must be a list, not {kind(value)}")
            return []
        return value


def kind(value: Any) -> str:
    """How a value reads in a message: ``a number``, ``a list``, ``empty``."""
    if value is None:
        return "empty"
    return {
        bool: "true/false", int: "a number", float: "a number", str: "text",
        list: "a list", dict: "a mapping",
    }.get(type(value), type(value).__name__)


def closest(name: str, options) -> str | None:
    """The option most like a misspelt ``name``, or ``None`` when none is close."""
    import difflib

    match = difflib.get_close_matches(name, list(options), n=1, cutoff=0.6)
    return match[0] if match else None
