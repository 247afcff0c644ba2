package io.podheitor.hpc.backend.restore;

import io.podheitor.hpc.backend.job.JobInfo;
import io.podheitor.hpc.posix.PosixException;
import java.nio.file.Path;

/**
 * What every {@link EntryRestorer} of one restore shares: the job's replace mode, the restore root
 * ({@link RestoreTree}, opened at the first file), the directories waiting for their attributes, the metadata
 * applier and the output. Each is safe for concurrent use by the workers of a pipelined restore.
 */
final class RestoreContext implements AutoCloseable {
    final char replace;
    final RestoreOutput out;
    final DeferredDirectories directories;
    final MetadataApplier metadata;
    private final byte[] where;
    private final byte[] regexWhere;
    private RestoreTree tree;
    private LayoutRestore layouts;

    RestoreContext(JobInfo job, RestoreOutput out, boolean aclSupport, boolean xattrSupport, int directoriesInMemory,
            Path spillDir) {
        this.replace = job.replace();
        this.where = job.where();
        this.regexWhere = job.regexWhere();
        this.out = out;
        this.metadata = new MetadataApplier(out, aclSupport, xattrSupport);
        this.directories = new DeferredDirectories(directoriesInMemory, spillDir);
    }

    /** The restore root, opened (and where= created) by the first caller; a failure is retried by the next one. */
    synchronized RestoreTree tree() throws PosixException {
        if (tree == null) {
            tree = RestoreTree.open(where, regexWhere);
        }
        return tree;
    }

    /** How files saved with a Lustre layout are created (docs/stripe.md); restripe=yes unless set. */
    synchronized LayoutRestore layouts() {
        if (layouts == null) {
            layouts = LayoutRestore.defaults();
        }
        return layouts;
    }

    synchronized void layouts(LayoutRestore l) {
        layouts = l;
    }

    /** The tree if it was opened, else null. */
    synchronized RestoreTree openedTree() {
        return tree;
    }

    @Override
    public synchronized void close() {
        directories.close();
        if (tree != null) {
            tree.close();
            tree = null;
        }
    }
}
