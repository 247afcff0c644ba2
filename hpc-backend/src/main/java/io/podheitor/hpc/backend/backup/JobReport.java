package io.podheitor.hpc.backend.backup;

import io.podheitor.hpc.ptcomm.FrameWriter;
import io.podheitor.hpc.ptcomm.Status;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * What a backup counts while it streams, and the messages that close it (docs/ptcomm.md §8): the accurate
 * summary, the hard-link spill summary, and one warning with the files that could not be saved or changed
 * while being read (stock bacula-fd reports such files one by one and ends "Backup OK -- with warnings").
 */
final class JobReport {
    private long records;
    private long dataBytes;
    private long notSaved;
    private long changedWhileRead;
    private final List<Supplier<String>> closingWarnings = new ArrayList<>();
    private final List<Supplier<String>> closingInfos = new ArrayList<>();

    void recordSent() {
        records++;
    }

    /** FILE records sent so far: the next record's number (docs/ptcomm.md §3, linkid). */
    long records() {
        return records;
    }

    void dataSent(long bytes) {
        dataBytes += bytes;
    }

    long dataBytes() {
        return dataBytes;
    }

    /** A listed entry that was not saved (vanished, unreadable, no longer a regular file). */
    void notSaved() {
        notSaved++;
    }

    long notSavedCount() {
        return notSaved;
    }

    void changedWhileRead() {
        changedWhileRead++;
    }

    long changedWhileReadCount() {
        return changedWhileRead;
    }

    /** An information line for the closing messages, asked for at the end (null then: nothing to say). */
    void closingInfo(Supplier<String> info) {
        closingInfos.add(info);
    }

    /** A warning for the closing messages, asked for at the end (null then: nothing to say). */
    void closingWarning(Supplier<String> warning) {
        closingWarnings.add(warning);
    }

    /** The closing messages, before the final F. */
    void close(FrameWriter out, EntryChecks checks, boolean checkEvery, HardLinks links) throws IOException {
        if (checkEvery) {
            out.message(Status.INFO, "accurate: " + checks.checked() + " entries checked, "
                    + checks.notSent() + " not sent (unchanged or excluded by the FileSet)"
                    + (checks.kept() > 0 ? ", " + checks.kept() + " unreadable kept (not recorded deleted)" : "")
                    + (checks.keptBySource() > 0 ? ", " + checks.keptBySource() + " kept by the source (KEEP)" : "")
                    + (checks.goneBySource() > 0 ? ", " + checks.goneBySource() + " named deleted (GONE)" : ""));
        }
        String spill = links.summary();
        if (spill != null) {
            out.message(Status.INFO, spill);
        }
        if (notSaved + changedWhileRead > 0) {
            out.message(Status.WARNING, notSaved + " files not saved (vanished or unreadable), "
                    + changedWhileRead + " changed while being saved");
        }
        for (Supplier<String> i : closingInfos) {
            String text = i.get();
            if (text != null) {
                out.message(Status.INFO, text);
            }
        }
        for (Supplier<String> w : closingWarnings) {
            String text = w.get();
            if (text != null) {
                out.message(Status.WARNING, text);
            }
        }
    }
}
