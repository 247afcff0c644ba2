package io.podheitor.hpc.backend.restore;

import io.podheitor.hpc.backend.job.PluginParams.StripeKeys.Restripe;
import io.podheitor.hpc.lustre.Layout;
import io.podheitor.hpc.lustre.LayoutComponent;
import io.podheitor.hpc.lustre.Lustre;
import io.podheitor.hpc.posix.Errno;
import io.podheitor.hpc.posix.Fcntl;
import io.podheitor.hpc.posix.PathText;
import io.podheitor.hpc.posix.Posix;
import io.podheitor.hpc.posix.PosixException;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Restripe-on-restore (key {@code restripe}, docs/stripe.md): a file saved with its layout is created with it,
 * through {@code llapi_layout_file_create}, before its first byte is written: stripe count, stripe size, pattern,
 * pool and PFL extents; the OST indices are not replayed (the MDS chooses, so restored files do not all start on
 * the same OSTs). {@code pool-only}: the pool alone, the file system's default striping. {@code no}, a target that is
 * not Lustre or no liblustreapi: the plain create, with one warning per job. A layout the target refuses (a pool
 * that does not exist there, more stripes than it has OSTs): the plain create, with a warning for the file.
 * Shared by the workers of a restore.
 */
public final class LayoutRestore {
    private final Restripe mode;
    private final Lustre lustre;
    private final AtomicBoolean warnedNotLustre = new AtomicBoolean();
    private final AtomicBoolean warnedOff = new AtomicBoolean();

    public LayoutRestore(Restripe mode, Lustre lustre) {
        this.mode = mode;
        this.lustre = lustre;
    }

    /** The default: restripe=yes with the process's liblustreapi, when it loads. */
    static LayoutRestore defaults() {
        return new LayoutRestore(Restripe.YES, Lustre.get());
    }

    /**
     * Creates {@code t} for writing (O_CREAT|O_EXCL|O_NOFOLLOW, mode 0600, as every restored file) with
     * {@code layout} as the key says; the warnings go to {@code out}.
     */
    int create(RestoreTree.Target t, Layout layout, int plainFlags, RestoreOutput out)
            throws PosixException, IOException {
        if (mode == Restripe.NO) {
            if (warnedOff.compareAndSet(false, true)) {
                out.warning("restripe=no: files saved with a Lustre layout are restored with the target's default "
                        + "layout (reported once)");
            }
            return Posix.openat(t.dirFd(), t.leaf(), plainFlags, 0600);
        }
        Layout wanted = mode == Restripe.POOL_ONLY ? poolOnly(layout) : layout;
        if (!lustre.present()) {
            notLustre(out, t, "liblustreapi is not loaded");
            return Posix.openat(t.dirFd(), t.leaf(), plainFlags, 0600);
        }
        try {
            return lustre.createFile(t.dirFd(), t.leaf(), Fcntl.O_WRONLY | Fcntl.O_NOFOLLOW | Fcntl.O_CLOEXEC, 0600,
                    wanted);
        } catch (PosixException e) {
            if (e.errno() == Errno.EEXIST) {
                throw e; // the name is taken: the caller's replace rules decide
            }
            // the real library opens (creates) before it sets the layout: what it left is ours (O_EXCL)
            removeLeftover(t);
            if (Lustre.notLustre(e)) {
                notLustre(out, t, "the target is not Lustre (" + e.strerror() + ")");
            } else {
                out.warning("\"" + PathText.render(t.path()) + "\": its saved Lustre layout could not be recreated ("
                        + e.strerror() + "); restored with the target's default layout");
            }
            return Posix.openat(t.dirFd(), t.leaf(), plainFlags, 0600);
        }
    }

    private void notLustre(RestoreOutput out, RestoreTree.Target t, String why) throws IOException {
        if (warnedNotLustre.compareAndSet(false, true)) {
            out.warning("files saved with a Lustre layout are restored with the target's default layout: " + why
                    + " (first: \"" + PathText.render(t.path()) + "\"; reported once)");
        }
    }

    private static void removeLeftover(RestoreTree.Target t) {
        try {
            Posix.unlinkat(t.dirFd(), t.leaf(), 0);
        } catch (PosixException e) {
            // nothing was left (ENOENT), or it is not ours to remove: the plain create then reports it
        }
    }

    /** The pool of the first component that has one, every other value the file system's default. */
    static Layout poolOnly(Layout l) {
        String pool = l.components().stream().map(LayoutComponent::pool).filter(p -> !p.isEmpty()).findFirst()
                .orElse("");
        return new Layout(false, List.of(new LayoutComponent(0, Layout.EOF, Layout.DEFAULT, Layout.DEFAULT,
                Layout.RAID0, pool, List.of())));
    }
}
