# shellcheck shell=bash
# Sharding (docs/sharding.md), the N jobs one after the other (the concurrent run of gen-fileset's jobs on the
# PostgreSQL catalog is a test of its own): 4 inode-hash shards of one tree with hard links and odd names,
# Accurate.
#   * each Full ends OK and logs "shard: inode-hash K/4"; the union of the 4 catalogs == find PATH (names
#     compared as bytes), no non-directory is in two catalogs, every catalog holds every directory;
#   * a restore of the 4 Fulls into one empty directory == the tree (verify.py: content, attributes, links);
#   * a restore of one shard alone holds exactly that shard's catalog entries, each with the source's type,
#     mode, owner, mtime, content and link target (its files with their parents);
#   * a change set (new file, appended, chmod, deleted, renamed, a new hard link; files with one name, see
#     docs/sharding.md §7), 4 Accurate Incrementals, restore-latest of the 4 into one directory == the live tree.

# the catalogs of JOBIDs as "jobid<TAB>hex(name)" lines of saved entries
shard_catalogs() { # jobid...
  local j
  for j in "$@"; do H query "SELECT $j, hex(Name) FROM PhpcFile WHERE JobId = $j AND FileIndex > 0"; done
}

# checks the union of the catalogs against the tree: prints a reason and returns 1 when it differs
shard_union_check() { # tree catalogs-file
  python3 - "$1" "$2" <<'PY'
import collections, os, sys
root, cats = os.fsencode(sys.argv[1]), collections.defaultdict(set)
for line in open(sys.argv[2]):
    j, h = line.split()
    cats[j].add(bytes.fromhex(h))
live = set()
for d, dirs, files in os.walk(root):
    live.add(d.rstrip(b"/") + b"/")
    live.update(os.path.join(d, n) for n in files)
    live.update(os.path.join(d, n) for n in dirs if os.path.islink(os.path.join(d, n)))
    dirs[:] = [n for n in dirs if not os.path.islink(os.path.join(d, n))]
union = set().union(*cats.values())
count = collections.Counter(p for s in cats.values() for p in s if not p.endswith(b"/"))
twice = [p for p, c in count.items() if c > 1]
dirs = {p for p in live if p.endswith(b"/")}
bad = []
if union != live:
    bad.append(f"union of the catalogs != find: {len(union - live)} only in a catalog, {len(live - union)} only in "
               f"the tree, e.g. {sorted(union ^ live)[:3]}")
if twice:
    bad.append(f"{len(twice)} non-directories in two catalogs, e.g. {twice[:3]}")
for j, s in sorted(cats.items()):
    if not dirs <= s:
        bad.append(f"job {j} lacks {len(dirs - s)} directories")
print("; ".join(bad) if bad else f"{len(live)} entries, {len(dirs)} directories, per job "
      + ", ".join(f"{j}:{len(s)}" for j, s in sorted(cats.items())))
sys.exit(1 if bad else 0)
PY
}

# one shard restored alone: exactly its catalog's entries, each as in the source
shard_alone_check() { # tree restore-dir catalogs-file jobid
  python3 - "$@" <<'PY'
import hashlib, os, stat, sys
src, dest, cats, job = os.fsencode(sys.argv[1]), os.fsencode(sys.argv[2]), sys.argv[3], sys.argv[4]
saved = {bytes.fromhex(h) for j, h in (l.split() for l in open(cats)) if j == job}
top = dest + src
def attrs(p):
    st = os.lstat(p)
    return (stat.S_IFMT(st.st_mode), stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid,
            0 if stat.S_ISLNK(st.st_mode) else int(st.st_mtime))
def md5(p):
    with open(p, "rb") as f:
        return hashlib.md5(f.read()).digest()
seen, bad = set(), []
for d, dirs, files in os.walk(top):
    for p in [d] + [os.path.join(d, n) for n in files + dirs]:
        s = src + p[len(top):]
        real_dir = os.path.isdir(p) and not os.path.islink(p)
        if p == d and p != top:
            continue  # a directory is looked at from its parent's listing
        seen.add(s.rstrip(b"/") + b"/" if real_dir else s)
        if attrs(s) != attrs(p):
            bad.append((s, "attributes"))
        elif stat.S_ISREG(os.lstat(s).st_mode) and md5(s) != md5(p):
            bad.append((s, "content"))
        elif os.path.islink(s) and os.readlink(s) != os.readlink(p):
            bad.append((s, "link target"))
    dirs[:] = [n for n in dirs if not os.path.islink(os.path.join(d, n))]
if seen != saved:
    bad.append(f"restored {len(seen)} entries, the catalog has {len(saved)}: {sorted(seen ^ saved)[:3]}")
print("; ".join(map(str, bad[:5])) if bad else f"{len(seen)} entries as in the source")
sys.exit(1 if bad else 0)
PY
}

