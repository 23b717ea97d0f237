package dev.deltasync.hashing;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import com.dynatrace.hash4j.hashing.HashValue128;
import com.dynatrace.hash4j.hashing.Hasher128;
import com.dynatrace.hash4j.hashing.Hashing;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * XXH3-128 of native memory through libffi's {@code ffi_call}, which stores the 16-byte result where it is told.
 *
 * <p>Why: {@code XXH3_128bits} returns its {@code XXH128_hash_t} by value, in two registers, and an FFM downcall
 * that returns a struct sets up a return buffer and a memory session per call: nothing once C2 has compiled the
 * caller, about 1.5 µs per call under C1, which a {@code --once} run uses alone. At 4 KiB chunks that tripled
 * the cost of a cold scan (1 GiB: 0.55-0.9 CPU s on one thread against 0.21 s through here, where the hash
 * itself is 0.1 s). {@code ffi_call} has a plain {@code void} signature, so its downcall costs what XXH3-64's does.
 *
 * <p>libffi ({@code libffi.so.8}, Debian's {@code libffi8}) is on nearly every Linux system. Its ABI constant
 * is per architecture, so this binds only on x86-64 and AArch64, and only after a known answer: the same bytes
 * hashed here and by hash4j must agree. Anything else leaves the plain downcall in use. It needs no plain
 * downcall handle of its own, so a cold scan makes two handles before it goes native, not three.
 */
final class FfiXxh3_128 {
    private static final String[] LIBRARIES = {"libffi.so.8", "libffi.so.7", "libffi.so"};
    /** {@code FFI_TYPE_STRUCT} in ffi.h. */
    private static final short FFI_TYPE_STRUCT = 13;
    private static final int FFI_OK = 0;
    private static final Hasher128 HASH4J = Hashing.xxh3_128();

    private final MethodHandle ffiCall;
    /** The prepared {@code ffi_cif} for {@code XXH128_hash_t f(const void*, size_t)}; read-only once made. */
    private final MemorySegment cif;
    private final MemorySegment function;

    private FfiXxh3_128(MethodHandle ffiCall, MemorySegment cif, MemorySegment function) {
        this.ffiCall = ffiCall;
        this.cif = cif;
        this.function = function;
    }

    /**
     * Prepares calls of {@code xxh3_128} (the library's {@code XXH3_128bits}) through libffi, or empty where
     * libffi is missing, the architecture is not one whose ABI constant is known here, or the known answer fails.
     */
    static Optional<FfiXxh3_128> bind(MemorySegment xxh3_128) {
        OptionalInt abi = defaultAbi(System.getProperty("os.arch", ""));
        Optional<SymbolLookup> libffi = abi.isPresent() ? lookup() : Optional.empty();
        if (libffi.isEmpty()) {
            return Optional.empty();
        }
        SymbolLookup lib = libffi.get();
        Optional<MemorySegment> prep = lib.find("ffi_prep_cif");
        Optional<MemorySegment> call = lib.find("ffi_call");
        Optional<MemorySegment> uint64 = lib.find("ffi_type_uint64");
        Optional<MemorySegment> pointer = lib.find("ffi_type_pointer");
        if (prep.isEmpty() || call.isEmpty() || uint64.isEmpty() || pointer.isEmpty()) {
            return Optional.empty();
        }
        Linker linker = Linker.nativeLinker();
        Arena global = Arena.global();
        // ffi_type XXH128_hash_t = { size 0, alignment 0 (libffi fills both), FFI_TYPE_STRUCT, {u64, u64, NULL} }
        MemorySegment elements = global.allocate(ADDRESS, 3);
        elements.setAtIndex(ADDRESS, 0, uint64.get());
        elements.setAtIndex(ADDRESS, 1, uint64.get());
        elements.setAtIndex(ADDRESS, 2, MemorySegment.NULL);
        MemorySegment struct = global.allocate(8 + 2 + 2 + 4 + ADDRESS.byteSize(), 8);
        struct.set(JAVA_SHORT, 10, FFI_TYPE_STRUCT);
        struct.set(ADDRESS, 16, elements);
        MemorySegment argTypes = global.allocate(ADDRESS, 2);
        argTypes.setAtIndex(ADDRESS, 0, pointer.get());
        argTypes.setAtIndex(ADDRESS, 1, uint64.get());
        MemorySegment cif = global.allocate(256, 16); // ffi_cif is about 32 bytes on these ABIs: room to spare
        try {
            MethodHandle prepCif = linker.downcallHandle(prep.get(),
                    FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
            if ((int) prepCif.invokeExact(cif, abi.getAsInt(), 2, struct, argTypes) != FFI_OK) {
                return Optional.empty();
            }
            MethodHandle ffiCall = linker.downcallHandle(call.get(),
                    FunctionDescriptor.ofVoid(ADDRESS, ADDRESS, ADDRESS, ADDRESS), Linker.Option.critical(false));
            FfiXxh3_128 bound = new FfiXxh3_128(ffiCall, cif, xxh3_128);
            return bound.agreesWithHash4j() ? Optional.of(bound) : Optional.empty();
        } catch (Throwable e) { // any surprise here only means the plain downcall stays in use
            return Optional.empty();
        }
    }

    /** {@code FFI_DEFAULT_ABI} of libffi 3.3+ for this architecture: FFI_UNIX64 on x86-64, FFI_SYSV on AArch64. */
    static OptionalInt defaultAbi(String osArch) {
        return switch (osArch.toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> OptionalInt.of(2);
            case "aarch64", "arm64" -> OptionalInt.of(1);
            default -> OptionalInt.empty();
        };
    }

    private static Optional<SymbolLookup> lookup() {
        for (String name : LIBRARIES) {
            try {
                return Optional.of(SymbolLookup.libraryLookup(name, Arena.global()));
            } catch (IllegalArgumentException | IllegalCallerException e) {
                // not this name (or no native access: then none will do, and the loop ends empty)
            }
        }
        return Optional.empty();
    }

    /** Hashes a few lengths and misalignments here and with hash4j; any difference means this path is not to be used. */
    private boolean agreesWithHash4j() {
        try (Arena arena = Arena.ofConfined()) {
            byte[] bytes = new byte[4096 + 7];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = (byte) (i * 31 + 7);
            }
            MemorySegment data = arena.allocate(bytes.length);
            MemorySegment.copy(bytes, 0, data, JAVA_BYTE, 0, bytes.length);
            Call call = newCall();
            for (int length : new int[] {0, 1, 16, 17, 128, 129, 240, 241, 1000, 4096}) {
                for (int offset : new int[] {0, 3, 7}) {
                    HashValue128 expected = HASH4J.hashBytesTo128Bits(bytes, offset, length);
                    call.hash(data.address() + offset, length);
                    if (call.low64() != expected.getLeastSignificantBits()
                            || call.high64() != expected.getMostSignificantBits()) {
                        return false;
                    }
                }
            }
            return true;
        }
    }

    /** A call's arguments and result in native memory: one per hasher (not thread-safe), reused for every hash. */
    Call newCall() {
        return new Call();
    }

    final class Call {
        // [0, 8) the data address, [8, 16) its length, [16, 32) void* avalue[2] pointing at them, [32, 48) result
        private final MemorySegment block = Arena.ofAuto().allocate(48, 16);
        private final MemorySegment argValues = block.asSlice(16, 16);
        private final MemorySegment result = block.asSlice(32, 16);

        private Call() {
            argValues.set(ADDRESS, 0, block.asSlice(0, 8));
            argValues.set(ADDRESS, 8, block.asSlice(8, 8));
        }

        /** XXH3-128 of the {@code length} bytes at native {@code address}, which must stay readable meanwhile. */
        void hash(long address, long length) {
            block.set(JAVA_LONG, 0, address);
            block.set(JAVA_LONG, 8, length);
            try {
                ffiCall.invokeExact(cif, function, result, argValues);
            } catch (Throwable e) {
                throw NativeXxh3.unexpected(e);
            }
        }

        long low64() {
            return result.get(JAVA_LONG, 0);
        }

        long high64() {
            return result.get(JAVA_LONG, 8);
        }
    }
}
