package dev.deltasync.sync.hostile;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.Zstd;
import dev.deltasync.mux.MuxConfig;
import dev.deltasync.protocol.Chunk;
import dev.deltasync.protocol.ChunkPatch;
import dev.deltasync.protocol.Constants;
import dev.deltasync.protocol.ErrorCode;
import dev.deltasync.protocol.Refine;
import dev.deltasync.protocol.Reset;
import dev.deltasync.sync.Security;
import dev.deltasync.sync.ServerOptions;
import dev.deltasync.sync.codec.Compression;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A replica whose HELLO lists no codec but 0 (none): a CHUNK with a codec it knows how to decode but did not
 * advertise (zstd, zero, run, patch), or a REFINE, is still a stream error UNSUPPORTED_PARAMETER (PROTOCOL_ERROR for REFINE; PROTOCOL.md §9.4, §9.9), and nothing is written.
 */
class UnadvertisedCodecTest extends ServerFixture {
    @Override
    ServerOptions serverOptions() {
        MuxConfig d = MuxConfig.defaults();
        MuxConfig rawOnly = new MuxConfig(d.maxFramePayload(), d.maxStreams(), d.streamWindow(), d.connectionWindow(),
                d.hashIds(), new byte[0], d.pingInterval(), d.idleTimeout(), d.handshakeTimeout(), d.maxQueuedFrames());
        return new ServerOptions(Duration.ofMillis(100), Compression.ZSTD_DEFAULT, 1, Security.tuned(rawOnly));
    }

    private void assertRefused(PushStream s) throws Exception {
        Reset reset = s.peer().expectReset(s.id(), ErrorCode.UNSUPPORTED_PARAMETER);
        assertTrue(reset.reason().contains("codec"), reset.reason());
        s.peer().expectAlive(77, 0);
        assertTargetUntouched();
        assertServerHealthy();
    }

    @Test
    void zstdChunkToAReplicaThatDidNotListZstd() throws Exception {
        PushStream s = openPush();
        s.peer().send(new Chunk(1, 1, 0, Constants.CODEC_ZSTD, CHUNK, Zstd.compress(new byte[CHUNK])));
        assertRefused(s);
    }

    @Test
    void zeroChunkToAReplicaThatDidNotListZero() throws Exception {
        PushStream s = openPush();
        s.peer().send(new Chunk(1, 1, 0, Constants.CODEC_ZERO, CHUNK, new byte[0]));
        assertRefused(s);
    }

    @Test
    void patchToAReplicaThatDidNotListPatches() throws Exception {
        PushStream s = openPush();
        s.peer().send(new Chunk(1, 1, 0, Constants.CODEC_PATCH, CHUNK,
                new ChunkPatch.Builder(new byte[CHUNK]).add(0).build()));
        assertRefused(s);
    }

    @Test
    void refineToAReplicaThatDidNotListPatches() throws Exception {
        PushStream s = openPush();
        s.peer().send(new Refine(1, 1, 77, new int[] {0}));
        Reset reset = s.peer().expectReset(s.id(), ErrorCode.PROTOCOL_ERROR);
        assertTrue(reset.reason().contains("codec 4"), reset.reason());
        s.peer().expectAlive(78, 0);
        assertTargetUntouched();
        assertServerHealthy();
    }

    @Test
    void runToAReplicaThatDidNotListRuns() throws Exception {
        PushStream s = openPush();
        s.peer().send(Chunk.run(1, 1, 0, new byte[2 * CHUNK]));
        assertRefused(s);
    }
}
