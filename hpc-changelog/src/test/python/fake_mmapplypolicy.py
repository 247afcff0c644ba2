#!/usr/bin/env python3
"""A fake GPFS / Storage Scale `mmapplypolicy` for hpc-changelog's tests (docs/changelog.md §5).

    mmapplypolicy PATH -P POLICY -I defer -f PREFIX [-N nodes] [-g dir] [-s dir] [--scope s] ...

Reads the policy, scans the real local tree below PATH (lstat, no symlink followed) and, as the real engine does
with `-I defer`, writes one file per non-empty list, PREFIX.list.NAME: `INODE GEN SNAPID   -- PATH` per line, the
path escaped as the list's ESCAPE clause asks (ESCAPE '%': every byte outside A-Z a-z 0-9 - _ . ~ / becomes %HH,
so blanks, newlines, '%' and bytes that are not UTF-8 too). Each entry goes to the list of the first LIST rule
whose WHERE holds; without DIRECTORIES_PLUS a rule considers regular files only.

The policy subset understood: RULE ['name'] EXTERNAL LIST 'L' EXEC 'x' [OPTS 's'] [ESCAPE 's'] and RULE ['name']
LIST 'L' [DIRECTORIES_PLUS] [WHERE cond], cond made of AND, OR, NOT, parentheses, MODIFICATION_TIME / CHANGE_TIME /
ACCESS_TIME compared (>, >=, <, <=, =, <>) with TIMESTAMP('YYYY-MM-DD HH:MM:SS') (read as UTC), and
MISC_ATTRIBUTES LIKE 'pattern' (D directory, F regular file, L symbolic link). Anything else is a policy error.

Python, not C like fake_changelog.c: the policy language needs a small expression parser, several times shorter
here, and python3 >= 3.11 is already needed by the build (scripts/gen-plugin-keys.py).

Traps, by environment: FAKE_MMAPPLYPOLICY_FAIL=N (exit N after a real-looking error), FAKE_MMAPPLYPOLICY_GARBAGE=1
(a malformed line at the end of every list), FAKE_MMAPPLYPOLICY_ARGS=FILE (the arguments, one per line, for the
test to check).
"""
import os
import re
import stat
import sys
from datetime import datetime, timezone

USAGE = ("Usage: mmapplypolicy {Device|Directory} [-A IscanBuckets] [-a IscanThreads] [-B MaxFiles]\n"
         "          [-D yyyy-mm-dd[@hh:mm[:ss]]] [-e] [-f FileListPrefix] [-g GlobalWorkDirectory]\n"
         "          [-I {yes|defer|test|prepare}] [-i InputFileList] [-L n] [-M name=value...] [-m ThreadLevel]\n"
         "          [-N {all|mount|Node[,Node...]|NodeFile|NodeClass}] [-n DirThreadLevel] [-P PolicyFile]\n"
         "          [-q] [-S SnapshotName] [-s LocalWorkDirectory] [--choice-algorithm {best|exact|fast}]\n"
         "          [--maxdepth MaxDirectoryDepth] [--qos QosClass] [--scope {filesystem|inodespace|fileset}]\n"
         "          [--single-instance] [--split-margin n.n]\n")
WITH_VALUE = {"-A", "-a", "-B", "-D", "-f", "-g", "-I", "-i", "-L", "-M", "-m", "-N", "-n", "-P", "-S", "-s",
              "--choice-algorithm", "--maxdepth", "--qos", "--scope", "--split-margin", "--sort-buffer-size"}
FLAGS = {"-e", "-q", "--single-instance"}
UNRESERVED = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~/")


class PolicyError(Exception):
    pass


def usage_error(text):
    sys.stderr.write("mmapplypolicy: " + text + "\n" + USAGE)
    sys.exit(1)


