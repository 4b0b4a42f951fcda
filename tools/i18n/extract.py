#!/usr/bin/env python3
"""Find every localisation key used by Portal and compare them with the zh-CN resx.

Keys are the English text passed to IStringLocalizer<SharedResource>:
  * string literals in L["..."], l["..."], localizer["..."] (also verbatim @"...")
    in src/**/*.razor and src/**/*.cs; non-literal indexers (L[x.ToString()]) are ignored;
  * stored text rendered in the reader's language: the template of LocalizedText.Encode("...", ...) (ledger memos)
    and the English names of audit action codes in src/Portal.Core/Features/Audit/AuditActions.cs;
  * enum members shown through L.Enum(value) (the [EnumText("...")] text, else the member name) count as used but are
    not reported as missing here: tests/Portal.UnitTests (LocalizationCompletenessTests) walks every enum by
    reflection and fails on a missing translation;
  * Error messages from src/Portal.Core, shown through L[error.Message]:
    new Error("A.B", "..."), new("A.B", "..."), Error.Forbidden("..."), the default
    message of Error.Forbidden(), and "<What> not found." for Error.NotFound("What");
  * email texts in src/Portal.Core/Features/Notifications/EmailTemplates.cs, looked up through
    localizer[subjectKey] etc.: the literal subject, body and action arguments of Render(...),
    and the literal subject and body arguments of any templates.Notice(culture, "...", "...") call.

Usage:
  python3 tools/i18n/extract.py --list    print every key, one per line (default)
  python3 tools/i18n/extract.py --check   print keys missing from the zh-CN resx; exit 1 if any
                                          (keys in the resx but no longer used are reported as a warning)
"""
from __future__ import annotations

import argparse
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src"
CORE = SRC / "Portal.Core"
RESX = CORE / "Localization" / "SharedResource.zh-CN.resx"


# A C# regular string literal ("...\"...") or verbatim literal (@"...""...").
REGULAR = r'"(?:[^"\\\n]|\\.)*"'
VERBATIM = r'@"(?:[^"]|"")*"'
LITERAL = rf"(?:{VERBATIM}|{REGULAR})"

# L["..."] / l["..."] / localizer["..."] where the whole indexer argument is one literal.
INDEXER = re.compile(rf"(?<![\w.])(?:L|l|localizer)\[\s*({LITERAL})\s*\]")
# new Error("Code.X", "Message") and target-typed new("Code.X", "Message").
NEW_ERROR = re.compile(rf"\bnew(?:\s+Error)?\s*\(\s*\"[A-Za-z]+(?:\.[A-Za-z]+)+\"\s*,\s*({LITERAL})\s*\)")
FORBIDDEN = re.compile(rf"\bError\.Forbidden\s*\(\s*({LITERAL})\s*\)")
FORBIDDEN_DEFAULT = re.compile(rf"\bForbidden\s*\(\s*string\s+\w+\s*=\s*({LITERAL})\s*\)")
NOT_FOUND = re.compile(rf"\bError\.NotFound\s*\(\s*({LITERAL})\s*\)")
STORED_TEXT = re.compile(rf"\bLocalizedText\.Encode\s*\(\s*({LITERAL})")
# LocalizedText.Encode(cond ? "template a" : "template b", ...) and LocalizedText.Term("word") / Term(cond ? "on" : "off").
STORED_CHOICE = re.compile(rf"\bLocalizedText\.(?:Encode|Term)\s*\(\s*[^,()\"?]+\?\s*({LITERAL})\s*:\s*({LITERAL})")
STORED_TERM = re.compile(rf"\bLocalizedText\.Term\s*\(\s*({LITERAL})\s*\)")
AUDIT_NAME = re.compile(rf"^\s*\[\s*\"[a-z0-9_.]+\"\s*\]\s*=\s*({LITERAL})\s*,", re.M)
ENUM_DECL = re.compile(r"\benum\s+\w+[^{;]*\{(.*?)\}", re.S)
ENUM_TEXT = re.compile(rf"\[\s*EnumText\s*\(\s*({LITERAL})\s*\)\s*\]")

# Email templates: Render(culture, subjectKey, displayName, bodyKey, actionKey, link, ...args)
# and Notice(culture, subject, body, ...args). Argument positions that hold localisation keys:
TEMPLATE_CALLS = {"Render": (1, 3, 4), "Notice": (1, 2)}
TEMPLATE_CALL = re.compile(r"(?<![\w])(Render|Notice)\s*\(")
LITERAL_ONLY = re.compile(rf"\s*({LITERAL})\s*$", re.S)

_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "0": "\0", "\\": "\\", '"': '"', "'": "'"}


def unquote(literal: str) -> str:
    """The value of a C# string literal."""
    if literal.startswith('@"'):
        return literal[2:-1].replace('""', '"')

    def escape(m: re.Match[str]) -> str:
        c = m.group(1)
        if c in _ESCAPES:
            return _ESCAPES[c]
        if c[0] in "uU" or c[0] == "x":
            return chr(int(c[1:], 16))
        return m.group(0)

    return re.sub(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|x[0-9A-Fa-f]{1,4}|.)", escape, literal[1:-1])


