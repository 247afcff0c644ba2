package io.podheitor.hpc.posix;

import io.podheitor.hpc.posix.ffm.ThreadScratch;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * The EINTR retry of libc calls that return -1 and set errno: the call is repeated while it fails with EINTR (a
 * signal arrived before it did anything). The call passes {@link ThreadScratch#capture() s.capture()} to its
 * downcall, so errno is read from the same thread's capture state.
 *
 * <p>The call is a lambda capturing the arguments. This helper is small enough for C2 to inline into every caller,
 * after which the lambda's exact class is known and escape analysis removes its allocation: measured with the
 * thread's allocated-bytes counter after warm-up, {@code Posix.lstat}, {@code statx}, {@code fchmod} and
 * {@code openDirectory}+{@code close} allocate exactly what the hand-written loops did (the {@link StatX} record,
 * nothing for fchmod). Before C2 compiles a caller, each call allocates one short-lived lambda.
 */
public final class Eintr {
    private Eintr() {
    }

    /** The result of {@code call}, repeated while it fails with EINTR: negative with errno in {@code s} on failure. */
    public static int retry(ThreadScratch s, IntSupplier call) {
        int r;
        do {
            r = call.getAsInt();
        } while (r < 0 && s.errno() == Errno.EINTR);
        return r;
    }

    /** {@link #retry(ThreadScratch, IntSupplier)} for the calls returning ssize_t or off_t. */
    public static long retry(ThreadScratch s, LongSupplier call) {
        long r;
        do {
            r = call.getAsLong();
        } while (r < 0 && s.errno() == Errno.EINTR);
        return r;
    }
}
