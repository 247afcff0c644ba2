package io.podheitor.hpc.backend.backup;

import io.podheitor.hpc.posix.PathText;
import io.podheitor.hpc.posix.PosixException;
import io.podheitor.hpc.ptcomm.FrameWriter;
import io.podheitor.hpc.ptcomm.Status;
import io.podheitor.hpc.source.CatalogVerdict;
import io.podheitor.hpc.source.Entry;
import io.podheitor.hpc.source.EntryError;
import io.podheitor.hpc.source.EntrySource;
import io.podheitor.hpc.source.SourceEnd;
import io.podheitor.hpc.source.SourceItem;
import java.io.IOException;
import java.util.function.BooleanSupplier;

/**
 * The single emitter of a backup or estimate (docs/ptcomm.md §4): drains the {@link EntrySource}, lets
 * {@link EntryChecks} hold back the entries the shim must be asked about, hands every entry that may be sent to
 * the {@link EntryWriter}, reports the source's errors and its {@link Progress}, and closes the stream with the
 * {@link JobReport}, the summary line and the final {@code F}. Output is flushed whenever the source has nothing ready, so the shim never waits on a
 * buffered frame.
 */
final class Emitter {
    private final FrameWriter out;
    private final EntrySource source;
    private final EntryChecks checks;
    private final EntryWriter writer;
    private final JobReport report;
    private final HardLinks links;
    private final boolean checkEvery;
    private final BooleanSupplier stop;
    private final byte[] root;
    private final Progress progress;
    private final Pacing pacing;

    Emitter(FrameWriter out, EntrySource source, EntryChecks checks, EntryWriter writer, JobReport report,
            HardLinks links, boolean checkEvery, BooleanSupplier stop, byte[] root, Progress progress) {
        this(out, source, checks, writer, report, links, checkEvery, stop, root, progress, Pacing.NONE);
    }

    /** As above, consulting {@code pacing} between entries (the throttle, docs/throttle.md). */
    Emitter(FrameWriter out, EntrySource source, EntryChecks checks, EntryWriter writer, JobReport report,
            HardLinks links, boolean checkEvery, BooleanSupplier stop, byte[] root, Progress progress,
            Pacing pacing) {
        this.pacing = pacing;
        this.out = out;
        this.source = source;
        this.checks = checks;
        this.writer = writer;
        this.report = report;
        this.links = links;
        this.checkEvery = checkEvery;
        this.stop = stop;
        this.root = root;
        this.progress = progress;
    }

    /**
     * Streams everything, then the final {@code F}.
     *
     * @return false if stopped early (the shim went away, or the source failed; no final F sent)
     */
    boolean run() throws IOException {
        try {
            while (true) {
                if (stop.getAsBoolean()) {
                    source.cancel();
                    return false;
                }
                SourceItem item = source.poll();
                if (item == null) {
                    paced();
                    out.flush();
                    if (checks.hasPending()) {
                        if (!checks.resolve(writer::write)) {
                            source.cancel();
                            return false;
                        }
                        continue;
                    }
                    item = source.take();
                }
                progress.tick(source.stats(), report);
                switch (item) {
                    case Entry e -> {
                        if (!checks.submit(e, checkEvery || writer.needsCheck(e), writer::write)) {
                            source.cancel();
                            return false;
                        }
                        pacing.entryDone();
                        paced();
                    }
                    case EntryError e -> report(e);
                    case CatalogVerdict v -> verdict(v);
                    case SourceEnd end -> {
                        return end(end);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The throttle's job-log lines, sent from this thread, the only one that writes frames. */
    private void paced() throws IOException {
        for (Pacing.Line l : pacing.lines()) {
            out.message(l.warning() ? Status.WARNING : Status.INFO, l.text());
        }
    }

    private boolean end(SourceEnd end) throws IOException, InterruptedException {
        if (end.failure() != null) {
            out.message(Status.ABORT, "walk of \"" + PathText.render(root) + "\" failed: " + end.failure());
            out.flush();
            return false;
        }
        if (end.cancelled() || !checks.drain(writer::write)) {
            return false;
        }
        report.close(out, checks, checkEvery, links);
        progress.summary(source.stats(), report, PeakMemory.bytes());
        out.end();
        out.flush();
        return true;
    }

    /**
     * A source's KEEP or GONE (docs/ptcomm.md §8): to the shim in an Accurate Incremental/Differential, where the FD
     * asks checkFile about the unseen catalog entries; nothing to do elsewhere.
     */
    private void verdict(CatalogVerdict v) throws IOException {
        if (!checkEvery) {
            return;
        }
        switch (v.kind()) {
            case KEEP -> checks.keep(v.path());
            case GONE -> checks.gone(v.path());
        }
    }

    /**
     * An entry the source listed but could not read: a non-fatal error, as stock bacula-fd reports "Could not
     * stat" (the job then ends "Backup OK -- with warnings"); in Accurate mode its catalog entries are kept.
     */
    private void report(EntryError e) throws IOException {
        PosixException x = e.error();
        String what = switch (x.operation()) {
            case "open" -> e.directory() ? "cannot open directory" : "cannot open";
            case "getdents64" -> "cannot read directory";
            case "statx" -> "cannot stat";
            case "readlink" -> "cannot read symlink";
            default -> "cannot " + x.operation();
        };
        report.notSaved();
        out.message(Status.ERROR, what + " \"" + PathText.render(e.path()) + "\": " + x.strerror());
        if (checkEvery) {
            checks.keepUnlessGone(e.path(), x);
        }
    }
}
