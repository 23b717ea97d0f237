package dev.deltasync.hashing;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Hashing a file mapping whose file was truncated under it (another program, a full tmpfs) raises Java's
 * {@link InternalError}, which sync reports as IO_ERROR; it must never reach native code in place, where the
 * SIGBUS kills the whole JVM (this test's fork would die, and the build with it).
 */
class TruncatedMappingTest {
    private static final int CHUNK = 4096;

    @BeforeAll
    static void bindNativeNow() {
        NativeXxh3.bindNow(); // the native path is the one at risk: make sure it runs, not the warm-up fallback
    }

    @ParameterizedTest
    @EnumSource(HashAlgorithm.class)
    void aTruncatedMappingIsAJavaErrorNotACrash(HashAlgorithm algorithm, @TempDir Path dir) throws IOException {
        Path file = dir.resolve("region.bin");
        Files.write(file, new byte[16 * CHUNK]);
        try (Arena arena = Arena.ofShared();
                FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            MemorySegment mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, 16 * CHUNK, arena);
            channel.truncate(0);
            ChunkHasher hasher = algorithm.newHasher();
            byte[] digest = new byte[algorithm.digestLength()];
            assertThrows(InternalError.class, () -> {
                for (int i = 0; i < 16; i++) {
                    hasher.hash(mapped.asSlice((long) i * CHUNK, CHUNK), digest, 0);
                }
            }, algorithm + " over a truncated mapping");
        }
    }
}
