package io.podheitor.hpc.backend.restore;

import io.podheitor.hpc.backend.job.JobInfo;
import io.podheitor.hpc.ptcomm.FileRecord;
import io.podheitor.hpc.ptcomm.FrameWriter;
import io.podheitor.hpc.ptcomm.Status;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The lock-step restore of docs/ptcomm.md §5 (a shim that did not ask for the pipelined restore of §5.1): every
 * call is answered before the next one comes. A FILE record is answered OK (data follows), DONE, SKIP or E; the
 * close of the data OK or E; a metadata blob OK or E. The work itself is an {@link EntryRestorer}'s, on the
 * session's thread.
 */
public final class Restorer implements RestoreCalls {
    private final RestoreContext ctx;
    private final EntryRestorer entries;
    private long seq = -1;

    public Restorer(FrameWriter out, JobInfo job) {
        this(out, job, true, true, DeferredDirectories.DEFAULT_IN_MEMORY, defaultSpillDir());
    }

    public Restorer(FrameWriter out, JobInfo job, boolean aclSupport, boolean xattrSupport, Path spillDir) {
        this(out, job, aclSupport, xattrSupport, DeferredDirectories.DEFAULT_IN_MEMORY, spillDir);
    }

    /** With the number of directories whose attributes wait on the heap before they spill (tests: small). */
    Restorer(FrameWriter out, JobInfo job, boolean aclSupport, boolean xattrSupport, int directoriesInMemory,
            Path spillDir) {
        this.ctx = new RestoreContext(job, new RestoreOutput(out, false), aclSupport, xattrSupport,
                directoriesInMemory, spillDir);
        this.entries = new EntryRestorer(ctx);
    }

    static Path defaultSpillDir() {
        return Path.of(System.getProperty("java.io.tmpdir", "/tmp"));
    }

    /** Handles one FILE record and writes the reply (OK, DONE, SKIP or E). */
    @Override
    public void create(FileRecord r) throws IOException {
        switch (entries.create(r, ++seq)) {
            case EXTRACT -> ctx.out.reply("OK");
            case DONE -> ctx.out.reply("DONE");
            case SKIP -> ctx.out.reply("SKIP");
            case FAILED -> {
                // E written
            }
        }
    }

    /** {@code C ACL} / {@code C XATTR} and its D blob: applied to the entry the last FILE record created; OK or E. */
    @Override
    public void undecodable(String why) throws IOException {
        ctx.out.failed(++seq, why);
    }

    @Override
    public void error(String text) throws IOException {
        ctx.out.message(Status.ERROR, text);
    }

    @Override
    public void metadata(byte[] blob) throws IOException {
        if (entries.metadata(blob)) {
            ctx.out.reply("OK");
        }
    }

    /** A D packet of the current file: written; a failure is remembered and reported at close. */
    @Override
    public void write(byte[] data) throws IOException {
        entries.write(data);
    }

    /** {@code C SEEK <offset>} (sparse data): no reply; a failure is reported at close like a write error. */
    @Override
    public void seek(long offset) {
        entries.seek(offset);
    }

    /** F after the data: owner, mode and times from the record, close, reply OK or E. */
    @Override
    public void close() throws IOException {
        switch (entries.close()) {
            case OK -> ctx.out.reply("OK");
            case FAILED -> {
                // E written
            }
            case DROPPED, NONE -> entries.error("end of data received but no file is open");
        }
    }

    /** Applies directory attributes; failures are reported as E messages. Then {@code F}. */
    @Override
    public void finish() throws IOException {
        entries.finishEntries();
        RestoreTree tree = ctx.openedTree();
        if (tree != null) {
            List<String> failures = ctx.directories.applyAll(tree);
            for (String f : failures) {
                ctx.out.message(Status.ERROR, f);
            }
        }
        ctx.out.end();
    }

    /** Releases the descriptors (the session calls it when the restore conversation ends). */
    @Override
    public void release() {
        entries.finishEntries();
        ctx.close();
    }

    public static byte[] stripTrailingSlashes(byte[] p) {
        return RestoreTree.stripTrailingSlashes(p);
    }

    /** The parent directory of an absolute or relative path, or null when there is none ("/x" -> null). */
    static byte[] parentOf(byte[] p) {
        int i = p.length - 1;
        while (i >= 0 && p[i] != '/') {
            i--;
        }
        if (i <= 0) {
            return null;
        }
        return Arrays.copyOf(p, i);
    }

    @Override
    public void layouts(LayoutRestore layouts) {
        ctx.layouts(layouts);
    }
}
