package dev.deltasync.hashing;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * XXH3-64 and XXH3-128 (seed 0) from the system's xxHash library ({@code libxxhash.so.0}, Debian's
 * {@code libxxhash0}) through FFM downcalls, reading a heap or anonymous segment in place; the hashers hand
 * it a file mapping only as a heap copy ({@link ArrayWindow#safeForNativeRead}: a SIGBUS here kills the JVM).
 *
 * <p>Why: the C library hashes at 10-12 GB/s per core with its SIMD code, from the first call, where hash4j
 * runs at about half of that and only after its JIT warm-up. The downcalls are
 * {@linkplain Linker.Option#critical(boolean) critical}: no thread-state transition (a few ns per chunk), and
 * heap arrays are passed as they are, so the copies the source sends are hashed without a second copy. A
 * critical call holds off safepoints while it runs, so segments above {@link #MAX_LENGTH} (0.4 ms of hashing)
 * are not taken: callers hash those another way.
 *
 * <p>The {@code _dispatch} entry points (xxHash 0.8.0+ built with its x86 dispatcher, as Debian's is) pick
 * SSE2, AVX2 or AVX-512 at run time; the plain ones are SSE2 only, so they are the second choice.
 */
final class NativeXxh3 {
    static final String LIBRARY = "libxxhash.so.0";
    /** Largest segment hashed here; see the class comment. */
    static final long MAX_LENGTH = ArrayWindow.MAX_COPY;

    /** {@code XXH128_hash_t}: {@code { XXH64_hash_t low64; XXH64_hash_t high64; }}. */
    private static final StructLayout XXH128_HASH = MemoryLayout.structLayout(
            ValueLayout.JAVA_LONG.withName("low64"), ValueLayout.JAVA_LONG.withName("high64"));

    /**
     * {@link #LIBRARY} looked up when this class initializes: only {@link Xxh3Backend} decides to touch it.
     * The downcall handles are made later, each in its holder class, in the background ({@link #ready128()}).
     */
    static final Binding BINDING = bind(LIBRARY);

    private NativeXxh3() {
    }

    /** The library's two functions and a description ("native libxxhash.so.0, SIMD dispatch"), or why not. */
    record Binding(Optional<MemorySegment> xxh3_64, Optional<MemorySegment> xxh3_128, Optional<String> description,
                   String whyNot) {
        static Binding failed(String whyNot) {
            return new Binding(Optional.empty(), Optional.empty(), Optional.empty(), whyNot);
        }
    }

    /**
     * Looks up {@code library} (a name for {@code dlopen} or a path), or says why not: the library is missing,
     * lacks the XXH3 functions (xxHash before 0.8.0), or the JVM denies native access.
     */
    static Binding bind(String library) {
        SymbolLookup lookup;
        try {
            lookup = SymbolLookup.libraryLookup(library, Arena.global());
        } catch (IllegalArgumentException e) {
            return Binding.failed(library + " not found");
        } catch (IllegalCallerException e) {
            return Binding.failed("native access is not enabled for deltasync (--enable-native-access=ALL-UNNAMED)");
        }
        Optional<MemorySegment> f64 = find(lookup, "XXH3_64bits");
        Optional<MemorySegment> f128 = find(lookup, "XXH3_128bits");
        if (f64.isEmpty() || f128.isEmpty()) {
            return Binding.failed(library + " has no XXH3 (xxHash before 0.8.0)");
        }
        String simd = lookup.find("XXH3_64bits_dispatch").isPresent() ? "SIMD dispatch" : "SSE2";
        return new Binding(f64, f128, Optional.of("native " + library + ", " + simd), "");
    }

    private static Optional<MemorySegment> find(SymbolLookup lookup, String name) {
        return lookup.find(name + "_dispatch").or(() -> lookup.find(name));
    }

    private static MethodHandle downcall(Optional<MemorySegment> function, MemoryLayout result) {
        return Linker.nativeLinker().downcallHandle(function.orElseThrow(),
                FunctionDescriptor.of(result, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG), Linker.Option.critical(true));
    }

    /**
     * Whether XXH3-64 calls may go native yet. The first ask starts making the downcall handle on a background
     * thread and answers false until it is made, so a cold JVM's first chunks hash on hash4j instead of
     * waiting for the binding (which took 100-300 ms of a cold JVM here, more than hash4j needed for 8 MiB).
     */
    static boolean ready64() {
        return XXH3_64_READY.ready();
    }

    /** As {@link #ready64()}, for XXH3-128. */
    static boolean ready128() {
        return XXH3_128_READY.ready();
    }

    /**
     * The libffi path for XXH3-128 of native memory ({@link FfiXxh3_128}), once bound; empty until then (the
     * first ask starts binding it in the background), and for good where it cannot be used.
     */
    static Optional<FfiXxh3_128> ffi128() {
        return XXH3_128_FFI_READY.ready() ? Xxh3_128ByFfi.FFI : Optional.empty();
    }

    /** Makes every handle now, on this thread (tests, which must know the native path is the one they test). */
    static void bindNow() {
        XXH3_64_READY.makeNow();
        XXH3_128_READY.makeNow();
        XXH3_128_FFI_READY.makeNow();
    }

    /** XXH3-64 of {@code data}, at most {@link #MAX_LENGTH} bytes; only once {@link #ready64()}. */
    static long hash64(MemorySegment data) {
        try {
            return (long) Xxh3_64.HANDLE.invokeExact(data, data.byteSize());
        } catch (Throwable e) {
            throw unexpected(e);
        }
    }

    /** XXH3-128 of {@code data} into {@code into}, at most {@link #MAX_LENGTH} bytes; only once {@link #ready128()}. */
    static void hash128(MemorySegment data, Result128 into) {
        try {
            MemorySegment unused = (MemorySegment) Xxh3_128.HANDLE.invokeExact(into.allocator, data, data.byteSize());
        } catch (Throwable e) {
            throw unexpected(e);
        }
    }

    /** {@code XXH64_hash_t XXH3_64bits(const void* data, size_t len)}; a static final, so the JIT inlines it. */
    private static final class Xxh3_64 {
        static final MethodHandle HANDLE = downcall(BINDING.xxh3_64(), ValueLayout.JAVA_LONG);
    }

    /** {@code XXH128_hash_t XXH3_128bits(const void* data, size_t len)}. */
    private static final class Xxh3_128 {
        static final MethodHandle HANDLE = downcall(BINDING.xxh3_128(), XXH128_HASH);
    }

    /** XXH3-128 through libffi, on its own handles (see {@link FfiXxh3_128}). */
    private static final class Xxh3_128ByFfi {
        static final Optional<FfiXxh3_128> FFI = FfiXxh3_128.bind(BINDING.xxh3_128().orElseThrow());

        static {
            if (FFI.isEmpty()) {
                System.getLogger(NativeXxh3.class.getName()).log(System.Logger.Level.DEBUG, "xxh3: libffi is missing"
                        + " or failed its known answer here; scans call " + LIBRARY + " directly (slower under C1)");
            }
        }
    }

    private static final Readiness XXH3_64_READY = new Readiness("xxh3-64", () -> Xxh3_64.HANDLE);
    private static final Readiness XXH3_128_READY = new Readiness("xxh3-128", () -> Xxh3_128.HANDLE);
    private static final Readiness XXH3_128_FFI_READY = new Readiness("xxh3-128-ffi", () -> Xxh3_128ByFfi.FFI);

    /** One handle holder, initialized on a daemon thread on first ask, then ready for good. */
    static final class Readiness {
        private final String name;
        private final Supplier<?> holder;
        private final AtomicBoolean started = new AtomicBoolean();
        private volatile boolean ready;

        Readiness(String name, Supplier<?> holder) {
            this.name = name;
            this.holder = holder;
        }

        boolean ready() {
            if (!ready && started.compareAndSet(false, true)) {
                Thread.ofPlatform().daemon().name("deltasync-bind-" + name).start(this::makeNow);
            }
            return ready;
        }

        void makeNow() {
            try {
                holder.get();
                ready = true;
            } catch (RuntimeException | Error e) { // then hash4j goes on hashing: slower, same digests
                System.getLogger(NativeXxh3.class.getName()).log(System.Logger.Level.DEBUG,
                        "xxh3: cannot bind " + name + " in " + LIBRARY + ", hash4j goes on", e);
            }
        }
    }

    /**
     * Where a 128-bit hash lands: one {@code XXH128_hash_t} in native memory, reused across calls so a hash
     * allocates nothing. Not thread-safe: one per hasher.
     */
    static final class Result128 {
        private final MemorySegment struct = Arena.ofAuto().allocate(XXH128_HASH);
        private final SegmentAllocator allocator = (size, align) -> struct;

        long low64() {
            return struct.get(ValueLayout.JAVA_LONG, 0);
        }

        long high64() {
            return struct.get(ValueLayout.JAVA_LONG, 8);
        }
    }

    /** The downcalls declare no checked exceptions: anything thrown is a bug, not a condition to handle. */
    static IllegalStateException unexpected(Throwable e) {
        if (e instanceof RuntimeException re) {
            throw re;
        }
        if (e instanceof Error err) {
            throw err;
        }
        return new IllegalStateException("xxHash downcall failed", e);
    }
}
