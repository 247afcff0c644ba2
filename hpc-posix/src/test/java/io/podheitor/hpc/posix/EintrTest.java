package io.podheitor.hpc.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podheitor.hpc.posix.ffm.CallState;
import io.podheitor.hpc.posix.ffm.ThreadScratch;
import java.lang.foreign.MemoryLayout;
import java.lang.invoke.VarHandle;
import org.junit.jupiter.api.Test;

/** The one EINTR rule: repeat while the call failed with EINTR, and only then. */
class EintrTest {
    private static final VarHandle ERRNO = CallState.LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    /** What a downcall does: stores errno into the thread's capture state. */
    private static void setErrno(ThreadScratch s, int errno) {
        ERRNO.set(s.capture(), 0L, errno);
    }

    @Test
    void onlyAFailureWithEintrIsRepeated() {
        ThreadScratch s = ThreadScratch.current();
        setErrno(s, Errno.EINTR);
        assertTrue(Eintr.interrupted(s, -1));
        assertTrue(Eintr.interrupted(s, -1L));
        assertFalse(Eintr.interrupted(s, 0), "a success with a stale EINTR");
        assertFalse(Eintr.interrupted(s, 1L << 40));
        setErrno(s, Errno.EBADF);
        assertFalse(Eintr.interrupted(s, -1));
    }

    @Test
    void theLoopRepeatsTheCallUntilItIsNotInterrupted() {
        ThreadScratch s = ThreadScratch.current();
        int calls = 0;
        int r;
        do {
            calls++;
            r = calls <= 2 ? -1 : 7;
            setErrno(s, calls <= 2 ? Errno.EINTR : 0);
        } while (Eintr.interrupted(s, r));
        assertEquals(7, r);
        assertEquals(3, calls);

        calls = 0;
        long n;
        do {
            calls++;
            n = -1;
            setErrno(s, Errno.ENOENT);
        } while (Eintr.interrupted(s, n));
        assertEquals(-1, n);
        assertEquals(1, calls);
    }
}
