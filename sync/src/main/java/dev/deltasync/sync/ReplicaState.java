package dev.deltasync.sync;

import dev.deltasync.hashing.DigestTable;
import dev.deltasync.hashing.HashAlgorithm;
import dev.deltasync.hashing.ParallelScanner;
import dev.deltasync.sync.region.FileIdentity;
import dev.deltasync.sync.region.MappedRegion;
import dev.deltasync.sync.region.RegionFile;
import dev.deltasync.sync.region.RegionFileException;
import dev.deltasync.sync.region.RegionResizedException;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Properties;
import java.util.zip.CRC32C;

/**
 * The replica's own record of what it holds, in a small file beside the region
 * ({@code <region>.deltasync-state}). It is marked {@link Phase#APPLYING} before the first byte of an
 * epoch is written and {@link Phase#VERIFIED} only after the bytes are flushed and the roots matched,
 * each time replaced atomically (write, fsync, rename, fsync the directory; see {@link #write}). So after a
 * crash at any moment it never claims a verified state the region does not have; the next sync re-hashes the
 * region anyway.
 *
 * @param epoch         the epoch the phase belongs to, numbered in {@code lineage} (per stream without one)
 * @param root          the verified root digest (empty unless VERIFIED)
 * @param lineage       the region lineage the epochs are numbered in (PROTOCOL.md §9.6); empty when the stream's
 *                      peer spoke protocol v1, or the state file is older than lineages
 * @param verifiedEpoch the last epoch of the lineage the replica verified (this one when VERIFIED), 0 if none
 * @param sourceTime    when the source began the scan whose bytes {@code verifiedEpoch} verified; empty if unknown
 * @param file          the device and inode of the replica file the state was written for: another file at the
 *                      region's path (a copy moved over it, a restore) is not described by it (§9.6: a new
 *                      lineage); empty for a state file older than this field
 * @param born          that file's birth time: an inode number reused by a file created later (a restore by
 *                      {@code rm}, copy, {@code mv}) is another file; empty where unknown (not compared)
 * @param changed       that file's change time as the replica's own writes left it: when a VERIFIED state was
 *                      written, a file whose change time (or size) is another now was written since by someone
 *                      (a {@code cp} over it keeps the inode); empty where unknown (not compared)
 */
