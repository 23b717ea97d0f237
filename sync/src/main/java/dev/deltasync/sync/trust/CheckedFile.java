package dev.deltasync.sync.trust;

import dev.deltasync.hashing.HashAlgorithm;
import dev.deltasync.sync.region.FileIdentity;
import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A small file of remembered tables followed by a hash of all of it: replaced atomically (a temporary file of a
 * fresh random name created with O_EXCL, never through a symlink, renamed over the target), not fsynced (what it
 * holds is only ever a shortcut: losing it costs a hash), and read back only when that hash still fits and the file
 * is one only this user could have written: a regular file owned by the effective uid and writable by no one else.
 * Without that, whoever may write the replica's directory (but not the replica) could plant a table that makes
 * later syncs skip chunks; the hash at the end proves integrity, not authorship.
 */
final class CheckedFile {
    private static final SecureRandom RANDOM = new SecureRandom();

    private static final int EFFECTIVE_UID = effectiveUid();
    /** Group and other write bits of st_mode. */
    private static final int WRITABLE_BY_OTHERS = 0022;

    private CheckedFile() {}

    /** A temporary this old was left by a writer killed between create and rename: no live write takes so long. */
    static final Duration STALE = Duration.ofHours(1);

    static void write(Path target, byte[] body, HashAlgorithm hash) throws IOException {
        sweepStaleTemporaries(target);
        Path temporary = target.resolveSibling(target.getFileName() + "." + Long.toHexString(RANDOM.nextLong())
                + ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temporary, Set.of(StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
                channel.write(ByteBuffer.wrap(body));
                channel.write(ByteBuffer.wrap(check(hash, body, body.length)));
            }
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temporary);
            throw e;
        }
    }

    /** Removes {@code <target>.<hex>.tmp} files older than {@link #STALE}; what cannot be removed stays. */
    private static void sweepStaleTemporaries(Path target) {
        String prefix = target.getFileName() + ".";
        Instant before = Instant.now().minus(STALE);
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(target.toAbsolutePath().getParent(),
                name -> name.getFileName().toString().matches(Pattern.quote(prefix) + "[0-9a-f]+\\.tmp"))) {
            for (Path stale : stream) {
                try {
                    if (Files.getLastModifiedTime(stale, LinkOption.NOFOLLOW_LINKS).toInstant().isBefore(before)) {
                        Files.deleteIfExists(stale);
                    }
                } catch (IOException e) {
                    // another sweep took it, or it is not ours to remove
                }
            }
        } catch (IOException e) {
            // an unlistable directory: the write below says what is wrong with it
        }
    }

    /**
     * The body of {@code file} without its final hash; empty when missing, larger than asked, damaged, or not
     * written by this user alone (another owner, writable by group or others, a symlink or not a regular file).
     */
    static Optional<ByteBuffer> read(Path file, long maxBytes, HashAlgorithm hash) {
        byte[] bytes;
        try {
            Map<String, Object> before = Files.readAttributes(file, "unix:uid,mode,size,ino,dev",
                    LinkOption.NOFOLLOW_LINKS);
            if (!ownedByUsAlone(before) || (long) before.get("size") > maxBytes) {
                return Optional.empty();
            }
            try (var channel = Files.newByteChannel(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
                ByteBuffer in = ByteBuffer.allocate((int) (long) before.get("size"));
                while (in.hasRemaining() && channel.read(in) >= 0) {
                    // until full or the end
                }
                bytes = Arrays.copyOf(in.array(), in.position());
            }
            Map<String, Object> after = Files.readAttributes(file, "unix:ino,dev", LinkOption.NOFOLLOW_LINKS);
            if (!FileIdentity.of(before).equals(FileIdentity.of(after))) {
                return Optional.empty(); // replaced while read: whatever it is now was not checked
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        int body = bytes.length - hash.digestLength();
        if (body < 0 || !Arrays.equals(check(hash, bytes, body), 0, hash.digestLength(), bytes, body, bytes.length)) {
            return Optional.empty();
        }
        return Optional.of(ByteBuffer.wrap(bytes, 0, body));
    }

    private static boolean ownedByUsAlone(Map<String, Object> attributes) {
        int mode = (int) attributes.get("mode");
        boolean regular = (mode & 0170000) == 0100000;
        return regular && (int) attributes.get("uid") == EFFECTIVE_UID && (mode & WRITABLE_BY_OTHERS) == 0;
    }

    private static int effectiveUid() {
        Linker linker = Linker.nativeLinker();
        try {
            return (int) linker.downcallHandle(linker.defaultLookup().find("geteuid").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT)).invokeExact();
        } catch (Throwable e) {
            throw new IllegalStateException("geteuid failed", e);
        }
    }

    private static byte[] check(HashAlgorithm hash, byte[] bytes, int length) {
        byte[] out = new byte[hash.digestLength()];
        hash.newHasher().hash(MemorySegment.ofArray(bytes).asSlice(0, length), out, 0);
        return out;
    }
}
