package dev.deltasync.bench;

import dev.deltasync.hashing.HashAlgorithm;
import dev.deltasync.mux.MuxClient;
import dev.deltasync.mux.MuxConfig;
import dev.deltasync.mux.MuxServer;
import dev.deltasync.mux.MuxSession;
import dev.deltasync.mux.MuxStream;
import dev.deltasync.peer.Identity;
import dev.deltasync.peer.PeerTrust;
import dev.deltasync.mux.tls.TlsEngine;
import dev.deltasync.mux.tls.TlsSettings;
import dev.deltasync.protocol.Chunk;
import dev.deltasync.protocol.Constants;
import dev.deltasync.protocol.EpochAck;
import dev.deltasync.protocol.EpochEnd;
import dev.deltasync.protocol.Frame;
import dev.deltasync.protocol.Open;
import dev.deltasync.protocol.OpenOk;
import io.netty.handler.ssl.SslProvider;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * How fast the mux moves CHUNK frames over loopback, with 1 and with 64 streams on one connection, in plaintext,
 * TLS 1.3 on the JDK provider and TLS 1.3 on BoringSSL (no hashing, no files: the transport alone). The three are
 * run alternately, ROUNDS times (after one warm-up each), and the table gives the median and the range, and the
 * ratio of each median to plaintext's.
 *
 * <pre>java -cp bench/target/benchmarks.jar dev.deltasync.bench.MuxThroughput [MiB per run, default 1024] [rounds, default 3]</pre>
 */
public final class MuxThroughput {
    private static final int CHUNK = 64 * 1024;
    private static final com.sun.management.OperatingSystemMXBean PROCESS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private MuxThroughput() {
    }

    /** One transport: the client's and the server's configuration. */
    private record Transport(String name, MuxConfig server, MuxConfig client) {
    }

    public static void main(String[] args) throws Exception {
        long totalBytes = (args.length > 0 ? Long.parseLong(args[0]) : 1024) << 20;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Identity serverIdentity = Identity.newSelfSigned();
        Identity clientIdentity = Identity.newSelfSigned();
        PeerTrust serverTrust = PeerTrust.pinned(Set.of(clientIdentity.fingerprint()));
        PeerTrust clientTrust = PeerTrust.pinned(Set.of(serverIdentity.fingerprint()));
        List<Transport> transports = new ArrayList<>();
        transports.add(new Transport("plaintext", MuxConfig.defaults(), MuxConfig.defaults()));
        for (String mode : List.of("jdk", "auto")) {
            TlsEngine engine = TlsEngine.choose(mode);
            if (mode.equals("auto") && engine.provider() == SslProvider.JDK) {
                System.err.println("no BoringSSL here: " + engine.description());
                continue;
            }
            transports.add(new Transport("TLS 1.3, " + engine.provider().name().toLowerCase(Locale.ROOT),
                    MuxConfig.defaults().withTls(new TlsSettings(serverIdentity, serverTrust, engine)),
                    MuxConfig.defaults().withTls(new TlsSettings(clientIdentity, clientTrust, engine))));
        }
        System.out.println("| transport | streams | MiB | MB/s median | MB/s range | vs plaintext | CPU s per GiB (both ends) |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|");
        for (int streams : new int[] {1, 64}) {
            for (Transport t : transports) {
                run(t.server(), t.client(), streams, totalBytes / 4); // warm-up
            }
            double[][] rates = new double[transports.size()][rounds];
            double[][] cpu = new double[transports.size()][rounds];
            for (int r = 0; r < rounds; r++) {
                for (int i = 0; i < transports.size(); i++) {
                    Transport t = transports.get(i);
                    long cpu0 = PROCESS.getProcessCpuTime();
                    rates[i][r] = totalBytes / run(t.server(), t.client(), streams, totalBytes) / 1e6;
                    cpu[i][r] = (PROCESS.getProcessCpuTime() - cpu0) / 1e9 / (totalBytes / (double) (1L << 30));
                }
            }
            double plaintext = median(rates[0]);
            for (int i = 0; i < transports.size(); i++) {
                double[] sorted = rates[i].clone();
                Arrays.sort(sorted);
                System.out.printf(Locale.ROOT, "| %s | %d | %d | %.0f | %.0f-%.0f | %.2f | %.2f |%n",
                        transports.get(i).name(), streams, totalBytes >> 20, median(rates[i]), sorted[0],
                        sorted[sorted.length - 1], median(rates[i]) / plaintext, median(cpu[i]));
            }
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
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
