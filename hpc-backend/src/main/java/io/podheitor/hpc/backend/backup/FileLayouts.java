package io.podheitor.hpc.backend.backup;

import io.podheitor.hpc.lustre.Layout;
import io.podheitor.hpc.lustre.Lustre;
import io.podheitor.hpc.posix.PathText;
import io.podheitor.hpc.posix.PosixException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The layout of an open regular file, for the stripe readers and for the layout that travels with the data
 * (docs/stripe.md): liblustreapi's ({@code llapi_layout_get_by_fd}) in {@code mode=lustre}, none otherwise. Not on
 * Lustre, or no library: none, quietly. A failure on Lustre is counted, and the job's end names the first one (the
 * file is then read sequentially and restored with the default layout).
 */
class FileLayouts {
    /** No layouts: every file is read by chunks or sequentially, restored with the target's default layout. */
    static final FileLayouts NONE = new FileLayouts(null);

    private final Lustre lustre;
    private final AtomicLong failures = new AtomicLong();
    private volatile String firstFailure;

    FileLayouts(Lustre lustre) {
        this.lustre = lustre;
    }

    /** Layouts from {@code lustre} (the process's: {@link Lustre#get()}); empty when it is absent. */
    static FileLayouts lustre(Lustre lustre) {
        return lustre.present() ? new FileLayouts(lustre) : NONE;
    }

    /** The layout of the open file {@code fd} at {@code path}, or empty. */
    Optional<Layout> of(int fd, byte[] path) {
        if (lustre == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(lustre.layout(fd));
        } catch (PosixException e) {
            if (!Lustre.notLustre(e)) {
                if (failures.incrementAndGet() == 1) {
                    firstFailure = "\"" + PathText.render(path) + "\": " + e.strerror();
                }
            }
            return Optional.empty();
        }
    }

    /** The job-end warning about layouts that could not be read, or null. */
    String closingWarning() {
        long n = failures.get();
        return n == 0 ? null : "the Lustre layout of " + n + " file(s) could not be read (first: " + firstFailure
                + "); they were read sequentially and will be restored with the target's default layout";
    }
}
