package dev.deltasync.bench;

import dev.deltasync.embed.Replica;
import dev.deltasync.embed.Replicator;
import dev.deltasync.embed.ReplicatorListener;
import dev.deltasync.sync.EpochReport;
import dev.deltasync.sync.ScanMode;
import dev.deltasync.sync.Security;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;

/**
 * The embedded API end to end in one process: an application maps its own 64 MiB file, a {@link Replica} listens on
 * a free port, a {@link Replicator} keeps it in step while the application writes; {@code syncNow()} after each
 * "commit". Run: {@code java --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar
 * dev.deltasync.bench.EmbeddedExample}. Plaintext on 127.0.0.1 to stay self-contained; across machines use
 * {@code Security.tls(identityDir, List.of("SHA256:..."))} on both sides.
 */
public final class EmbeddedExample {
    private EmbeddedExample() {}

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("deltasync-example-");
        Path sourceFile = dir.resolve("book.bin");
        long size = 64L << 20;
        ReplicatorListener log = new ReplicatorListener() {
            @Override
            public void epoch(EpochReport event) {
                System.out.printf("epoch %d %s, lag %d ms, %d chunks sent so far%n", event.epoch(),
                        event.verified() ? "verified" : "NOT verified",
                        event.lagAt(Instant.now()).map(Duration::toMillis).orElse(-1L), event.totals().chunksChanged());
            }

            @Override
            public void scanMode(String region, ScanMode mode, String why) {
                System.out.println(region + ": " + mode + ": " + why);
            }

            @Override
            public void info(String message) {
                System.out.println(message);
            }
        };
        try (Arena arena = Arena.ofShared();
             FileChannel channel = FileChannel.open(sourceFile, StandardOpenOption.CREATE, StandardOpenOption.READ,
                     StandardOpenOption.WRITE);
             Replica replica = Replicator.replica(dir.resolve("replica.bin"), "book")
                     .listen("127.0.0.1:0", Security.insecure()).start()) {
            channel.truncate(0).write(java.nio.ByteBuffer.wrap(new byte[1]), size - 1);
            MemorySegment book = channel.map(FileChannel.MapMode.READ_WRITE, 0, size, arena); // the application's
            try (Replicator replicator = Replicator.source(book, "book")
                    .to("127.0.0.1:" + replica.port(), Security.insecure())
                    .interval(Duration.ofMillis(200)).listener(log).start()) {
                for (int commit = 1; commit <= 5; commit++) {
                    for (int i = 0; i < 100; i++) { // 100 scattered 8-byte writes per commit
                        book.set(ValueLayout.JAVA_LONG, (long) ((commit * 7919L + i * 104_729L) % (size / 8)) * 8,
                                commit * 1000L + i);
                    }
                    replicator.syncNow();
                    System.out.println("commit " + commit + " is on the replica");
                }
            }
            byte[] expected = book.toArray(ValueLayout.JAVA_BYTE);
            System.out.println("replica identical: " + java.util.Arrays.equals(expected,
                    Files.readAllBytes(dir.resolve("replica.bin"))));
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