def parse_args(argv):
    if not argv or argv[0].startswith("-"):
        usage_error("Missing argument: Device or Directory.")
    opts = {"path": argv[0]}
    i = 1
    while i < len(argv):
        a = argv[i]
        if a in FLAGS:
            opts[a] = True
            i += 1
        elif a in WITH_VALUE:
            if i + 1 >= len(argv):
                usage_error("Option " + a + " requires a value.")
            opts[a] = argv[i + 1]
            i += 2
        else:
            usage_error("Invalid option: " + a)
    if opts.get("--scope", "filesystem") not in ("filesystem", "inodespace", "fileset"):
        usage_error("Invalid value for --scope: " + opts["--scope"])
    if "-P" not in opts:
        usage_error("No policy file (-P) given and no policy installed for this file system.")
    if opts.get("-I", "yes") not in ("yes", "defer", "test", "prepare"):
        usage_error("Invalid value for -I: " + opts["-I"])
    return opts


TOKEN = re.compile(r"\s+|/\*.*?\*/|'(?:[^']|'')*'|[A-Za-z_][A-Za-z0-9_]*|>=|<=|<>|[=<>(),]|\d+", re.S)


def tokens(text):
    out = []
    pos = 0
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if not m:
            raise PolicyError("syntax error at '%s'" % text[pos:pos + 20])
        t = m.group(0)
        pos = m.end()
        if t.isspace() or t.startswith("/*"):
            continue
        if t.startswith("'"):
            out.append(("str", t[1:-1].replace("''", "'")))
        elif re.match(r"[A-Za-z_]", t):
            out.append(("word", t.upper()))
        else:
            out.append(("op", t))
    return out


class Parser:
    def __init__(self, toks):
        self.t = toks
        self.i = 0

    def peek(self, kind=None, value=None):
        if self.i >= len(self.t):
            return None
        k, v = self.t[self.i]
        if (kind is None or k == kind) and (value is None or v == value):
            return self.t[self.i]
        return None

    def take(self, kind=None, value=None):
        tok = self.peek(kind, value)
        if tok is None:
            got = self.t[self.i][1] if self.i < len(self.t) else "end of policy"
            raise PolicyError("expected %s, found '%s'" % (value or kind, got))
        self.i += 1
        return tok[1]

    def rules(self):
        externals = {}
        lists = []
        while self.peek() is not None:
            self.take("word", "RULE")
            if self.peek("str"):
                self.take("str")
            if self.peek("word", "EXTERNAL"):
                self.take()
                self.take("word", "LIST")
                name = self.take("str")
                self.take("word", "EXEC")
                self.take("str")
                escape = None
                while self.peek("word", "OPTS") or self.peek("word", "ESCAPE"):
                    key = self.take()
                    value = self.take("str")
                    if key == "ESCAPE":
                        escape = value
                externals[name] = escape
            else:
                self.take("word", "LIST")
                name = self.take("str")
                plus = False
                cond = lambda e: True
                if self.peek("word", "DIRECTORIES_PLUS"):
                    self.take()
                    plus = True
                if self.peek("word", "WHERE"):
                    self.take()
                    cond = self.disjunction()
                lists.append((name, plus, cond))
        for name, _, _ in lists:
            if name not in externals:
                sys.stdout.write("[W] 6027-930 Attention: In RULE 'LIST' the list name '%s' is not defined by an "
                                 "EXTERNAL LIST rule.\n" % name)
        return externals, lists

    def disjunction(self):
        parts = [self.conjunction()]
        while self.peek("word", "OR"):
            self.take()
            parts.append(self.conjunction())
        return lambda e: any(p(e) for p in parts)

    def conjunction(self):
        parts = [self.negation()]
        while self.peek("word", "AND"):
            self.take()
            parts.append(self.negation())
        return lambda e: all(p(e) for p in parts)

    def negation(self):
        if self.peek("word", "NOT"):
            self.take()
            inner = self.negation()
            return lambda e: not inner(e)
        if self.peek("op", "("):
            self.take()
            inner = self.disjunction()
            self.take("op", ")")
            return inner
        return self.atom()

    def atom(self):
        attr = self.take("word")
        if attr == "MISC_ATTRIBUTES":
            self.take("word", "LIKE")
            pattern = self.take("str")
            rx = re.compile("".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern) + r"\Z",
                            re.S)
            return lambda e: rx.match(e["misc"]) is not None
        if attr not in ("MODIFICATION_TIME", "CHANGE_TIME", "ACCESS_TIME"):
            raise PolicyError("unsupported attribute " + attr)
        op = self.take("op")
        self.take("word", "TIMESTAMP")
        self.take("op", "(")
        text = self.take("str")
        self.take("op", ")")
        try:
            when = datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc).timestamp()
        except ValueError:
            raise PolicyError("bad TIMESTAMP('%s')" % text)
        ns = int(when) * 10**9
        cmp = {">": lambda a: a > ns, ">=": lambda a: a >= ns, "<": lambda a: a < ns, "<=": lambda a: a <= ns,
               "=": lambda a: a == ns, "<>": lambda a: a != ns}.get(op)
        if cmp is None:
            raise PolicyError("unsupported operator " + op)
        key = {"MODIFICATION_TIME": "mtime", "CHANGE_TIME": "ctime", "ACCESS_TIME": "atime"}[attr]
        return lambda e: cmp(e[key])


