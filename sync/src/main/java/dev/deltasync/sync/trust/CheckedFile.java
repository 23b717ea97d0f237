package dev.deltasync.sync.trust;

import dev.deltasync.hashing.HashAlgorithm;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Optional;

/**
 * A small file of remembered tables followed by a hash of all of it: replaced atomically (a temporary file of a
 * fresh random name created with O_EXCL, never through a symlink, renamed over the target), not fsynced (what it
 * holds is only ever a shortcut: losing it costs a hash), and read back only when that hash still fits.
 */
final class CheckedFile {
    private static final SecureRandom RANDOM = new SecureRandom();

    private CheckedFile() {}

    static void write(Path target, byte[] body, HashAlgorithm hash) throws IOException {
        Path temporary = target.resolveSibling(target.getFileName() + "." + Long.toHexString(RANDOM.nextLong())
                + ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                channel.write(ByteBuffer.wrap(body));
                channel.write(ByteBuffer.wrap(check(hash, body, body.length)));
            }
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temporary);
            throw e;
        }
    }

    /** The body of {@code file} without its final hash; empty when missing, larger than asked, or damaged. */
    static Optional<ByteBuffer> read(Path file, long maxBytes, HashAlgorithm hash) {
        byte[] bytes;
        try {
            if (Files.size(file) > maxBytes) {
                return Optional.empty();
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            return Optional.empty();
        }
        int body = bytes.length - hash.digestLength();
        if (body < 0 || !Arrays.equals(check(hash, bytes, body), 0, hash.digestLength(), bytes, body, bytes.length)) {
            return Optional.empty();
        }
        return Optional.of(ByteBuffer.wrap(bytes, 0, body));
    }

    private static byte[] check(HashAlgorithm hash, byte[] bytes, int length) {
        byte[] out = new byte[hash.digestLength()];
        hash.newHasher().hash(MemorySegment.ofArray(bytes).asSlice(0, length), out, 0);
        return out;
    }
}
