package io.podheitor.hpc.backend.job;

/**
 * Something that must happen once the job's outcome is known, e.g. clearing the changelog records a changelog
 * Incremental saved, only after the job ended OK (docs/ptcomm.md §6). Registered with {@link JobEnd}; runs once, on
 * its own thread, within {@link JobEnd}'s time limit.
 */
@FunctionalInterface
public interface JobEndAction {
    /**
     * @param outcome how the job ended; anything but {@link JobOutcome.Ok} must be treated as "the job's data may
     *                not be in Bacula"
     * @throws Exception reported as a warning in the job log (or on stderr once the conversation is over)
     */
    void onJobEnd(JobOutcome outcome) throws Exception;

    /** A name for messages (default: the class name). */
    default String name() {
        return getClass().getSimpleName();
    }
}
