"""Protocol files: their schema, parsing with line numbers, and the compiled CEL conditions.

A protocol file is YAML: sources, derived facts, rules (each a CEL condition over the facts of a
profile, the items it requires, a reason and a source), conditional follow-ups, alternatives and
validity. Conditions are evaluated by cel-python, never by Python's `eval`.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import celpy
import jsonschema
import yaml
from celpy import celtypes
from lark import Token, Tree

from .choices import ALTERNATIVE_ACTIONS, ITEM_CODES, ApplicantCategory, Destination

# cel-python logs every compilation at INFO; a protocol load is not news.
logging.getLogger("celpy").setLevel(logging.WARNING)

# The facts every profile offers a condition, with a value of the right type used to check a
# condition when its file is loaded. Derived facts, declared in the file, are booleans.
BASE_FACTS: dict[str, Any] = {
    "age": 30,
    "age_months": 360,
    "category": "immigrant",
    "sex": "female",
    "pregnant": False,
    "intends_to_give_birth_in_destination": False,
    "citizenship": "FR",
    "exam_country": "FR",
    "residence_country": "FR",
    "intended_stay_months": 12,
    "stay_known": True,
    "symptoms": ["cough"],
    "conditions": ["tb_contact"],
    "occupations": ["health_care"],
}
COUNTRY_FIELDS = ("citizenship", "exam_country", "residence_country")

_CONDITION = {"type": "string", "minLength": 1}
_SOURCE_REF = {"type": "string", "minLength": 1}
_ITEM = {"enum": sorted(ITEM_CODES)}
_RULE = {
    "type": "object",
    "required": ["id", "when", "require", "reason", "source"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "string", "pattern": r"^[A-Za-z0-9][A-Za-z0-9._-]*$"},
        "when": _CONDITION,
        "require": {"type": "array", "items": _ITEM, "minItems": 1},
        "reason": {"type": "string", "minLength": 1},
        "source": _SOURCE_REF,
        "if": {"type": "string", "minLength": 1},
    },
}
_STAY = {
    "type": "object",
    "required": ["months", "within_years"],
    "additionalProperties": False,
    "properties": {
        "months": {"type": "integer", "minimum": 1},
        "within_years": {"type": "integer", "minimum": 1},
        "consecutive": {"type": "boolean"},
        "more_than": {"type": "boolean"},
    },
}
PROTOCOL_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": [
        "protocol",
        "destination",
        "title",
        "version",
        "effective_from",
        "sources",
        "rules",
        "validity",
    ],
    "additionalProperties": False,
    "properties": {
        "protocol": {"type": "string", "pattern": r"^[a-z0-9][a-z0-9-]*$", "maxLength": 64},
        "destination": {"enum": list(Destination.values)},
        "title": {"type": "string", "minLength": 1, "maxLength": 300},
        "version": {"type": "string", "minLength": 1, "maxLength": 32},
        "effective_from": {"type": "string", "format": "date"},
        "effective_to": {"type": ["string", "null"], "format": "date"},
        "scope": {"type": "string", "minLength": 1},
        "notes": {"type": "string"},
        "sources": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["id", "title", "url"],
                "additionalProperties": False,
                "properties": {
                    "id": {"type": "string", "minLength": 1},
                    "title": {"type": "string", "minLength": 1},
                    "url": {"type": "string", "pattern": "^https?://"},
                    "confidence": {"enum": ["A", "B", "C", "unverified"]},
                },
            },
        },
        "facts": {
            "type": "object",
            "propertyNames": {"pattern": r"^[a-z][a-z0-9_]*$"},
            "additionalProperties": {
                "type": "object",
                "required": ["description", "source"],
                "additionalProperties": False,
                "properties": {
                    "description": {"type": "string", "minLength": 1},
                    "source": _SOURCE_REF,
                    "incidence_at_least": {
                        "type": "object",
                        "required": ["country", "per_100k"],
                        "additionalProperties": False,
                        "properties": {
                            "country": {"enum": list(COUNTRY_FIELDS)},
                            "per_100k": {"type": "number", "minimum": 0},
                        },
                    },
                    "listed": {
                        "type": "object",
                        "required": ["list", "member"],
                        "additionalProperties": False,
                        "properties": {
                            "list": {"type": "string", "minLength": 1},
                            "member": {"type": "boolean"},
                            "countries": {
                                "type": "array",
                                "items": {"enum": list(COUNTRY_FIELDS)},
                            },
                            "stay": _STAY,
                        },
                    },
                    "recent_stay": {
                        "type": "object",
                        "required": ["list", "member", "months", "ended_within_months"],
                        "additionalProperties": False,
                        "properties": {
                            "list": {"type": "string", "minLength": 1},
                            "member": {"type": "boolean"},
                            "months": {"type": "integer", "minimum": 1},
                            "ended_within_months": {"type": "integer", "minimum": 0},
                        },
                    },
                },
                "oneOf": [
                    {"required": ["incidence_at_least"]},
                    {"required": ["listed"]},
                    {"required": ["recent_stay"]},
                ],
            },
        },
        "applies_when": _CONDITION,
        "rules": {"type": "array", "minItems": 1, "items": _RULE},
        "conditional": {
            "type": "array",
            "items": {**_RULE, "required": [*_RULE["required"], "if"]},
        },
        "alternatives": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "when", "for", "options", "reason", "source"],
                "additionalProperties": False,
                "properties": {
                    "id": {"type": "string", "minLength": 1},
                    "when": _CONDITION,
                    "for": _ITEM,
                    "options": {
                        "type": "array",
                        "minItems": 1,
                        "items": {
                            "type": "object",
                            "required": ["option", "note"],
                            "additionalProperties": False,
                            "properties": {
                                "option": {"enum": sorted(ITEM_CODES | ALTERNATIVE_ACTIONS)},
                                "note": {"type": "string", "minLength": 1},
                            },
                        },
                    },
                    "reason": {"type": "string", "minLength": 1},
                    "source": _SOURCE_REF,
                },
            },
        },
        "validity": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["id", "months", "from", "reason", "source"],
                "additionalProperties": False,
                "properties": {
                    "id": {"type": "string", "minLength": 1},
                    "when": _CONDITION,
                    "months": {"type": "integer", "minimum": 1},
                    "from": {"enum": ["exam", "chest_xray"]},
                    "reason": {"type": "string", "minLength": 1},
                    "source": _SOURCE_REF,
                },
            },
        },
    },
}
_VALIDATOR = jsonschema.Draft202012Validator(
    PROTOCOL_SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
)
_CATEGORIES = frozenset(ApplicantCategory.values)


class ProtocolFileError(ValueError):
    """A protocol file that cannot be used; `problems` are (line, reason) pairs."""

    def __init__(self, file_name: str, problems: list[tuple[int | None, str]]):
        self.file_name = file_name
        self.problems = problems
        super().__init__(
            "; ".join(
                f"{file_name}, line {line}: {reason}" if line else f"{file_name}: {reason}"
                for line, reason in problems
            )
        )


def _plain_dates(value: Any) -> Any:
    """YAML reads 2025-03-11 as a date; the document keeps ISO strings (it is stored as JSON)."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(key): _plain_dates(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain_dates(item) for item in value]
    return value


