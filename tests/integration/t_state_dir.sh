# shellcheck shell=bash
# State directories another local user could have made first: the harness (and every script that
# takes a state directory: run.sh, demo.sh, bench-backup.sh, with-latencyfs.sh) refuses one that is
# not root's own (owned by nobody, group/world-writable, a symlink, under a parent owned by nobody),
# before it reads or writes anything there; a good one is accepted (scripts/lib/common.sh
# ensure_state_dir). Nothing here starts another daemon: refusals happen before any start.

# plants the payload of the attack: an etc/harness.env that, once sourced by root, creates MARKER
sd_plant() { # dir marker
  mkdir -p "$1/etc"
  printf '# planted\ntouch %q\n' "$2" > "$1/etc/harness.env"
}

sd_sig() { stat -c '%u:%g %a %F' -- "$1"; }   # owner, mode, type (of a symlink itself)

test_50_state_dir_refuses_hostile() {
  local n=state_dir_refuses_hostile tmp marker
  tmp=$(scratch $n)
  marker=$tmp/SOURCED
  local good=$tmp/good nobody=$tmp/nobody ww=$tmp/world-writable gw=$tmp/group-writable
  local link=$tmp/link badparent=$tmp/badparent/state
  # hostile: owned by nobody (as if another user made it), group- or world-writable, a symlink
  # (owned by nobody) to a perfectly good root directory, a root directory under a parent owned by nobody
  mkdir -m 700 "$good" "$nobody"; sd_plant "$good" "$marker"; sd_plant "$nobody" "$marker"
  chown -R 65534:65534 "$nobody"
  mkdir -m 777 "$ww"; sd_plant "$ww" "$marker"; chmod 777 "$ww"
  mkdir -m 770 "$gw"; sd_plant "$gw" "$marker"; chmod 770 "$gw"
  ln -s "$good" "$link"; chown -h 65534:65534 "$link"
  mkdir -m 755 "$tmp/badparent"; mkdir -m 700 "$badparent"; sd_plant "$badparent" "$marker"
  chown 65534:65534 "$tmp/badparent"
  local -A why=([$nobody]="owned by uid 65534" [$ww]="world-writable (mode 0777)"
                [$gw]="writable (mode 0770)" [$link]="is a symbolic link"
                [$badparent]="$tmp/badparent is owned by uid 65534")
  local d cmd out rc before after done=0
  for d in "$nobody" "$ww" "$gw" "$link" "$badparent"; do
    before=$(sd_sig "$d"; ls -A "$d/")
    # up creates and writes there; status, pids, down and reset-catalog source etc/harness.env first
    for cmd in up status pids down clean reset-catalog; do
      rc=0
      out=$(PHPC_STATE=$d "$ROOT/scripts/lib/bacula-harness.sh" $cmd 2>&1) || rc=$?
      if [ $rc = 0 ]; then fail $n "'bacula-harness.sh $cmd' accepted PHPC_STATE=$d: $(echo "$out" | tail -n 1)"; return 0; fi
      if ! grep -qF "refusing state directory $d: " <<< "$out" || ! grep -qF "${why[$d]}" <<< "$out"; then
        fail $n "'bacula-harness.sh $cmd' with PHPC_STATE=$d failed without the refusal (want '${why[$d]}'): $(echo "$out" | tail -n 1)"; return 0
      fi
      done=$((done + 1))
    done
    note "$(echo "$out" | tail -n 1)"
    # every other script that takes a state directory refuses it too, before building or starting anything
    local -a other=(
      "env PHPC_SKIP_BUILD=1 PHPC_SKIP_DEPS=1 PHPC_STATE=$d $ROOT/scripts/demo.sh"
      "env PHPC_SKIP_BUILD=1 PHPC_STATE=$d $ROOT/scripts/bench-backup.sh --tree $good --runs 1"
      "env PHPC_SKIP_BUILD=1 PHPC_STATE=$tmp/bench-state TREES=$d $ROOT/scripts/bench-backup.sh --files 10 --runs 1"
      "env LATENCYFS_BASE=$d $ROOT/scripts/with-latencyfs.sh --synthetic=10 -- true"
      "env IT_STATE=$d $ROOT/tests/integration/run.sh 01_stock_control"
    )
    for cmd in "${other[@]}"; do
      rc=0
      # shellcheck disable=SC2086  # the command lines above split on blanks (no blanks in the paths)
      out=$(timeout 60 $cmd 2>&1 < /dev/null) || rc=$?
      if [ $rc = 0 ] || ! grep -qF "refusing state directory $d: " <<< "$out"; then
        fail $n "'${cmd#env }' did not refuse $d (exit $rc): $(echo "$out" | grep -v '^ *$' | tail -n 1)"; return 0
      fi
      done=$((done + 1))
    done
    after=$(sd_sig "$d"; ls -A "$d/")
    [ "$after" = "$before" ] || { fail $n "$d was changed: '$before' -> '$after'"; return 0; }
  done
  [ ! -e "$marker" ] || { fail $n "a planted etc/harness.env was sourced"; return 0; }

  # a good one: the harness reads its etc/harness.env (the marker appears) and is content
  if ! out=$(PHPC_STATE=$good "$ROOT/scripts/lib/bacula-harness.sh" pids 2>&1); then
    fail $n "'bacula-harness.sh pids' refused the good PHPC_STATE=$good: $(echo "$out" | tail -n 1)"; return 0
  fi
  [ -e "$marker" ] || { fail $n "the good $good/etc/harness.env was not read"; return 0; }
  # the running suite's own state passes the same check, and a fresh path is created root's own (mode 700)
  if ! out=$(H status 2>&1); then fail $n "'bacula-harness.sh status' on $IT_STATE: $(echo "$out" | tail -n 1)"; return 0; fi
  local fresh=$tmp/fresh/a/state
  if ! out=$( . "$ROOT/scripts/lib/common.sh"; ensure_state_dir "$fresh" 2>&1); then
    fail $n "ensure_state_dir $fresh: $out"; return 0
  fi
  if [ "$(sd_sig "$fresh")" != "0:0 700 directory" ] || [ "$(sd_sig "$tmp/fresh/a")" != "0:0 755 directory" ]; then
    fail $n "fresh state directory: $(sd_sig "$fresh"), parent $(sd_sig "$tmp/fresh/a")"; return 0
  fi
  chown -R 0:0 "$tmp"; rm -rf -- "$tmp"
  pass "$n (5 hostile state dirs x $((done / 5)) commands refused, untouched, planted harness.env never sourced; a good one read, a fresh one made root's 700)"
}
