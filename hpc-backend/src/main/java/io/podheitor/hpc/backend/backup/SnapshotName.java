package io.podheitor.hpc.backend.backup;

import io.podheitor.hpc.backend.job.JobInfo;
import io.podheitor.hpc.backend.job.JobName;
import java.nio.charset.StandardCharsets;

/**
 * The name of a {@code snapshot=yes} job's snapshot, {@code podheitor-JOB-JOBID}: JOB the Job resource's name
 * (without Bacula's unique suffix, {@link JobName}), JOBID the job's id; and which names in a {@code .snap}
 * directory are leftovers of this Job's earlier runs ({@code podheitor-JOB-} and digits only). Other Jobs' snapshots
 * of the same directory (the shards of a sharded backup, other FileSets) never match, however their names begin.
 *
 * <p>JOB keeps ASCII letters, digits, {@code - _ .}; any other character becomes {@code _} and then the name gets
 * {@code -x} and a hash of the real name, so that two names differing only there do not share snapshots.
 *
 * @param job   the Job part (already made safe)
 * @param jobId the job's id
 */
record SnapshotName(String job, long jobId) {
    static final String PREFIX = "podheitor-";

    static SnapshotName of(JobInfo info) {
        return new SnapshotName(safe(JobName.of(info.name())), info.jobId());
    }

    static String safe(String job) {
        StringBuilder s = new StringBuilder(job.length());
        for (char c : job.toCharArray()) {
            s.append(c < 128 && Character.isLetterOrDigit(c) || c == '-' || c == '_' || c == '.' ? c : '_');
        }
        if (s.isEmpty()) {
            s.append("job");
        }
        if (!s.toString().equals(job)) {
            s.append("-x").append(Integer.toHexString(job.hashCode()));
        }
        return s.toString();
    }

    /** The snapshot's name, one path component. */
    byte[] name() {
        return (PREFIX + job + "-" + jobId).getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Is {@code entry} (a name listed in {@code PATH/.snap}) a snapshot an earlier run of this Job left behind?
     * Any job id counts, this job's own too (a name taken before this run can only be a leftover).
     */
    boolean isLeftover(byte[] entry) {
        byte[] prefix = (PREFIX + job + "-").getBytes(StandardCharsets.US_ASCII);
        if (entry.length <= prefix.length || entry.length > prefix.length + 19) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (entry[i] != prefix[i]) {
                return false;
            }
        }
        for (int i = prefix.length; i < entry.length; i++) {
            if (entry[i] < '0' || entry[i] > '9') {
                return false;
            }
        }
        return true;
    }
}