public record ReplicaState(Phase phase, long epoch, HashAlgorithm hash, int chunkSize, long regionSize, byte[] root,
                           Instant updated, Optional<Lineage> lineage, long verifiedEpoch, Optional<Instant> sourceTime,
                           Optional<FileIdentity> file, Optional<Instant> born, Optional<Instant> changed) {
    public enum Phase {
        /** An epoch is being written: the region may be a mix of old and new chunks. */
        APPLYING,
        /** The region was verified identical to the source at {@code epoch}, root {@code root}. */
        VERIFIED,
        /** The last epoch ended with different roots; a fresh table was sent to the source. */
        UNVERIFIED
    }

    /** A state file that is there but records nothing: not ours, or torn by a crash in the middle of a write. */
    public static final class UnreadableStateException extends IOException {
        UnreadableStateException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static final String SUFFIX = ".deltasync-state";
    /** A state file is a few hundred bytes; more is not ours. */
    private static final int MAX_STATE_BYTES = 64 * 1024;
    private static final SecureRandom RANDOM = new SecureRandom();
    /** What a record's text ends in: the CRC-32C of the text before it, so a torn overwrite is seen as torn. */
    private static final String CHECK = "check=";
    /** A record's size on disk (padded): one file system block or less, so an overwrite changes no metadata. */
    static final int RECORD_BYTES = 2048;

    static Path fileFor(Path region) {
        return region.resolveSibling(region.getFileName() + SUFFIX);
    }

    /** The state recorded for {@code region}, or empty when it was never a replica. */
    public static Optional<ReplicaState> read(Path region) throws IOException {
        Properties p = new Properties();
        try {
            p.load(new StringReader(checked(readNoFollow(fileFor(region)), fileFor(region))));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        try {
            String lineage = p.getProperty("lineage", "");
            String sourceTime = p.getProperty("source_time", "");
            String device = p.getProperty("device", "");
            Optional<FileIdentity> file = device.isEmpty() ? Optional.empty()
                    : Optional.of(new FileIdentity(Long.parseLong(device), Long.parseLong(p.getProperty("inode"))));
            return Optional.of(new ReplicaState(Phase.valueOf(p.getProperty("phase")),
                    Long.parseLong(p.getProperty("epoch")), HashAlgorithm.fromCliName(p.getProperty("hash")),
                    Integer.parseInt(p.getProperty("chunk_size")), Long.parseLong(p.getProperty("region_size")),
                    HexFormat.of().parseHex(p.getProperty("root", "")), Instant.parse(p.getProperty("updated")),
                    lineage.isEmpty() ? Optional.empty() : Optional.of(Lineage.parse(lineage)),
                    Long.parseLong(p.getProperty("verified_epoch", "0")),
                    sourceTime.isEmpty() ? Optional.empty() : Optional.of(Instant.parse(sourceTime)), file,
                    instant(p, "born"), instant(p, "changed")));
        } catch (RuntimeException e) {
            throw new UnreadableStateException("unreadable state file " + fileFor(region) + ": " + e.getMessage(), e);
        }
    }

    private static Optional<Instant> instant(Properties p, String key) {
        String value = p.getProperty(key, "");
        return value.isEmpty() ? Optional.empty() : Optional.of(Instant.parse(value));
    }

    /**
     * The state a replica about to sync into the file {@code opened} (the one at {@code region}, open and locked)
     * recorded, to continue its lineage from; none when it has none, the file cannot be read, or it was written for
     * another file (§9.6): the stream then starts a new lineage, and its first epoch replaces the state.
     */
    static Optional<ReplicaState> continuable(Path region, FileIdentity opened) {
        try {
            FileStamp now = FileStamp.of(region);
            return read(region).filter(state -> now.file().equals(opened) && state.describes(now));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** {@link #describes(FileStamp)} of the file at {@code region} now. */
    public boolean describesFileAt(Path region) throws IOException {
        return describes(FileStamp.of(region));
    }

    /**
     * False when this state was written for another file than the one {@code now} stamps (another device, inode or
     * birth time: it was replaced since), or, for a VERIFIED state, when that file's change time or size is not
     * the one the replica's own writes left (someone wrote into it since). Times may withdraw a claim, never
     * establish one: what was not recorded (a state older than the fields, no birth time) is not compared.
     */
    boolean describes(FileStamp now) {
        if (file.isPresent() && !file.get().equals(now.file())
                || born.isPresent() && now.born().isPresent() && !born.get().equals(now.born().get().toInstant())) {
            return false;
        }
        return phase != Phase.VERIFIED || now.size() == regionSize
                && changed.map(time -> time.equals(now.changed().toInstant())).orElse(true);
    }

    /** The state file's text; a symlink planted in its place is refused, not read through. */
    private static String readNoFollow(Path file) throws IOException {
        try (var channel = Files.newByteChannel(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer bytes = ByteBuffer.allocate((int) Math.min(channel.size(), MAX_STATE_BYTES));
            while (bytes.hasRemaining() && channel.read(bytes) >= 0) {
                // fill
            }
            return new String(bytes.array(), 0, bytes.position(), StandardCharsets.UTF_8);
        } catch (IOException e) { // ELOOP: the JDK words it as "too many levels of symbolic links"
            if (Files.isSymbolicLink(file)) {
                throw new IOException(file + " is a symbolic link, which deltasync does not follow", e);
            }
            throw e;
        }
    }

    /**
     * The text of a record that ends in its {@code check=} line; the bytes after that line are not the record's
     * (padding, or what a torn overwrite left of an older record). A text without one (written before there was a
     * check) is taken whole.
     *
     * @throws IOException when the check does not match: an overwrite was cut short by a crash, and the record
     *                     says nothing (its reader starts a new lineage, as for a missing record)
     */
    private static String checked(String text, Path file) throws IOException {
        int line = text.indexOf("\n" + CHECK);
        if (line < 0) {
            return text;
        }
        int at = line + 1;
        int end = text.indexOf('\n', at);
        String body = text.substring(0, at);
        String check = text.substring(at + CHECK.length(), end < 0 ? text.length() : end);
        if (!check.equals(checkOf(body))) {
            throw new UnreadableStateException("state file " + file + " is torn (a write of it was cut short), so it"
                    + " records nothing", null);
        }
        return body;
    }

    private static String checkOf(String body) {
        CRC32C crc = new CRC32C();
        crc.update(body.getBytes(StandardCharsets.UTF_8));
        return String.format("%08x", crc.getValue());
    }

    /**
     * The record's bytes: its text, its check line, and padding up to {@link #RECORD_BYTES} (when it fits), so an
     * overwrite in place never changes the file's size and fdatasync has no metadata to write.
     */
    private byte[] bytes() {
        String body = "# deltasync replica state: written before and after each epoch; do not edit\n"
                + "phase=" + phase + "\nepoch=" + epoch + "\nhash=" + hash.cliName() + "\nchunk_size=" + chunkSize
                + "\nregion_size=" + regionSize + "\nroot=" + HexFormat.of().formatHex(root) + "\nupdated=" + updated
                + "\nlineage=" + lineage.map(Lineage::toString).orElse("") + "\nverified_epoch=" + verifiedEpoch
                + "\nsource_time=" + sourceTime.map(Instant::toString).orElse("")
                + file.map(f -> "\ndevice=" + f.device() + "\ninode=" + f.inode()).orElse("")
                + born.map(time -> "\nborn=" + time).orElse("") + changed.map(time -> "\nchanged=" + time).orElse("")
                + "\n";
        byte[] text = (body + CHECK + checkOf(body) + "\n").getBytes(StandardCharsets.UTF_8);
        if (text.length >= RECORD_BYTES) {
            return text;
        }
        byte[] padded = Arrays.copyOf(text, RECORD_BYTES);
        Arrays.fill(padded, text.length, RECORD_BYTES, (byte) '\n');
        return padded;
    }

    /** Replaces the state file atomically and durably ({@link #replace}). */
    void write(Path region) throws IOException {
        replace(region).close();
    }

    /**
     * Replaces the state file atomically and durably: the record goes to a temporary file of a fresh random name,
     * created with CREATE_NEW (O_EXCL, which never follows a symlink, so nothing planted at a predictable name is
     * written through), fdatasynced, renamed over the state file (rename replaces a symlink there, never its
     * target), and the directory is fsynced so the rename itself survives a crash. Two writers never share a
     * temporary.
     *
     * @return the new state file, open for writing, for {@link #overwrite} by the stream that holds the replica's
     *         lock; the caller closes it
     */
    FileChannel replace(Path region) throws IOException {
        Path target = fileFor(region);
        Path temporary = target.resolveSibling(target.getFileName() + "." + Long.toHexString(RANDOM.nextLong())
                + ".tmp");
        FileChannel channel = null;
        try {
            channel = FileChannel.open(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS);
            channel.write(ByteBuffer.wrap(bytes()));
            channel.force(false); // a new file's size and blocks are written with its data: what reading it needs
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            if (channel != null) {
                channel.close();
            }
            Files.deleteIfExists(temporary);
            throw e;
        }
        try (FileChannel directory = FileChannel.open(target.toAbsolutePath().getParent(), StandardOpenOption.READ)) {
            directory.force(true);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        return channel;
    }

    /**
     * Overwrites the state file that {@link #replace} returned with this record, in place, and fdatasyncs it: one
     * data write and a cache flush, where a replacement costs a new file, a rename and two journal commits. A crash
     * during it leaves the old record or the new one, or a torn one whose check fails ({@link #read} refuses it:
     * no claim at all), never a VERIFIED claim this record did not make.
     *
     * @return false, writing nothing, when the record does not fit the file's {@link #RECORD_BYTES}
     */
    boolean overwrite(FileChannel channel) throws IOException {
        byte[] bytes = bytes();
        if (bytes.length != RECORD_BYTES || channel.size() != RECORD_BYTES) {
            return false;
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            channel.write(buffer, buffer.position());
        }
        channel.force(false);
        return true;
    }

    /**
     * The root digest of {@code region}'s bytes as they are now, with this state's hash and chunk size, for
     * checking that a VERIFIED state still holds.
     *
     * @throws RegionResizedException when the file no longer has the recorded size
     */
    public byte[] rootOfFile(Path region, int threads) throws IOException {
        DigestTable table = DigestTable.create(hash, regionSize, chunkSize);
        try (MappedRegion mapped = RegionFile.forInspection(region).map();
             ParallelScanner scanner = new ParallelScanner(hash, threads)) {
            if (mapped.size() != regionSize) {
                throw new RegionResizedException(region + " is " + mapped.size() + " bytes, its state records "
                        + regionSize);
            }
            scanner.scan(mapped.segment(), table);
        }
        return table.rootDigest();
    }

    /**
     * Records that the file's bytes were found to differ from this state's root (an operator's full check): the
     * state becomes UNVERIFIED, so no table offered against it is known again (PROTOCOL.md §9.7). Done under the
     * replica's lock and only while the recorded state is still this one; false when a stream holds the file.
     */
    public boolean recordDiffers(Path region) throws IOException {
        try (RegionFile locked = RegionFile.forWriting(region)) {
            Optional<ReplicaState> now = read(region);
            if (now.isEmpty() || now.get().phase != phase || now.get().epoch != epoch
                    || !now.get().updated.equals(updated) || !Arrays.equals(now.get().root, root)) {
                return false;
            }
            new ReplicaState(Phase.UNVERIFIED, epoch, hash, chunkSize, regionSize, root, Instant.now(), lineage,
                    verifiedEpoch, sourceTime, file, born, changed).write(region);
            return true;
        } catch (RegionFileException e) {
            if (e.problem() == RegionFileException.Problem.BUSY) {
                return false;
            }
            throw e;
        }
    }

    /** A state outside any lineage that verified nothing before, of no file in particular (tests). */
    static ReplicaState of(Phase phase, long epoch, StreamParameters parameters, byte[] root) {
        return of(phase, epoch, parameters, root, Optional.empty(), phase == Phase.VERIFIED ? epoch : 0,
                Optional.empty(), Optional.empty());
    }

    /** @param file the stamp of the replica file as the replica's own writes left it (what a VERIFIED state holds) */
    static ReplicaState of(Phase phase, long epoch, StreamParameters parameters, byte[] root, Optional<Lineage> lineage,
                           long verifiedEpoch, Optional<Instant> sourceTime, Optional<FileStamp> file) {
        return new ReplicaState(phase, epoch, parameters.hash(), parameters.chunkSize(), parameters.regionSize(),
                root, Instant.now(), lineage, verifiedEpoch, sourceTime, file.map(FileStamp::file),
                file.flatMap(FileStamp::born).map(FileTime::toInstant), file.map(s -> s.changed().toInstant()));
    }
}
