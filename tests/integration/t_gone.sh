# shellcheck shell=bash
# Deletions a source states instead of walking, and the job's outcome at END (docs/ptcomm.md §6, §8).
#   93  Full, then an Accurate Incremental after deleting b, d/ and d/c from the tree, through a test-only
#       backend= wrapper that runs the real backend and relays its frames unchanged, adding C KEEP <root> and
#       C GONE <root>/b after the backend's answer to BackupStart (as a changelog source would state them): the
#       real bacula-fd's checkFile then records exactly b deleted (d/ and d/c stay: the kept root covers them, as
#       for a changelog that did not name them), and the shim's END carried the FD's job status T and 0 errors
#       (the wrapper logs the END it relays; "END T 0" in both jobs).

# the test-only backend: a relay written in perl (Essential in every Debian root, also Bacula 15's)
gone_wrapper() { # path log keep-root gone-path... (no gone path: relay only)
  local w=$1 log=$2 keep=$3; shift 3
  local gone="" g
  for g in "$@"; do gone+="'$g',"; done
  mkdir -p -- "$(dirname "$w")"
  cat > "$w.tmp" <<PERL
#!/usr/bin/perl
# test-only backend wrapper (tests/integration/t_gone.sh): the real backend, its frames relayed unchanged both
# ways, plus KEEP/GONE after its answer to BackupStart; logs the END the shim sends
use strict; use warnings;
my (\$real, \$log, \$keep, @gone) = ('$ROOT/bin/podheitor-hpc-backend', '$log', '$keep', $gone);
pipe(my \$in_r, my \$in_w) or die "pipe: \$!"; pipe(my \$out_r, my \$out_w) or die "pipe: \$!";
my \$pid = fork() // die "fork: \$!";
if (\$pid == 0) {
    open(STDIN, '<&', \$in_r) or die; open(STDOUT, '>&', \$out_w) or die;
    close(\$in_w); close(\$out_r); exec(\$real) or die "exec \$real: \$!";
}
close(\$in_r); close(\$out_w); binmode(STDIN); binmode(STDOUT);
sub readn { my (\$fh, \$n) = @_; my \$b = ''; while (length(\$b) < \$n) { my \$r = sysread(\$fh, \$b, \$n - length(\$b), length(\$b)); return undef if !\$r; } return \$b; }
sub frame { my \$fh = shift; my \$h = readn(\$fh, 8); return () if !defined \$h; my \$n = substr(\$h, 1, 6) + 0; my \$p = \$n ? readn(\$fh, \$n) : ''; return () if !defined \$p; return (\$h, \$p); }
sub put { my (\$fh, \$d) = @_; while (length(\$d)) { my \$w = syswrite(\$fh, \$d); die "write: \$!" if !defined \$w; substr(\$d, 0, \$w) = ''; } }
sub cmd { my \$p = shift; return sprintf('C%06d', length(\$p)) . "\n" . \$p; }
my \$relay = fork() // die "fork: \$!";
if (\$relay == 0) {                       # shim -> backend
    close(\$out_r);
    while (my (\$h, \$p) = frame(\\*STDIN)) {
        if (substr(\$h, 0, 1) eq 'C' && \$p =~ /^END( |\\z)/) { open(my \$l, '>>', \$log) or die; print \$l "\$p\n"; close(\$l); }
        put(\$in_w, \$h . \$p);
    }
    exit(0);
}
close(\$in_w);
my \$f = 0;                               # backend -> shim
while (my (\$h, \$p) = frame(\$out_r)) {
    put(\\*STDOUT, \$h . \$p);
    if (substr(\$h, 0, 1) eq 'F' && ++\$f == 3 && @gone) {    # Job, Params, BackupStart
        put(\\*STDOUT, cmd("KEEP \$keep")); put(\\*STDOUT, cmd("GONE \$_")) for @gone;
    }
}
close(STDOUT); waitpid(\$pid, 0); my \$st = \$?; kill('TERM', \$relay); waitpid(\$relay, 0);
exit(\$st & 127 ? 128 + (\$st & 127) : \$st >> 8);
PERL
  chmod 755 "$w.tmp"
  mv -f -- "$w.tmp" "$w"
}

test_93_gone_and_end_status() {
  local n=gone_and_end_status T W L out fj ij jname del saved st log
  require_plugin $n || return 0
  T=$SCRATCH/gone; W=$(trusted_dir "$n")/backend; L=$SCRATCH/$n.end
  rm -rf -- "$T" "$L"; mkdir -p "$T/d"
  printf 'a\n' > "$T/a"; printf 'b\n' > "$T/b"; printf 'c\n' > "$T/d/c"
  gone_wrapper "$W" "$L" "$T"
  local ps="podheitor-hpc:path=$T;backend=$W"
  out=$SCRATCH/$n.full
  if ! hrun "$out" backup-plugin "$ps" Full Accurate=yes; then fail_job $n "Full" "$out"; return 0; fi
  fj=$(field JobId "$out"); jname=$(field JobName "$out")
  [ "$(ur_gone_names "$fj" saved | grep -c -x -F -e "$T/b" -e "$T/d/c" -e "$T/d/")" = 3 ] \
    || { fail $n "Full $fj did not save b, d/ and d/c (premise)"; return 0; }
  rm -rf -- "$T/b" "$T/d"
  gone_wrapper "$W" "$L" "$T" "$T/b"
  out=$SCRATCH/$n.incr
  if ! hrun "$out" backup-plugin "$ps" Incremental Accurate=yes; then fail_job $n "Accurate Incremental" "$out"; return 0; fi
  ij=$(field JobId "$out"); st=$(field JobStatus "$out")
  [ "$st" = T ] || { fail $n "Incremental $ij: JobStatus=$st, want T"; return 0; }
  [ "$(sed -n 's/^Kind=.* Level=\([A-Z]\).*/\1/p' "$out")" = I ] || { fail $n "job $ij did not run as an Incremental"; return 0; }
  del=$(ur_gone_names "$ij" deleted); saved=$(ur_gone_names "$ij" saved)
  note "Incremental $ij recorded deleted: $(tr '\n' ' ' <<< "$del"); saved: $(tr '\n' ' ' <<< "$saved")"
  [ "$del" = "$T/b" ] || { fail $n "Incremental $ij recorded deleted '$(tr '\n' ' ' <<< "$del")', want exactly $T/b"; return 0; }
  # the END lines the wrapper relayed: the Full's and the Incremental's
  [ "$(cat "$L" 2>/dev/null | tr '\n' ' ')" = "END T 0 END T 0 " ] \
    || { fail $n "END lines '$(tr '\n' ' ' < "$L" 2>/dev/null)', want 'END T 0' twice"; return 0; }
  log=$(H joblog "$ij")
  ! grep -q 'podheitor-hpc: .*protocol error' <<< "$log" || { fail $n "Incremental $ij: protocol error in the log"; return 0; }
  pass "$n (Full $fj, Accurate Incremental $ij with KEEP root + GONE b: exactly b recorded deleted, d/ d/c kept; END T 0 at both ends)"
}

ur_gone_names() { # jobid saved|deleted -> catalog names (sorted)
  local cmp='>'
  [ "$2" = deleted ] && cmp='<'
  H query "SELECT Name FROM PhpcFile WHERE JobId = $1 AND FileIndex $cmp 0 ORDER BY 1"
}