test_84_plugin_shards() {
  local n=plugin_shards T k out jobs=() names=() j msg
  require_plugin "$n" || return 0
  T=$(mk_tree shards -n 3000 --big 2 --big-max-mib 2 --hardlinks 40 --symlinks 10 --odd-bytes)
  sleep 1.2          # the tree's ctimes older than the Fulls
  for k in 0 1 2 3; do
    out=$SCRATCH/$n.full$k
    if ! hrun "$out" backup-plugin "podheitor-hpc:path=$T;shard=$k/4" Full Accurate=yes; then
      fail_job "$n" "Full of shard $k/4" "$out"; return 0
    fi
    jobs+=("$(field JobId "$out")"); names+=("$(field JobName "$out")")
    if ! plugin_log_mentions "${jobs[k]}" "shard: inode-hash $k/4"; then
      fail "$n" "job ${jobs[k]} does not log 'shard: inode-hash $k/4'"; return 0
    fi
  done
  local cats=$SCRATCH/$n.catalogs
  shard_catalogs "${jobs[@]}" > "$cats"
  if ! msg=$(shard_union_check "$T" "$cats"); then fail "$n" "Fulls ${jobs[*]}: $msg"; return 0; fi
  note "Fulls ${jobs[*]}: $msg"

  local all one v
  all=$(scratch "$n.all")
  for j in "${jobs[@]}"; do
    if ! hrun "$SCRATCH/$n.restore$j" restore "$j" "$all"; then fail_job "$n" "restore of $j" "$SCRATCH/$n.restore$j"; return 0; fi
  done
  if ! v=$(H verify "$T" "$all" 2>&1); then
    echo "$v" >&2; fail "$n" "the 4 Fulls restored into one directory differ from the tree: $(echo "$v" | tail -n 1 | sed 's/.*| //')"; return 0
  fi
  one=$(scratch "$n.one")
  if ! hrun "$SCRATCH/$n.restore-one" restore "${jobs[1]}" "$one"; then fail_job "$n" "restore of ${jobs[1]} alone" "$SCRATCH/$n.restore-one"; return 0; fi
  shard_catalogs "${jobs[1]}" > "$cats.one"
  if ! msg=$(shard_alone_check "$T" "$one" "$cats.one" "${jobs[1]}"); then fail "$n" "shard 1/4 restored alone: $msg"; return 0; fi

  sleep 1.2          # changes strictly after the Fulls
  local -a f
  mapfile -t f < <(find "$T" -type f -links 1 -name 'f0*.dat' | LC_ALL=C sort)
  [ ${#f[@]} -ge 10 ] || { fail "$n" "tree $T has too few files"; return 0; }
  echo "created after the Fulls" > "$T/d00/new-file.txt"
  echo "appended after the Fulls" >> "${f[0]}"
  chmod 0751 "${f[1]}"
  mv -- "${f[2]}" "${f[2]}.renamed"
  rm -f -- "${f[3]}"
  ln -- "${f[4]}" "$T/d01/new-link"
  sleep 1.2
  local incs=()
  for k in 0 1 2 3; do
    out=$SCRATCH/$n.incr$k
    if ! hrun "$out" backup-plugin "podheitor-hpc:path=$T;shard=$k/4" Incremental Accurate=yes; then
      fail_job "$n" "Incremental of shard $k/4" "$out"; return 0
    fi
    [ "$(sed -n 's/^Kind=.* Level=\([A-Z]\).*/\1/p' "$out")" = I ] || { fail "$n" "shard $k/4 did not run at level I"; return 0; }
    incs+=("$(field JobId "$out")")
  done
  local latest
  latest=$(scratch "$n.latest")
  for j in "${names[@]}"; do
    if ! hrun "$SCRATCH/$n.latest.$j" restore-latest "$j" "$latest"; then fail_job "$n" "restore-latest $j" "$SCRATCH/$n.latest.$j"; return 0; fi
  done
  if ! v=$(H verify "$T" "$latest" 2>&1); then
    echo "$v" >&2; fail "$n" "restore-latest of the 4 shards (Incrementals ${incs[*]}) differs from the live tree: $(echo "$v" | tail -n 1 | sed 's/.*| //')"; return 0
  fi
  pass "$n (Fulls ${jobs[*]}, restore of all == the tree, shard 1 alone: its entries; Incrementals ${incs[*]}: latest == live tree)"
}

# mtime-bucket (docs/sharding.md §4.3) through real Bacula: a file whose new mtime moves it to the other shard is
# recorded deleted (FileIndex < 0) by the old shard's Accurate Incremental and saved by the new one's; the
# restore-latest of both shards == the live tree
test_85_plugin_shard_mtime_move() {
  local n=plugin_shard_mtime_move T k out jobs=() names=() incs=() mover from to t1 t2
  require_plugin "$n" || return 0
  T=$(mk_tree shards-mtime -n 400 --big 0 --hardlinks 10 --symlinks 4)
  mover=$T/d00/mover.txt
  echo "moves between shards" > "$mover"
  # two whole-second mtimes in different shards of strategy=mtime-bucket;mtime_bucket=1;shard=K/2
  t1=1700000000
  from=$(shard_of_mtime "$t1") || { fail "$n" "cannot compute the shard of an mtime"; return 0; }
  t2=$((t1 + 1))
  while [ "$(shard_of_mtime "$t2")" = "$from" ]; do t2=$((t2 + 1)); done
  to=$((1 - from))
  touch -m -d "@$t1" -- "$mover"
  sleep 1.2
  for k in 0 1; do
    out=$SCRATCH/$n.full$k
    if ! hrun "$out" backup-plugin "podheitor-hpc:path=$T;shard=$k/2;strategy=mtime-bucket;mtime_bucket=1" Full Accurate=yes; then
      fail_job "$n" "Full of shard $k/2" "$out"; return 0
    fi
    jobs+=("$(field JobId "$out")"); names+=("$(field JobName "$out")")
  done
  [ "$(shard_name_count "${jobs[from]}" "$mover" '>')" = 1 ] && [ "$(shard_name_count "${jobs[to]}" "$mover" '>')" = 0 ] \
    || { fail "$n" "the Fulls do not save $mover in shard $from only"; return 0; }
  sleep 1.2
  touch -m -d "@$t2" -- "$mover"     # its ctime is now: changed since the Fulls
  for k in 0 1; do
    out=$SCRATCH/$n.incr$k
    if ! hrun "$out" backup-plugin "podheitor-hpc:path=$T;shard=$k/2;strategy=mtime-bucket;mtime_bucket=1" Incremental Accurate=yes; then
      fail_job "$n" "Incremental of shard $k/2" "$out"; return 0
    fi
    incs+=("$(field JobId "$out")")
  done
  [ "$(shard_name_count "${incs[from]}" "$mover" '<')" = 1 ] \
    || { fail "$n" "the old shard's Incremental ${incs[from]} did not record $mover deleted"; return 0; }
  [ "$(shard_name_count "${incs[to]}" "$mover" '>')" = 1 ] \
    || { fail "$n" "the new shard's Incremental ${incs[to]} did not save $mover"; return 0; }
  local latest v j
  latest=$(scratch "$n.latest")
  for j in "${names[@]}"; do
    if ! hrun "$SCRATCH/$n.latest.$j" restore-latest "$j" "$latest"; then fail_job "$n" "restore-latest $j" "$SCRATCH/$n.latest.$j"; return 0; fi
  done
  if ! v=$(H verify "$T" "$latest" 2>&1); then
    echo "$v" >&2; fail "$n" "restore-latest of the 2 shards differs from the live tree: $(echo "$v" | tail -n 1 | sed 's/.*| //')"; return 0
  fi
  pass "$n (mtime $t1 -> $t2 moved it from shard $from to $to: recorded deleted by ${incs[from]}, saved by ${incs[to]}; latest == live tree)"
}

# catalog rows of JOBID for NAME with FileIndex > 0 (saved) or < 0 (recorded deleted)
shard_name_count() { # jobid name '>'|'<'
  H query "SELECT count(*) FROM PhpcFile WHERE JobId = $1 AND Name = '$2' AND FileIndex $3 0"
}

# the shard (0 or 1) of strategy=mtime-bucket, mtime_bucket=1, N=2 for a whole-second mtime: XXH3-64 with the
# seed of docs/sharding.md §2 over LE64(mtime) || LE64(0), from the reference library
shard_of_mtime() { # unix-seconds
  python3 - "$1" <<'PY'
import ctypes, ctypes.util, struct, sys
lib = ctypes.CDLL(ctypes.util.find_library("xxhash") or "libxxhash.so.0")
lib.XXH3_64bits_withSeed.restype = ctypes.c_uint64
lib.XXH3_64bits_withSeed.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint64]
data = struct.pack("<QQ", int(sys.argv[1]), 0)
print(lib.XXH3_64bits_withSeed(data, 16, 0x7068706373687264) % 2)
PY
}