def escaped(path, escape):
    if escape is None:
        return path.replace(b"\\", b"\\\\").replace(b"\n", b"\\n")
    special = set(escape[1:].encode()) | {ord("%")}
    out = bytearray()
    for b in path:
        if b in UNRESERVED and b not in special:
            out.append(b)
        else:
            out += b"%%%02X" % b
    return bytes(out)


def entries(top):
    def one(p):
        st = os.lstat(p)
        misc = "D" if stat.S_ISDIR(st.st_mode) else "F" if stat.S_ISREG(st.st_mode) else \
            "L" if stat.S_ISLNK(st.st_mode) else ""
        return {"path": p, "ino": st.st_ino, "mtime": st.st_mtime_ns, "ctime": st.st_ctime_ns,
                "atime": st.st_atime_ns, "misc": misc, "dir": stat.S_ISDIR(st.st_mode),
                "reg": stat.S_ISREG(st.st_mode)}

    yield one(top)
    for dirpath, dirnames, filenames in os.walk(top):
        for n in dirnames + filenames:
            yield one(os.path.join(dirpath, n))


def main():
    opts = parse_args(sys.argv[1:])
    if os.environ.get("FAKE_MMAPPLYPOLICY_ARGS"):
        with open(os.environ["FAKE_MMAPPLYPOLICY_ARGS"], "w") as f:
            f.write("\n".join(sys.argv[1:]) + "\n")
    fail = os.environ.get("FAKE_MMAPPLYPOLICY_FAIL")
    if fail:
        sys.stderr.write("[E] 6027-2628 Could not open file system or directory %s: Stale file handle\n"
                         % opts["path"])
        sys.exit(int(fail))
    try:
        with open(opts["-P"], encoding="ascii") as f:
            externals, lists = Parser(tokens(f.read())).rules()
    except (OSError, UnicodeDecodeError, PolicyError) as e:
        sys.stderr.write("[E] Error while loading policy rules from %s: %s\n" % (opts["-P"], e))
        sys.exit(1)
    top = os.fsencode(opts["path"])
    if not os.path.isdir(top):
        sys.stderr.write("[E] 6027-2628 Could not open file system or directory %s: No such file or directory\n"
                         % opts["path"])
        sys.exit(2)
    sys.stdout.write("[I] GPFS policy engine (fake) parsed %d policy rules.\n" % (len(externals) + len(lists)))
    chosen = {}
    scanned = 0
    for e in entries(top):
        scanned += 1
        for name, plus, cond in lists:
            if (plus or e["reg"]) and cond(e):
                chosen.setdefault(name, []).append(e)
                break
    if opts.get("-I", "yes") == "defer" and "-f" in opts:
        garbage = os.environ.get("FAKE_MMAPPLYPOLICY_GARBAGE") == "1"
        for name, found in chosen.items():
            with open(opts["-f"] + ".list." + name, "wb") as out:
                for e in sorted(found, key=lambda x: x["ino"]):
                    gen = (e["ino"] * 2654435761) & 0xFFFFFFFF
                    out.write(b"%d %d 0   -- %s\n" % (e["ino"], gen, escaped(e["path"], externals.get(name))))
                if garbage:
                    out.write(b"12 34 0   -- /bad%Z\n")
    sys.stdout.write("[I] Directories scan: %d objects.\n" % scanned)
    for name, _, _ in lists:
        sys.stdout.write("[I] List '%s': %d chosen.\n" % (name, len(chosen.get(name, []))))
    sys.stdout.write("[I] Policy execution. 0 'error' results.\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
