# shellcheck shell=bash
# f. malformed plugin strings: each job fails (JobStatus f or E) with a
# job-log message from the plugin that names the offending key, and
# bacula-fd keeps running (same PID).

bad_string_case() { # test-name plugin-string key
  local n=$1 ps=$2 key=$3 out fd0 fd1 jobid st
  require_plugin "$n" || return 0
  fd0=$(fd_pid)
  out=$SCRATCH/$n.backup
  if hrun "$out" backup-plugin "$ps"; then
    fail "$n" "job $(field JobId "$out") with '$ps' ended $(field JobStatus "$out"), expected a failure"; return 0
  fi
  jobid=$(field JobId "$out")
  [ -n "$jobid" ] || { fail "$n" "the job was not even queued (see the test log)"; return 0; }
  st=$(H jobstatus "$jobid")
  case "$st" in f|E) ;; *) fail "$n" "job $jobid ended with JobStatus=$st, expected f or E"; return 0;; esac
  if ! plugin_log_mentions "$jobid" "$key"; then
    fail "$n" "job $jobid log has no podheitor-hpc message naming '$key': $(H joblog "$jobid" | grep -i -m2 -e 'podheitor' -e 'fatal' | tr '\n' ' ')"
    return 0
  fi
  fd1=$(fd_pid)
  [ -n "$fd1" ] && [ "$fd1" = "$fd0" ] || { fail "$n" "bacula-fd pid changed or died ($fd0 -> ${fd1:-none})"; return 0; }
  pass "$n (job $jobid: JobStatus=$st, log: $(H joblog "$jobid" | grep -i 'podheitor-hpc' | grep -i -m1 -- "$key" | sed 's/^.*JobId [0-9]*: //' | cut -c1-120))"
}

test_20_badstr_unknown_key() {
  bad_string_case badstr_unknown_key "podheitor-hpc:path=/x;colour=blue" colour
}

test_21_badstr_missing_path() {
  bad_string_case badstr_missing_path "podheitor-hpc:mode=posix" path
}

test_22_badstr_relative_path() {
  bad_string_case badstr_relative_path "podheitor-hpc:path=relative/dir" path
}

test_23_badstr_bad_number() {
  bad_string_case badstr_bad_number "podheitor-hpc:path=$(plugin_tree);threads=abc" threads
}

test_24_badstr_shard() {   # the shim's k-of-n check
  bad_string_case badstr_shard "podheitor-hpc:path=$(plugin_tree);shard=4/4" shard
}

test_25_badstr_shard_keys() {   # the backend's check of the sharding keys together (docs/sharding.md §1)
  bad_string_case badstr_shard_keys "podheitor-hpc:path=$(plugin_tree);strategy=mtime-bucket" strategy
}