def _line_of(node: yaml.Node | None, path: Iterable[Any]) -> int | None:
    """The 1-based line of the YAML node at `path` (or of its nearest existing parent)."""
    if node is None:
        return None
    line = node.start_mark.line + 1
    for step in path:
        child = None
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value == step:
                    child = value
                    break
        elif (
            isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value)
        ):
            child = node.value[step]
        if child is None:
            break
        node = child
        line = node.start_mark.line + 1
    return line


MACROS = frozenset({"all", "exists", "exists_one", "map", "filter"})


def _idents(tree: Tree) -> set[str]:
    return {
        str(child)
        for subtree in tree.iter_subtrees()
        if subtree.data == "ident"
        for child in subtree.children
        if isinstance(child, Token)
    }


def identifiers(tree: Tree) -> frozenset[str]:
    """The names a compiled CEL condition reads (the facts its result depends on), without the
    variables that macros bind, such as `o` in `occupations.exists(o, o == "nurse")`."""
    bound: set[str] = set()
    for subtree in tree.iter_subtrees():
        if subtree.data != "member_dot_arg" or len(subtree.children) < 3:
            continue
        method, arguments = subtree.children[1], subtree.children[2]
        if str(method) in MACROS and isinstance(arguments, Tree) and arguments.children:
            first = arguments.children[0]
            if isinstance(first, Tree):
                bound |= _idents(first)
    return frozenset(_idents(tree) - bound)


def to_cel(value: Any) -> Any:
    if isinstance(value, bool):
        return celtypes.BoolType(value)
    if isinstance(value, int):
        return celtypes.IntType(value)
    if isinstance(value, str):
        return celtypes.StringType(value)
    if isinstance(value, (list, tuple, frozenset)):
        return celtypes.ListType([to_cel(item) for item in sorted(value)])
    raise TypeError(f"no CEL type for {value!r}")


_ENVIRONMENT = celpy.Environment(runner_class=celpy.CompiledRunner)


