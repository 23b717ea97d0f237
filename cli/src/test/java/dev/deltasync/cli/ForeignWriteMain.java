package dev.deltasync.cli;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;

/**
 * Another program writing into a file, for the end-to-end tests: {@code ForeignWriteMain mmap|pwrite FILE OFFSET
 * LENGTH SEED} writes LENGTH random bytes at OFFSET, through its own shared mapping of FILE or with
 * one pwrite, prints {@code wrote N bytes} and exits 0.
 */
public final class ForeignWriteMain {
    private ForeignWriteMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 5 || !(args[0].equals("mmap") || args[0].equals("pwrite"))) {
            System.err.println("usage: ForeignWriteMain mmap|pwrite FILE OFFSET LENGTH SEED");
            System.exit(2);
        }
        Path file = Path.of(args[1]);
        long offset = Long.parseLong(args[2]);
        byte[] bytes = new byte[Integer.parseInt(args[3])];
        new SplittableRandom(Long.parseLong(args[4])).nextBytes(bytes);
        if (args[0].equals("mmap")) {
            // Plain FileChannel, as any program would map it (no deltasync classes, no lock, no msync).
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
                 Arena arena = Arena.ofConfined()) {
                MemorySegment mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, channel.size(), arena);
                MemorySegment.copy(MemorySegment.ofArray(bytes), 0, mapped, offset, bytes.length);
            }
        } else {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                channel.write(ByteBuffer.wrap(bytes), offset); // FileChannel's positional write is pwrite(2)
            }
        }
        System.out.println("wrote " + bytes.length + " bytes");
    }
}
