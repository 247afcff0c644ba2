package io.podheitor.hpc.posix.ffm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podheitor.hpc.posix.Errno;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Both branches of an optional native library, with real libraries: absent, present, and a symbol missing. */
class NativeLibraryTest {
    private static final String ABSENT = "libpodheitor-hpc-no-such-library.so.1";

    @Test
    void aLibraryThatDoesNotExistIsEmpty() {
        assertEquals(Optional.empty(), NativeLibrary.find(ABSENT));
        assertEquals(Optional.empty(), NativeLibrary.find(ABSENT, "libpodheitor-hpc-no-such-library.so"));
        assertEquals(Optional.empty(), NativeLibrary.find());
    }

    @Test
    void theFirstLoadableNameIsTaken() {
        NativeLibrary libc = NativeLibrary.find(ABSENT, "libc.so.6", "libm.so.6").orElseThrow();
        assertEquals("libc.so.6", libc.name());
        assertTrue(libc.symbol("getpid").isPresent());
    }

    @Test
    void aDowncallThroughAFoundLibraryWorks() throws Throwable {
        NativeLibrary libc = NativeLibrary.find("libc.so.6").orElseThrow();
        MethodHandle getpid = libc.downcall("getpid", FunctionDescriptor.of(JAVA_INT));
        MethodHandle strlen = libc.downcall("strlen", FunctionDescriptor.of(JAVA_LONG, ADDRESS));
        ThreadScratch s = ThreadScratch.current();
        assertEquals(ProcessHandle.current().pid(), (int) getpid.invokeExact(s.capture()));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment text = arena.allocateFrom("seventeen bytes!!");
            assertEquals(17L, (long) strlen.invokeExact(s.capture(), text));
        }

        NativeLibrary libm = NativeLibrary.find("libm.so.6").orElseThrow();
        MethodHandle cos = libm.downcall("cos", FunctionDescriptor.of(JAVA_DOUBLE, JAVA_DOUBLE));
        assertEquals(-1.0, (double) cos.invokeExact(s.capture(), Math.PI), 1e-12);
    }

    @Test
    void errnoIsCapturedIntoTheLeadingSegment() throws Throwable {
        MethodHandle close = NativeLibrary.libc().downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        assertEquals(MemorySegment.class, close.type().parameterType(0));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = CallState.allocate(arena);
            assertEquals(-1, (int) close.invokeExact(capture, -1));
            assertEquals(Errno.EBADF, CallState.errno(capture));
        }
        ThreadScratch s = ThreadScratch.current();
        assertEquals(-1, (int) close.invokeExact(s.capture(), 987_654));
        assertEquals(Errno.EBADF, s.errno());
    }

    @Test
    void aMissingSymbolInAPresentLibraryIsEmptyOrAClearError() {
        NativeLibrary libm = NativeLibrary.find("libm.so.6").orElseThrow();
        FunctionDescriptor fd = FunctionDescriptor.of(JAVA_INT, JAVA_INT);
        assertTrue(libm.symbol("podheitor_no_such_function").isEmpty());
        assertTrue(libm.findDowncall("podheitor_no_such_function", fd).isEmpty());
        UnsatisfiedLinkError e = assertThrows(UnsatisfiedLinkError.class,
                () -> libm.downcall("podheitor_no_such_function", fd));
        assertEquals("libm.so.6 has no symbol podheitor_no_such_function", e.getMessage());
        assertTrue(NativeLibrary.libc().findDowncall("podheitor_no_such_function", fd).isEmpty());
    }

    @Test
    void uncheckedPassesRuntimeExceptionsAndErrorsAndWrapsTheRest() {
        IllegalStateException ise = new IllegalStateException("x");
        assertSame(ise, NativeLibrary.unchecked(ise));
        OutOfMemoryError oom = new OutOfMemoryError("y");
        assertSame(oom, assertThrows(OutOfMemoryError.class, () -> NativeLibrary.unchecked(oom)));
        IOException io = new IOException("z");
        RuntimeException wrapped = NativeLibrary.unchecked(io);
        assertInstanceOf(IllegalStateException.class, wrapped);
        assertSame(io, wrapped.getCause());
    }

    // ------------------------------------------------------------ the optional-library pattern, end to end

    /** A feature as its callers see it: the host name, from the library when it is there. */
    sealed interface HostName permits LibraryHostName, NoHostName {
        Optional<String> get();

        /** Chosen once from what was found: library-backed, or the empty implementation. */
        static HostName choose(Optional<NativeLibrary> library) {
            return library.<HostName>flatMap(LibraryHostName::bind).orElse(NoHostName.INSTANCE);
        }
    }

    /** Backed by gethostname(2) of the library. */
    record LibraryHostName(MethodHandle gethostname) implements HostName {
        static Optional<LibraryHostName> bind(NativeLibrary library) {
            return library.findDowncall("gethostname", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG))
                    .map(LibraryHostName::new);
        }

        @Override
        public Optional<String> get() {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment buf = arena.allocate(256);
                int r = (int) gethostname.invokeExact(ThreadScratch.current().capture(), buf, buf.byteSize());
                return r == 0 ? Optional.of(buf.getString(0)) : Optional.empty();
            } catch (Throwable t) {
                throw NativeLibrary.unchecked(t);
            }
        }
    }

    /** The library is absent: no answer, no failure. */
    enum NoHostName implements HostName {
        INSTANCE;

        @Override
        public Optional<String> get() {
            return Optional.empty();
        }
    }

    @Test
    void theFeatureIsBackedByTheLibraryWhenPresentAndEmptyWhenAbsent() throws Exception {
        HostName present = HostName.choose(NativeLibrary.find(ABSENT, "libc.so.6"));
        assertInstanceOf(LibraryHostName.class, present);
        String kernel = Files.readString(Path.of("/proc/sys/kernel/hostname"), StandardCharsets.UTF_8).strip();
        assertEquals(Optional.of(kernel), present.get());

        HostName absent = HostName.choose(NativeLibrary.find(ABSENT));
        assertSame(NoHostName.INSTANCE, absent);
        assertFalse(absent.get().isPresent());
    }
}
