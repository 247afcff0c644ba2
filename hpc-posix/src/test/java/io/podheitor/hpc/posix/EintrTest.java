package io.podheitor.hpc.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.podheitor.hpc.posix.ffm.CallState;
import io.podheitor.hpc.posix.ffm.ThreadScratch;
import java.lang.foreign.MemoryLayout;
import java.lang.invoke.VarHandle;
import org.junit.jupiter.api.Test;

/** The one EINTR loop: repeated while the call fails with EINTR, and only then. */
class EintrTest {
    private static final VarHandle ERRNO = CallState.LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    /** What a downcall does on failure: stores errno into the thread's capture state. */
    private static void setErrno(ThreadScratch s, int errno) {
        ERRNO.set(s.capture(), 0L, errno);
    }

    @Test
    void retriesWhileInterruptedThenReturnsTheResult() {
        ThreadScratch s = ThreadScratch.current();
        int[] calls = {0};
        int r = Eintr.retry(s, () -> {
            if (++calls[0] <= 2) {
                setErrno(s, Errno.EINTR);
                return -1;
            }
            setErrno(s, 0);
            return 7;
        });
        assertEquals(7, r);
        assertEquals(3, calls[0]);

        calls[0] = 0;
        long n = Eintr.retry(s, () -> {
            if (++calls[0] == 1) {
                setErrno(s, Errno.EINTR);
                return -1L;
            }
            return 1L << 40;
        });
        assertEquals(1L << 40, n);
        assertEquals(2, calls[0]);
    }

    @Test
    void anotherFailureIsReturnedAfterOneCall() {
        ThreadScratch s = ThreadScratch.current();
        int[] calls = {0};
        int r = Eintr.retry(s, () -> {
            calls[0]++;
            setErrno(s, Errno.EBADF);
            return -1;
        });
        assertEquals(-1, r);
        assertEquals(1, calls[0]);
        assertEquals(Errno.EBADF, s.errno());

        calls[0] = 0;
        long n = Eintr.retry(s, () -> {
            calls[0]++;
            setErrno(s, Errno.EINTR); // a stale EINTR with a success: not retried
            return 0L;
        });
        assertEquals(0, n);
        assertEquals(1, calls[0]);
    }
}
