package io.podheitor.hpc.posix.ffm;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.Objects;
import java.util.Optional;

/**
 * A native library and the one way this project binds its functions: as downcall handles that capture errno.
 * Every handle returned by {@link #downcall} / {@link #findDowncall} takes a capture-state segment as its first
 * argument (e.g. {@link ThreadScratch#capture()}), followed by the arguments of {@code descriptor}; read errno
 * afterwards with {@link CallState#errno(MemorySegment)}.
 *
 * <p>{@link #libc()} is always there. Any other library is optional: {@link #find(String...)} returns
 * {@link Optional#empty()} on a host that lacks it, so the code using it can pick a fallback once, at class
 * initialisation, instead of failing (the pattern of Lucene's {@code NativeAccess}):
 *
 * <pre>{@code
 * public sealed interface Layouts permits LustreLayouts, NoLayouts {   // the feature, as callers see it
 *     Optional<Layout> of(byte[] path) throws PosixException;
 *
 *     static Layouts get() { return Holder.INSTANCE; }
 * }
 * final class Holder {                                                  // chosen once, on first use
 *     static final Layouts INSTANCE = NativeLibrary.find("liblustreapi.so.1", "liblustreapi.so")
 *             .<Layouts>map(LustreLayouts::new)                         // backed by the library
 *             .orElse(NoLayouts.INSTANCE);                              // absent: the empty answer
 * }
 * }</pre>
 *
 * The library-backed implementation binds its handles from the {@code NativeLibrary} it is given, ideally lazily
 * (one holder class per function, as {@code Libc} does), and a symbol missing from an old version of the library
 * can be handled with {@link #findDowncall} instead of failing the whole feature. Linking a handle is a restricted
 * operation: the launchers and the tests pass {@code --enable-native-access=ALL-UNNAMED}.
 */
public final class NativeLibrary {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final NativeLibrary LIBC = new NativeLibrary("libc", LINKER.defaultLookup());

    private final String name;
    private final SymbolLookup lookup;

    private NativeLibrary(String name, SymbolLookup lookup) {
        this.name = name;
        this.lookup = lookup;
    }

    /** The C library (the linker's default lookup: libc, and on Linux also libm and libdl). */
    public static NativeLibrary libc() {
        return LIBC;
    }

    /**
     * Loads the first of {@code names} that the dynamic linker can load ({@code dlopen} semantics: a bare name is
     * searched on the library path, e.g. {@code "liblustreapi.so.1"}). The library stays loaded for the life of the
     * process.
     *
     * @return the library, or empty when none of the names could be loaded (absent, or not loadable here)
     */
    @SuppressWarnings("restricted") // native access is enabled by the launchers (--enable-native-access)
    public static Optional<NativeLibrary> find(String... names) {
        for (String candidate : names) {
            try {
                return Optional.of(new NativeLibrary(candidate, SymbolLookup.libraryLookup(candidate, Arena.global())));
            } catch (IllegalArgumentException absent) {
                // not found or not loadable: try the next name
            }
        }
        return Optional.empty();
    }

    /** The name the library was found by ({@code "libc"} for {@link #libc()}). */
    public String name() {
        return name;
    }

    /** The address of {@code symbol}, or empty when the library does not define it. */
    public Optional<MemorySegment> symbol(String symbol) {
        return lookup.find(Objects.requireNonNull(symbol, "symbol"));
    }

    /**
     * Binds {@code symbol} as a downcall handle of type {@code (MemorySegment capture, <descriptor's arguments>)}
     * that stores errno into {@code capture}. {@code options} are further linker options, e.g.
     * {@link Linker.Option#firstVariadicArg(int)} for a variadic function.
     *
     * @return the handle, or empty when the library does not define {@code symbol}
     */
    @SuppressWarnings("restricted") // native access is enabled by the launchers (--enable-native-access)
    public Optional<MethodHandle> findDowncall(String symbol, FunctionDescriptor descriptor, Linker.Option... options) {
        Objects.requireNonNull(descriptor, "descriptor");
        Optional<MemorySegment> address = symbol(symbol);
        if (address.isEmpty()) {
            return Optional.empty();
        }
        Linker.Option[] all = new Linker.Option[options.length + 1];
        all[0] = CallState.CAPTURE_ERRNO;
        System.arraycopy(options, 0, all, 1, options.length);
        // no lambda here: binding runs at start-up, where every lambda class costs (see Libc)
        return Optional.of(LINKER.downcallHandle(address.get(), descriptor, all));
    }

    /**
     * {@link #findDowncall} for a function that must be there.
     *
     * @throws UnsatisfiedLinkError when the library does not define {@code symbol}
     */
    public MethodHandle downcall(String symbol, FunctionDescriptor descriptor, Linker.Option... options) {
        Optional<MethodHandle> handle = findDowncall(symbol, descriptor, options);
        if (handle.isEmpty()) {
            throw new UnsatisfiedLinkError(name + " has no symbol " + symbol);
        }
        return handle.get();
    }

    /**
     * For the {@code catch (Throwable t)} around {@code invokeExact}: returns a RuntimeException to throw (the
     * exception itself, or a wrapped checked one) and rethrows an Error as it is.
     */
    public static RuntimeException unchecked(Throwable t) {
        return switch (t) {
            case RuntimeException r -> r;
            case Error e -> throw e;
            default -> new IllegalStateException("native call failed", t);
        };
    }

    @Override
    public String toString() {
        return "NativeLibrary[" + name + "]";
    }
}
