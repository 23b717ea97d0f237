package dev.deltasync.hashing;

import java.util.Arrays;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The chunk digest algorithms deltasync can negotiate.
 *
 * <p>Digest byte order is part of the wire format (docs/PROTOCOL.md):
 * <ul>
 *   <li>{@link #XXH3_64}: the 64-bit XXH3 value (seed 0) as a big-endian u64;</li>
 *   <li>{@link #XXH3_128}: canonical XXH128 form, the high 64 bits big-endian then the low 64 bits
 *       big-endian, i.e. the bytes {@code xxh128sum} prints;</li>
 *   <li>{@link #BLAKE3}: the 32 raw bytes of the default (unkeyed, 256-bit) BLAKE3 output;</li>
 *   <li>{@link #CRC32C} and {@link #CRC32}: the checksum as a big-endian u32.</li>
 * </ul>
 * The wire ids and digest lengths are pinned by a test: never renumber.
 */
public enum HashAlgorithm {
    XXH3_64(1, "xxh3-64", 8, Xxh3_64Hasher::new, Xxh3_64Hasher::prepare),
    XXH3_128(2, "xxh3-128", 16, Xxh3_128Hasher::new, Xxh3_128Hasher::prepare),
    BLAKE3(3, "blake3", 32, Blake3Hasher::new, () -> { }),
    CRC32C(4, "crc32c", 4, ChecksumHasher::crc32c, () -> { }),
    CRC32(5, "crc32", 4, ChecksumHasher::crc32, () -> { });

    private static final HashAlgorithm[] VALUES = values();

    private final int wireId;
    private final String cliName;
    private final int digestLength;
    private final Supplier<ChunkHasher> factory;
    private final Runnable preparer;

    HashAlgorithm(int wireId, String cliName, int digestLength, Supplier<ChunkHasher> factory, Runnable preparer) {
        this.wireId = wireId;
        this.cliName = cliName;
        this.digestLength = digestLength;
        this.factory = factory;
        this.preparer = preparer;
    }

    /** The algorithm's id in {@code HELLO} and {@code OPEN} frames. */
    public int wireId() {
        return wireId;
    }

    /** The name accepted by {@code --hash} on the command line. */
    public String cliName() {
        return cliName;
    }

    /** Digest size in bytes. */
    public int digestLength() {
        return digestLength;
    }

    /** A fresh hasher. Hashers keep scratch state, so use one per thread. */
    public ChunkHasher newHasher() {
        return factory.get();
    }

    /**
     * Starts readying this algorithm's fastest code in the background (binding the system's xxHash takes a cold
     * JVM 100-600 ms), so that a scan starting soon runs on it from its first chunk; returns at once, and does
     * nothing where there is nothing to ready. Call it as soon as the algorithm is known.
     */
    public void prepare() {
        preparer.run();
    }

    /** The algorithm with this wire id, or empty for an id this build does not know (a peer may be newer). */
    public static Optional<HashAlgorithm> fromWireId(int id) {
        for (HashAlgorithm a : VALUES) {
            if (a.wireId == id) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    /**
     * The algorithm with this command-line name.
     *
     * @throws IllegalArgumentException naming the valid choices, for the CLI to print as is
     */
    public static HashAlgorithm fromCliName(String name) {
        for (HashAlgorithm a : VALUES) {
            if (a.cliName.equals(name)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown hash algorithm '" + name + "', expected one of: "
                + Arrays.stream(VALUES).map(HashAlgorithm::cliName).collect(Collectors.joining(", ")));
    }
}