@dataclass(eq=False)
class Condition:
    """A CEL condition compiled once; its result is memoised on the facts it reads.

    A condition is a pure function of the facts it names, and profiles repeat the same few
    combinations of them (age in years, category, a handful of flags), so a verdict is computed
    once per combination. `names` is sorted so the memo key is a plain tuple."""

    text: str
    program: Any
    names: tuple[str, ...]
    memo: dict[tuple, bool] = field(default_factory=dict)

    def __call__(self, facts: Mapping[str, Any]) -> bool:
        key = tuple([facts[name] for name in self.names])
        verdict = self.memo.get(key)
        if verdict is None:
            verdict = self.evaluate(facts)
            self.memo[key] = verdict
        return verdict

    def evaluate(self, facts: Mapping[str, Any]) -> bool:
        result = self.program.evaluate({name: to_cel(facts[name]) for name in self.names})
        if not isinstance(result, celtypes.BoolType):
            raise TypeError(f"the condition {self.text!r} gives {result!r}, not true or false")
        return bool(result)


def compile_condition(text: str, known: Iterable[str]) -> Condition:
    """Compile `text`; raises ValueError with the reason (syntax, unknown name, wrong type)."""
    try:
        tree = _ENVIRONMENT.compile(text)
    except celpy.CELParseError as error:
        column = getattr(error, "column", None)
        where = f" at column {column}" if column else ""
        raise ValueError(f"syntax error in the condition {text!r}{where}") from None
    names = identifiers(tree)
    known = set(known)
    unknown = sorted(names - known)
    if unknown:
        raise ValueError(
            f"the condition {text!r} names {', '.join(unknown)}, which no profile has "
            f"(known: {', '.join(sorted(known))})"
        )
    condition = Condition(text=text, program=_ENVIRONMENT.program(tree), names=tuple(sorted(names)))
    sample = {**BASE_FACTS, **dict.fromkeys(known - set(BASE_FACTS), False)}
    try:
        condition.evaluate(sample)
    except (celpy.CELEvalError, TypeError) as error:
        reason = error.args[0] if isinstance(error, TypeError) else "a type error"
        raise ValueError(f"the condition {text!r} cannot be evaluated: {reason}") from None
    return condition


def parse_protocol(text: str, file_name: str) -> dict[str, Any]:
    """Parse and check one protocol file; returns its document or raises ProtocolFileError
    naming the file, the line and the reason of every problem found."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        raw = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(error, "problem", None) or str(error)
        raise ProtocolFileError(file_name, [(line, f"not valid YAML: {problem}")]) from None
    document = _plain_dates(raw)
    if not isinstance(document, dict):
        raise ProtocolFileError(file_name, [(1, "the file must hold a mapping of fields")])
    problems: list[tuple[int | None, str]] = []
    for error in sorted(_VALIDATOR.iter_errors(document), key=lambda e: list(e.absolute_path)):
        where = "/".join(str(step) for step in error.absolute_path) or "the file"
        problems.append((_line_of(root, error.absolute_path), f"{where}: {error.message}"))
    if problems:
        raise ProtocolFileError(file_name, problems)

    source_ids = {source["id"] for source in document["sources"]}
    facts = document.get("facts", {})
    known = set(BASE_FACTS) | set(facts)
    clashes = sorted(set(facts) & set(BASE_FACTS))
    for name in clashes:
        problems.append(
            (_line_of(root, ["facts", name]), f"facts/{name}: a profile already has this name")
        )
    for name, fact in facts.items():
        if fact["source"] not in source_ids:
            problems.append(
                (
                    _line_of(root, ["facts", name, "source"]),
                    f"facts/{name}: unknown source {fact['source']!r}",
                )
            )
    if document.get("effective_to") and document["effective_to"] <= document["effective_from"]:
        problems.append(
            (_line_of(root, ["effective_to"]), "effective_to must come after effective_from")
        )

    def check_condition(path: list[Any], text: str) -> None:
        try:
            compile_condition(text, known)
        except ValueError as error:
            problems.append((_line_of(root, path), f"{'/'.join(map(str, path))}: {error}"))

    if "applies_when" in document:
        check_condition(["applies_when"], document["applies_when"])
    seen_ids: set[str] = set()
    for section in ("rules", "conditional", "alternatives", "validity"):
        for index, entry in enumerate(document.get(section, [])):
            path: list[Any] = [section, index]
            if entry["id"] in seen_ids:
                problems.append((_line_of(root, [*path, "id"]), f"rule id {entry['id']} repeats"))
            seen_ids.add(entry["id"])
            if entry["source"] not in source_ids:
                problems.append(
                    (_line_of(root, [*path, "source"]), f"unknown source {entry['source']!r}")
                )
            if "when" in entry:
                check_condition([*path, "when"], entry["when"])
    if problems:
        raise ProtocolFileError(file_name, problems)
    return document


def referenced_lists(document: Mapping[str, Any]) -> set[str]:
    codes = set()
    for fact in document.get("facts", {}).values():
        for kind in ("listed", "recent_stay"):
            if kind in fact:
                codes.add(fact[kind]["list"])
    return codes
