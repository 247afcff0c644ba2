#!/usr/bin/env python3
"""The plugin-key table (plugin-keys.toml) -> the shim's C header and the README's key table.

  scripts/gen-plugin-keys.py --header OUT.h      write the C table (shim-c/Makefile -> shim-c/build/plugin_keys.h)
  scripts/gen-plugin-keys.py --check README.md   exit 1 (with a diff) if the table between the markers
                                                 <!-- plugin-keys:begin ... --> and <!-- plugin-keys:end -->
                                                 differs from the rendering of the TOML (make -C shim-c test)
  scripts/gen-plugin-keys.py --write README.md   rewrite that part of README.md
  scripts/gen-plugin-keys.py --java OUT.java     write the backend's compiled-in copy of the table
                                                 (hpc-ptcomm's BundledKeys.java, committed; PluginKeysTest checks
                                                 that it equals the TOML, so the backend needs no TOML parser)
  --table FILE                                   another table (default: the one in hpc-ptcomm)

The TOML's own header comment describes its fields and types. The backend uses the compiled-in copy
(io.podheitor.hpc.ptcomm.BundledKeys, through PluginKeys.table()); PluginKeys.parse reads the TOML itself in tests. Needs Python >= 3.11 (tomllib). SPDX-License-Identifier: AGPL-3.0-or-later
"""
import argparse
import difflib
import os
import re
import sys

try:
    import tomllib
except ImportError:  # Python < 3.11
    sys.exit("gen-plugin-keys: needs Python >= 3.11 (tomllib)")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TABLE_REL = "hpc-ptcomm/src/main/resources/io/podheitor/hpc/ptcomm/plugin-keys.toml"
BEGIN = "<!-- plugin-keys:begin"
END = "<!-- plugin-keys:end -->"
INT_MAX = 999999999  # 9 digits: an int in Java, a long in C

# type -> (fields it needs, fields it may have, README "value" column).
# A new type: an entry here, a case in params.c's check_value (enum phpc_key_type in params.h) and in
# KeySpec.check (enum KeySpec.Type), plus a valid and a bad sample in test_params.c and PluginParamsTest.
TYPES = {
    "abs-path":   (set(), set(), lambda k: "absolute path"),
    "ascii-path": (set(), set(), lambda k: "absolute path, printable ASCII"),
    "integer":    ({"min", "max"}, {"unit"},
                   lambda k: f"integer {k['min']}..{k['max']}" + (f" ({k['unit']})" if "unit" in k else "")),
    "yes-no":     (set(), set(), lambda k: "`yes` or `no`"),
    "one-of":     ({"values"}, set(), lambda k: ", ".join(f"`{v}`" for v in k["values"])),
    "k-of-n":     ({"max"}, set(), lambda k: f"`K/N`, 0 ≤ K < N ≤ {k['max']}"),
    "word":       (set(), set(), lambda k: "a word: 1..64 of `A-Z a-z 0-9 . _ -`"),
    "words":      (set(), set(), lambda k: "words of `A-Z a-z 0-9 . _ - / , = + @` separated by single blanks, "
                                           "1..1024 characters"),
    "abs-path-list": (set(), set(),
                      lambda k: "absolute paths separated by `,`, each may start with `!` "
                                "(a comma inside a path: `\\\\,` in the plugin string)"),
}
COMMON = {"name", "type", "side", "description", "required", "default", "default_text"}
SIDES = {"shim": "shim", "backend": "backend", "both": "shim and backend"}


class TableError(Exception):
    pass


def path_list_ok(v):
    """An abs-path-list: elements separated by ',', each '/...' or '!/...'; '\\,' and '\\\\' the only escapes."""
    elements, cur, i = [], "", 0
    while i < len(v):
        c = v[i]
        if c == "\\":
            if i + 1 >= len(v) or v[i + 1] not in ",\\":
                return False
            cur += v[i + 1]
            i += 2
            continue
        if c == ",":
            elements.append(cur)
            cur = ""
        elif c == "\0":
            return False
        else:
            cur += c
        i += 1
    elements.append(cur)
    return all(e.startswith("/") or e.startswith("!/") for e in elements)