def call_arguments(text: str, open_paren: int) -> list[str] | None:
    """Top-level arguments of the call whose "(" is at open_paren (string literals respected)."""
    args, depth, start, i = [], 0, open_paren + 1, open_paren
    token = re.compile(rf"{LITERAL}|'(?:[^'\\]|\\.)*'|[()\[\]{{}},]")
    for m in token.finditer(text, open_paren):
        t = m.group(0)
        if t in "([{":
            depth += 1
        elif t in ")]}":
            depth -= 1
            if depth == 0:
                args.append(text[start:m.start()])
                return args
        elif t == "," and depth == 1:
            args.append(text[start:m.start()])
            start = m.end()
    return None


def template_keys(text: str):
    for m in TEMPLATE_CALL.finditer(text):
        before = text[max(0, m.start() - 40):m.start()]
        if re.search(r"\b(EmailContent|void|Task<[^>]*>)\s+$", before):
            continue  # the method declaration, not a call
        args = call_arguments(text, m.end() - 1)
        if not args:
            continue
        for index in TEMPLATE_CALLS[m.group(1)]:
            if index < len(args) and (lit := LITERAL_ONLY.match(args[index])):
                yield unquote(lit.group(1))


def source_files(root: Path, *patterns: str):
    for pattern in patterns:
        for path in sorted(root.rglob(pattern)):
            parts = set(path.relative_to(root).parts)
            if parts & {"bin", "obj", "node_modules"}:
                continue
            yield path


def enum_keys(text: str):
    """Localisation keys of the members of every enum declared in text: [EnumText("...")] or the member name."""
    for m in ENUM_DECL.finditer(text):
        body = re.sub(r"//[^\n]*|/\*.*?\*/", "", m.group(1), flags=re.S)
        for item in body.split(","):
            if not item.strip():
                continue
            if attr := ENUM_TEXT.search(item):
                yield unquote(attr.group(1))
            else:
                name = re.sub(r"\[[^\]]*\]", "", item).strip()
                yield re.split(r"[\s=]", name)[0]


def collect(optional: set[str] | None = None) -> dict[str, set[str]]:
    """Key -> where it was found (relative paths, or a description). Enum keys go to optional when given."""
    keys: dict[str, set[str]] = {}

    def add(key: str, where: str) -> None:
        if key.strip():
            keys.setdefault(key, set()).add(where)

    for path in source_files(SRC, "*.razor", "*.cs"):
        rel = str(path.relative_to(ROOT))
        text = path.read_text(encoding="utf-8")
        for rx in (INDEXER, STORED_TEXT, STORED_TERM):
            for m in rx.finditer(text):
                add(unquote(m.group(1)), rel)
        for m in STORED_CHOICE.finditer(text):
            add(unquote(m.group(1)), rel)
            add(unquote(m.group(2)), rel)
        if path.name == "AuditActions.cs":
            for m in AUDIT_NAME.finditer(text):
                add(unquote(m.group(1)), rel)
        if optional is not None and path.suffix == ".cs" and "Portal.Web" not in path.parts:
            optional.update(k for k in enum_keys(text) if k)
        if CORE in path.parents and path.suffix == ".cs":
            for rx in (NEW_ERROR, FORBIDDEN, FORBIDDEN_DEFAULT):
                for m in rx.finditer(text):
                    add(unquote(m.group(1)), rel)
            for m in NOT_FOUND.finditer(text):
                add(f"{unquote(m.group(1))} not found.", rel)
        if path.suffix == ".cs" and ("EmailTemplates" in text or "templates.Notice" in text):
            for key in template_keys(text):
                add(key, rel)

    return keys


def resx_keys(path: Path) -> list[str]:
    if not path.exists():
        return []
    return [d.get("name", "") for d in ET.parse(path).getroot().iter("data")]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--list", action="store_true", help="print every key (default)")
    mode.add_argument("--check", action="store_true", help="report keys missing from the zh-CN resx")
    parser.add_argument("--where", action="store_true", help="with --list: also print where each key is used")
    args = parser.parse_args()

    enum_keys_found: set[str] = set()
    keys = collect(enum_keys_found)
    if not args.check:
        for key in sorted(keys, key=str.casefold):
            print(f"{key}\t{', '.join(sorted(keys[key]))}" if args.where else key)
        return 0

    present = resx_keys(RESX)
    # Keys that differ only in case collide when the resx is compiled: one of them is silently not translated.
    folded = [k.casefold() for k in present]
    duplicates = sorted({k for k in present if folded.count(k.casefold()) > 1})
    missing = sorted(set(keys) - set(present), key=str.casefold)
    unused = sorted(set(present) - set(keys) - enum_keys_found, key=str.casefold)
    for key in duplicates:
        print(f"duplicate: {key}", file=sys.stderr)
    for key in missing:
        print(f"missing: {key}\t({', '.join(sorted(keys[key]))})")
    for key in unused:
        print(f"warning: not used in src: {key}", file=sys.stderr)
    print(f"{len(keys)} keys, {len(missing)} missing from {RESX.relative_to(ROOT)}", file=sys.stderr)
    return 1 if missing or duplicates else 0


if __name__ == "__main__":
    sys.exit(main())
