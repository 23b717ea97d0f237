package dev.deltasync.bench;

import dev.deltasync.hashing.HashAlgorithm;
import dev.deltasync.mux.MuxClient;
import dev.deltasync.mux.MuxConfig;
import dev.deltasync.mux.MuxServer;
import dev.deltasync.mux.MuxSession;
import dev.deltasync.mux.MuxStream;
import dev.deltasync.mux.tls.Identity;
import dev.deltasync.mux.tls.PeerTrust;
import dev.deltasync.mux.tls.TlsSettings;
import dev.deltasync.protocol.Chunk;
import dev.deltasync.protocol.Constants;
import dev.deltasync.protocol.EpochAck;
import dev.deltasync.protocol.EpochEnd;
import dev.deltasync.protocol.Frame;
import dev.deltasync.protocol.Open;
import dev.deltasync.protocol.OpenOk;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * How fast the mux moves CHUNK frames over loopback, with 1 and with 64 streams on one connection,
 * plaintext and TLS 1.3 (no hashing, no files: the transport alone).
 *
 * <pre>java -cp bench/target/benchmarks.jar dev.deltasync.bench.MuxThroughput [MiB per run, default 1024]</pre>
 */
public final class MuxThroughput {
    private static final int CHUNK = 64 * 1024;

    private MuxThroughput() {
    }

    public static void main(String[] args) throws Exception {
        long totalBytes = (args.length > 0 ? Long.parseLong(args[0]) : 1024) << 20;
        Identity serverIdentity = Identity.newSelfSigned();
        Identity clientIdentity = Identity.newSelfSigned();
        TlsSettings serverTls = new TlsSettings(serverIdentity, PeerTrust.pinned(Set.of(clientIdentity.fingerprint())));
        TlsSettings clientTls = new TlsSettings(clientIdentity, PeerTrust.pinned(Set.of(serverIdentity.fingerprint())));
        System.out.println("| transport | streams | MiB | seconds | MB/s |");
        System.out.println("|---|---:|---:|---:|---:|");
        for (boolean tls : new boolean[] {false, true}) {
            for (int streams : new int[] {1, 64}) {
                MuxConfig server = tls ? MuxConfig.defaults().withTls(serverTls) : MuxConfig.defaults();
                MuxConfig client = tls ? MuxConfig.defaults().withTls(clientTls) : MuxConfig.defaults();
                run(server, client, streams, totalBytes / 4); // warm-up
                double seconds = run(server, client, streams, totalBytes);
                System.out.printf(Locale.ROOT, "| %s | %d | %d | %.2f | %.0f |%n", tls ? "TLS 1.3" : "plaintext",
                        streams, totalBytes >> 20, seconds, totalBytes / seconds / 1e6);
            }
        }
    }

    private static double run(MuxConfig serverConfig, MuxConfig clientConfig, int streams, long totalBytes)
            throws Exception {
        try (MuxServer server = MuxServer.start("127.0.0.1", 0, serverConfig, MuxThroughput::drain);
             ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            MuxSession client = MuxClient.connect("127.0.0.1", server.port(), clientConfig);
            byte[] data = new byte[CHUNK];
            new SplittableRandom(1).nextBytes(data);
            long chunksPerStream = totalBytes / CHUNK / streams;
            long start = System.nanoTime();
            List<Future<?>> done = new ArrayList<>();
            for (int s = 0; s < streams; s++) {
                MuxStream stream = client.openStream(id -> new Open(id, Constants.ROLE_PUSH, HashAlgorithm.XXH3_128.wireId(),
                        CHUNK, 1L << 40, "bench", false));
                done.add(threads.submit(() -> {
                    stream.receive(); // OPEN_OK
                    for (int i = 0; i < chunksPerStream; i++) {
                        stream.send(Chunk.raw(stream.id(), 1, i, data));
                    }
                    stream.send(new EpochEnd(stream.id(), 1, (int) chunksPerStream, new byte[16]));
                    return stream.receive(); // EPOCH_ACK: everything arrived
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            client.close();
            return seconds;
        }
    }

    /** The receiving side: answers OPEN, consumes CHUNKs (granting credit back), acknowledges EPOCH_END. */
    private static void drain(MuxStream stream) throws Exception {
        Open open = (Open) stream.receive();
        stream.send(new OpenOk(stream.id(), open.regionSize(), open.chunkSize(), open.hashId()));
        while (true) {
            Frame frame = stream.receive();
            if (frame instanceof EpochEnd end) {
                stream.send(new EpochAck(stream.id(), end.epoch(), end.root()));
                return;
            }
        }
    }
}