def value_ok(k, v):
    """The literal default against its key's type (the same rules as params.c and KeySpec.check)."""
    t = k["type"]
    if v == "":
        return False
    if t in ("abs-path", "ascii-path"):
        if not v.startswith("/") or "\0" in v:
            return False
        return t == "abs-path" or all(0x20 <= ord(c) <= 0x7e for c in v)
    if t == "integer":
        return re.fullmatch(r"[0-9]+", v) is not None and k["min"] <= int(v) <= k["max"]
    if t == "yes-no":
        return v in ("yes", "no")
    if t == "one-of":
        return v in k["values"]
    if t == "k-of-n":
        m = re.fullmatch(r"([0-9]{1,9})/([0-9]{1,9})", v)
        return m is not None and int(m[1]) < int(m[2]) <= k["max"]
    if t == "abs-path-list":
        return path_list_ok(v)
    if t == "word":
        return re.fullmatch(r"[A-Za-z0-9._-]{1,64}", v) is not None
    if t == "words":
        return len(v) <= 1024 and re.fullmatch(r"[A-Za-z0-9._/,=+@-]+( [A-Za-z0-9._/,=+@-]+)*", v) is not None
    raise AssertionError(t)


def load(path):
    with open(path, "rb") as f:
        try:
            doc = tomllib.load(f)
        except tomllib.TOMLDecodeError as e:
            raise TableError(f"{path}: {e}")
    if set(doc) != {"key"} or not isinstance(doc["key"], list) or not doc["key"]:
        raise TableError(f"{path}: expected only [[key]] entries")
    keys, seen = [], set()
    for i, k in enumerate(doc["key"], 1):
        where = f"{path}: [[key]] #{i} ({k.get('name', '?')})"

        def bad(msg):
            raise TableError(f"{where}: {msg}")

        name = k.get("name")
        if not isinstance(name, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", name):
            bad("name must match [a-z][a-z0-9_]*")
        if name in seen:
            bad("name given twice")
        seen.add(name)
        t = k.get("type")
        if t not in TYPES:
            bad(f"type must be one of {', '.join(TYPES)}")
        need, may, _ = TYPES[t]
        extra = set(k) - COMMON - need - may
        if extra:
            bad(f"field(s) {', '.join(sorted(extra))} do not belong to type {t}")
        missing = need - set(k)
        if missing:
            bad(f"type {t} needs {', '.join(sorted(missing))}")
        if t == "integer":
            lo, hi = k["min"], k["max"]
            if not all(isinstance(x, int) and not isinstance(x, bool) for x in (lo, hi)) \
                    or not 0 <= lo <= hi <= INT_MAX:
                bad(f"needs integers 0 <= min <= max <= {INT_MAX}")
            if not isinstance(k.get("unit", ""), str):
                bad("unit must be a string")
        if t == "k-of-n":
            hi = k["max"]
            if not isinstance(hi, int) or isinstance(hi, bool) or not 1 <= hi <= INT_MAX:
                bad(f"needs an integer 1 <= max <= {INT_MAX}")
        if t == "one-of":
            vals = k["values"]
            if not isinstance(vals, list) or not vals or len(set(vals)) != len(vals) or \
                    not all(isinstance(v, str) and re.fullmatch(r"[A-Za-z0-9_.+-]+", v) for v in vals):
                bad("values must be distinct words ([A-Za-z0-9_.+-]+)")
        if k.get("side") not in SIDES:
            bad(f"side must be one of {', '.join(SIDES)}")
        if not isinstance(k.get("description"), str) or not k["description"].strip():
            bad("needs a description")
        required = k.get("required", False)
        if not isinstance(required, bool):
            bad("required must be true or false")
        given = [f for f in ("default", "default_text") if f in k]
        if required == bool(given) or len(given) > 1:
            bad("needs exactly one of required = true, default, default_text")
        for f in given:
            if not isinstance(k[f], str) or not k[f]:
                bad(f"{f} must be a non-empty string")
        if "default" in k and not value_ok(k, k["default"]):
            bad(f"default {k['default']!r} is not a valid {t}")
        keys.append(k)
    return keys


# ---- C ----------------------------------------------------------------------------------------------------

def c_str(s):
    out = []
    for ch in s.encode():
        c = chr(ch)
        if c in '"\\':
            out.append("\\" + c)
        elif 0x20 <= ch <= 0x7e and c != "?":  # '?': no trigraphs
            out.append(c)
        else:
            out.append("\\%03o" % ch)
    return '"' + "".join(out) + '"'


def c_ident(s):
    return re.sub(r"[^A-Z0-9]", "_", s.upper())


def header(keys, table_rel):
    lines = [
        f"/* Generated by scripts/gen-plugin-keys.py from {table_rel}:",
        " * do not edit, change the table.  Included by params.c only (the table and the types: params.h). */",
        "#ifndef PHPC_PLUGIN_KEYS_H",
        "#define PHPC_PLUGIN_KEYS_H",
        "",
        "enum phpc_key_id {",
    ]
    lines += [f"    PHPC_KEY_{c_ident(k['name'])}," for k in keys]
    lines += ["    PHPC_NKEYS", "};", "",
              "/* for \"unknown key\" messages, in table order */",
              f"#define PHPC_KNOWN_KEYS {c_str(', '.join(k['name'] for k in keys))}", "",
              "static const phpc_key_spec phpc_key_specs[PHPC_NKEYS] = {"]
    for k in keys:
        f = [f".name = {c_str(k['name'])}", f".type = PHPC_KT_{c_ident(k['type'])}",
             f".side = PHPC_SIDE_{c_ident(k['side'])}"]
        if k["type"] == "integer":
            f += [f".min = {k['min']}L", f".max = {k['max']}L"]
            if "unit" in k:
                f.append(f".unit = {c_str(k['unit'])}")
        if k["type"] == "k-of-n":
            f.append(f".max = {k['max']}L")
        if k["type"] == "one-of":
            f.append(".values = (const char *const[]){ " + ", ".join(c_str(v) for v in k["values"]) + ", NULL }")
            f.append(f".values_text = {c_str(', '.join(k['values']))}")
        if k.get("required"):
            f.append(".required = 1")
        if "default" in k:
            f.append(f".dflt = {c_str(k['default'])}")
        lines.append(f"    [PHPC_KEY_{c_ident(k['name'])}] = {{")
        lines += [f"        {x}," for x in f]
        lines.append("    },")
    lines += ["};", "", "#endif", ""]
    return "\n".join(lines)


# ---- Java -------------------------------------------------------------------------------------------------

def java_str(s):
    """A Java string literal; every character outside printable ASCII escaped (never as a \\u escape of a line
    end, a quote or a backslash, which javac would translate before reading the literal)."""
    if s is None:
        return "null"
    out = []
    for c in s:
        o = ord(c)
        if c in '"\\':
            out.append("\\" + c)
        elif 0x20 <= o <= 0x7e:
            out.append(c)
        elif c in "\n\r\t":
            out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t"}[c])
        elif o < 0x20 or o == 0x7f:
            out.append("\\%03o" % o)
        else:
            units = c.encode("utf-16-be")
            out.extend("\\u%02x%02x" % (units[i], units[i + 1]) for i in range(0, len(units), 2))
    return '"' + "".join(out) + '"'


def java(keys, table_rel):
    lines = [
        "package io.podheitor.hpc.ptcomm;",
        "",
        "import java.util.List;",
        "",
        "/**",
        f" * Generated by scripts/gen-plugin-keys.py --java from {table_rel}: do not edit, change the table and",
        " * regenerate. The backend's copy of the table, compiled in so that it parses no TOML at run time;",
        " * PluginKeysTest checks that it equals the table.",
        " */",
        "final class BundledKeys {",
        "    private BundledKeys() {",
        "    }",
        "",
        "    static List<KeySpec> keys() {",
        "        return List.of(",
    ]
    items = []
    for k in keys:
        t = "KeySpec.Type." + c_ident(k["type"])
        side = "KeySpec.Side." + c_ident(k["side"])
        vals = "List.of(" + ", ".join(java_str(v) for v in k.get("values", [])) + ")"
        args = [java_str(k["name"]), t, f"{k.get('min', 0)}L", f"{k.get('max', 0)}L", java_str(k.get("unit")), vals,
                "true" if k.get("required") else "false", java_str(k.get("default")), java_str(k.get("default_text")),
                side, java_str(k["description"])]
        items.append("                new KeySpec(" + ",\n                        ".join(args) + ")")
    lines.append(",\n".join(items) + ");")
    lines += ["    }", "}", ""]
    return "\n".join(lines)


def write_if_changed(path, text):
    try:
        with open(path, encoding="utf-8") as f:
            if f.read() == text:
                return False  # unchanged: keep its time stamp
    except OSError:
        pass
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(path + ".tmp", path)
    return True


# ---- README -----------------------------------------------------------------------------------------------

def cell(s):
    return " ".join(s.split()).replace("|", "\\|")


def markdown(keys):
    rows = ["| key | value | default | used by | meaning |", "|---|---|---|---|---|"]
    for k in keys:
        if k.get("required"):
            dflt = "required"
        elif "default" in k:
            dflt = f"`{k['default']}`"
        else:
            dflt = k["default_text"]
        rows.append("| " + " | ".join(cell(x) for x in (
            f"`{k['name']}`", TYPES[k["type"]][2](k), dflt, SIDES[k["side"]], k["description"])) + " |")
    return "\n".join(rows) + "\n"


def split_readme(path):
    """(before including the begin marker line, the generated part, from the end marker on)."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    b = text.find("\n" + BEGIN)
    e = text.find("\n" + END + "\n")
    if b < 0 or e < 0 or e < b:
        raise TableError(f"{path}: no '{BEGIN} ... -->' line followed by a '{END}' line")
    b = text.index("\n", b + 1) + 1
    return text[:b], text[b:e + 1], text[e + 1:]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--table", default=os.path.join(ROOT, TABLE_REL))
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--header", metavar="OUT")
    g.add_argument("--check", metavar="README")
    g.add_argument("--write", metavar="README")
    g.add_argument("--java", metavar="OUT")
    a = ap.parse_args()
    try:
        keys = load(a.table)
        try:
            table_rel = os.path.relpath(os.path.abspath(a.table), ROOT)
        except ValueError:
            table_rel = a.table
        if a.header:
            write_if_changed(a.header, header(keys, table_rel))
            return 0
        if a.java:
            if write_if_changed(a.java, java(keys, table_rel)):
                print(f"gen-plugin-keys: {a.java} written")
            return 0
        readme = a.check or a.write
        before, part, after = split_readme(readme)
        want = markdown(keys)
        if a.write:
            if part != want:
                with open(readme + ".tmp", "w", encoding="utf-8") as f:
                    f.write(before + want + after)
                os.replace(readme + ".tmp", readme)
                print(f"gen-plugin-keys: {readme}: key table rewritten")
            return 0
        if part == want:
            print(f"gen-plugin-keys: {readme}: the key table matches {os.path.basename(a.table)} ({len(keys)} keys)")
            return 0
        sys.stdout.writelines(difflib.unified_diff(part.splitlines(True), want.splitlines(True),
                                                   f"{readme} (as written)", f"{readme} (from the table)"))
        print(f"gen-plugin-keys: {readme}: the key table differs from {a.table}; "
              f"run scripts/gen-plugin-keys.py --write {readme}", file=sys.stderr)
        return 1
    except (TableError, OSError) as e:
        print(f"gen-plugin-keys: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
