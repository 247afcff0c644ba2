package io.podheitor.hpc.posix;

import io.podheitor.hpc.posix.ffm.ThreadScratch;

/**
 * The EINTR retry rule of libc calls that return -1 and set errno: such a call is repeated while it fails with
 * EINTR (a signal arrived before it did anything). Every retried call in {@link Posix} is written
 *
 * <pre>{@code
 * int r;
 * do {
 *     r = Libc.call(s.capture(), ...);
 * } while (Eintr.interrupted(s, r));
 * }</pre>
 *
 * so the rule lives here and the call stays a plain static call that allocates nothing, in the interpreter and C1
 * as well as after C2. (A lambda-taking {@code retry(s, () -> call)} was tried: once C2 has compiled the caller,
 * escape analysis removes the lambda, measured as the same bytes per call as the loop; but until then every call
 * allocates one, and whether C2 removes it depends on inlining decisions in each caller.)
 */
public final class Eintr {
    private Eintr() {
    }

    /**
     * Whether the call that just returned {@code result} on this thread (through {@code s.capture()}) must be
     * repeated: it failed (negative result) with errno EINTR. Takes int and long (ssize_t, off_t) results alike.
     */
    public static boolean interrupted(ThreadScratch s, long result) {
        return result < 0 && s.errno() == Errno.EINTR;
    }
}
