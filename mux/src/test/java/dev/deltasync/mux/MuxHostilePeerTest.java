package dev.deltasync.mux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.hashing.HashAlgorithm;
import dev.deltasync.protocol.Chunk;
import dev.deltasync.protocol.Constants;
import dev.deltasync.protocol.ErrorCode;
import dev.deltasync.protocol.GoAway;
import dev.deltasync.protocol.Hello;
import dev.deltasync.protocol.Open;
import dev.deltasync.protocol.OpenOk;
import dev.deltasync.protocol.Reset;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A server facing peers that break the rules: each gets a GOAWAY or RESET with the right code, never a hang. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MuxHostilePeerTest {
    private MuxServer server;

    @AfterEach
    void tearDown() {
        if (server != null) {
            server.close();
        }
    }

    private RawPeer connect(MuxConfig config) throws Exception {
        server = MuxServer.start("127.0.0.1", 0, config, new EchoAcceptor());
        return new RawPeer(server.port(), 10_000);
    }

    private static MuxConfig quick() {
        return MuxConfig.defaults().withKeepalive(Duration.ofMillis(200), Duration.ofMillis(600));
    }

    @Test
    void aPeerWithNoCommonVersionGetsGoAwayNamingBothRanges() throws Exception {
        try (RawPeer peer = connect(MuxConfig.defaults())) {
            Hello future = Hello.defaults();
            peer.send(new Hello(3, 4, future.maxFramePayload(), future.maxStreams(), future.streamWindow(),
                    future.connectionWindow(), future.hashIds(), future.codecIds()));
            assertInstanceOf(Hello.class, peer.read());
            GoAway goAway = peer.readUntil(GoAway.class);
            assertEquals(ErrorCode.UNSUPPORTED_VERSION, goAway.errorCode());
            assertTrue(goAway.reason().contains("1..2") && goAway.reason().contains("3..4"), goAway.reason());
            assertTrue(peer.closedByServer());
        }
    }

    @Test
    void aFirstFrameOtherThanHelloIsAProtocolError() throws Exception {
        try (RawPeer peer = connect(MuxConfig.defaults())) {
            peer.send(new dev.deltasync.protocol.Ping(1));
            GoAway goAway = peer.readUntil(GoAway.class);
            assertEquals(ErrorCode.PROTOCOL_ERROR, goAway.errorCode());
            assertTrue(peer.closedByServer());
        }
    }

    @Test
    void aMalformedChunkAsTheFirstFrameIsAProtocolErrorNotAStreamReset() throws Exception {
        try (RawPeer peer = connect(MuxConfig.defaults())) {
            // A CHUNK of epoch 0 on stream 1 (a stream error once connected): before HELLO it ends the connection.
            peer.sendRaw(ByteBuffer.allocate(10 + 20).put((byte) 0x13).put((byte) 0).putInt(1).putInt(20)
                    .putLong(0).putInt(0).put((byte) 0).putInt(3).put(new byte[] {1, 2, 3}).array());
            GoAway goAway = peer.readUntil(GoAway.class);
            assertEquals(ErrorCode.PROTOCOL_ERROR, goAway.errorCode());
            assertTrue(goAway.reason().contains("expected HELLO"), goAway.reason());
            assertTrue(peer.closedByServer());
        }
    }

    @Test
    void anOversizedLengthBeforeHelloIsRejectedBeforeItIsBuffered() throws Exception {
        try (RawPeer peer = connect(MuxConfig.defaults())) {
            // A header announcing a 1 GiB HELLO: the server must refuse it from the header alone.
            peer.sendRaw(ByteBuffer.allocate(10).put((byte) 1).put((byte) 0).putInt(0).putInt(1 << 30).array());
            GoAway goAway = peer.readUntil(GoAway.class);
            assertEquals(ErrorCode.FRAME_SIZE_ERROR, goAway.errorCode());
            assertTrue(peer.closedByServer());
        }
    }

    @Test
    void aSilentPeerIsCutOffByTheHandshakeTimeout() throws Exception {
        MuxConfig config = new MuxConfig(Constants.DEFAULT_MAX_FRAME_PAYLOAD, 16, Constants.DEFAULT_STREAM_WINDOW,
                Constants.DEFAULT_CONNECTION_WINDOW, new byte[] {4}, new byte[0], Duration.ofSeconds(5),
                Duration.ofSeconds(30), Duration.ofMillis(300), 64);
        try (RawPeer peer = connect(config)) {
            GoAway goAway = peer.readUntil(GoAway.class);
            assertEquals(ErrorCode.IDLE_TIMEOUT, goAway.errorCode());
            assertTrue(goAway.reason().contains("HELLO"), goAway.reason());
            assertTrue(peer.closedByServer());
        }
    }

    @Test
    void aPeerThatStopsAnsweringIsDetectedByTheIdleTimeout() throws Exception {
        try (RawPeer peer = connect(quick())) {
            peer.sendHello();
            long start = System.nanoTime();
            GoAway goAway = peer.readUntil(GoAway.class); // we never answer the server's PINGs
            assertEquals(ErrorCode.IDLE_TIMEOUT, goAway.errorCode());
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5));
            assertTrue(peer.closedByServer());
        }
    }

    @Test
    void sendingBeyondTheStreamWindowIsAFlowControlError() throws Exception {
        try (RawPeer peer = connect(MuxConfig.defaults().withWindows(2 * 1024 * 1024, 16 * 1024 * 1024))) {
            peer.sendHello();
            peer.send(new Open(1, Constants.ROLE_PUSH, HashAlgorithm.CRC32C.wireId(), 65536, 1 << 30, "slow", false));
            peer.readUntil(OpenOk.class);
            for (int i = 0; i < 40; i++) { // 40 x 64 KiB = 2.5 MiB > 2 MiB, and the "slow" reader grants nothing
                peer.send(Chunk.raw(1, 1, i, new byte[65536]));
            }
            GoAway goAway = peer.readUntil(GoAway.class);
            assertEquals(ErrorCode.FLOW_CONTROL_ERROR, goAway.errorCode());
            assertTrue(peer.closedByServer());
        }
    }

    @Test
    void aStreamWindowOverflowResetsOnlyThatStreamAndTheConnectionLives() throws Exception {
        try (RawPeer peer = connect(MuxConfig.defaults())) {
            peer.sendHello();
            peer.send(new Open(1, Constants.ROLE_PUSH, HashAlgorithm.CRC32C.wireId(), 65536, 1 << 20, "slow", false));
            peer.readUntil(OpenOk.class);
            peer.send(new dev.deltasync.protocol.WindowUpdate(1, Integer.MAX_VALUE)); // our window: above 2^31-1
            Reset reset = peer.readUntil(Reset.class);
            assertEquals(1, reset.streamId());
            assertEquals(ErrorCode.FLOW_CONTROL_ERROR, reset.errorCode());
            assertTrue(reset.reason().contains("2^31-1"), reset.reason());
            peer.send(new Open(3, Constants.ROLE_PUSH, HashAlgorithm.CRC32C.wireId(), 65536, 1 << 20, "b", false));
            assertEquals(3, peer.readUntil(OpenOk.class).streamId()); // the connection itself goes on
        }
    }

    @Test
    void streamIdsMustBeOddAndIncreasing() throws Exception {
        try (RawPeer peer = connect(MuxConfig.defaults())) {
            peer.sendHello();
            peer.send(new Open(2, Constants.ROLE_PUSH, HashAlgorithm.CRC32C.wireId(), 65536, 1 << 20, "a", false));
            GoAway goAway = peer.readUntil(GoAway.class);
            assertEquals(ErrorCode.PROTOCOL_ERROR, goAway.errorCode());
        }
    }

    @Test
    void aFrameForANeverOpenedStreamIsAProtocolError() throws Exception {
        try (RawPeer peer = connect(MuxConfig.defaults())) {
            peer.sendHello();
            peer.send(Chunk.raw(7, 1, 0, new byte[16]));
            GoAway goAway = peer.readUntil(GoAway.class);
            assertEquals(ErrorCode.PROTOCOL_ERROR, goAway.errorCode());
        }
    }

    @Test
    void streamsBeyondTheLimitAreRefusedWhileTheConnectionLives() throws Exception {
        try (RawPeer peer = connect(MuxConfig.defaults().withMaxStreams(1))) {
            peer.sendHello();
            peer.send(new Open(1, Constants.ROLE_PUSH, HashAlgorithm.CRC32C.wireId(), 65536, 1 << 20, "slow", false));
            peer.readUntil(OpenOk.class);
            peer.send(new Open(3, Constants.ROLE_PUSH, HashAlgorithm.CRC32C.wireId(), 65536, 1 << 20, "b", false));
            Reset reset = peer.readUntil(Reset.class);
            assertEquals(3, reset.streamId());
            assertEquals(ErrorCode.REFUSED_STREAM, reset.errorCode());
            peer.send(new dev.deltasync.protocol.Ping(42));
            assertEquals(42, peer.readUntil(dev.deltasync.protocol.Pong.class).opaque());
        }
    }

    @Test
    void aStreamResetByThePeerHoldsItsSlotUntilTheServerIsDoneWithIt() throws Exception {
        EchoAcceptor acceptor = new EchoAcceptor(); // "slow" streams wait for release: the server is still busy
        server = MuxServer.start("127.0.0.1", 0, MuxConfig.defaults().withMaxStreams(2), acceptor);
        try (RawPeer peer = new RawPeer(server.port(), 10_000)) {
            peer.sendHello();
            for (int id = 1; id <= 3; id += 2) { // open and reset at once, as a "rapid reset" flood does
                peer.send(new Open(id, Constants.ROLE_PUSH, HashAlgorithm.CRC32C.wireId(), 65536, 1 << 20, "slow", false));
                peer.readUntil(OpenOk.class);
                peer.send(Reset.of(id, ErrorCode.CANCEL, "changed my mind"));
            }
            peer.send(new Open(5, Constants.ROLE_PUSH, HashAlgorithm.CRC32C.wireId(), 65536, 1 << 20, "slow", false));
            Reset reset = peer.readUntil(Reset.class);
            assertEquals(5, reset.streamId());
            assertEquals(ErrorCode.REFUSED_STREAM, reset.errorCode());

            acceptor.release.countDown(); // the server finishes both streams: their slots come back
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            boolean admitted = false;
            for (int id = 7; !admitted && System.nanoTime() < deadline; id += 2) {
                peer.send(new Open(id, Constants.ROLE_PUSH, HashAlgorithm.CRC32C.wireId(), 65536, 1 << 20, "fast", false));
                admitted = readOpenAnswer(peer, id);
            }
            assertTrue(admitted, "a slot comes back once the server is done with a stream");
        }
    }

    /** True for OPEN_OK on {@code id}, false for a RESET of it; skips frames of other streams. */
    private static boolean readOpenAnswer(RawPeer peer, int id) throws Exception {
        while (true) {
            var frame = peer.read();
            if (frame instanceof OpenOk ok && ok.streamId() == id) {
                return true;
            }
            if (frame instanceof Reset reset && reset.streamId() == id) {
                Thread.sleep(50);
                return false;
            }
            if (frame == null) {
                throw new AssertionError("connection closed");
            }
        }
    }

    @Test
    void nothingButHelloIsSentBeforeThePeersHello() throws Exception {
        // PROTOCOL.md §3: pinged every 100 ms once connected, but a peer that has not sent HELLO gets no PING.
        MuxConfig config = MuxConfig.defaults().withKeepalive(Duration.ofMillis(100), Duration.ofSeconds(30))
                .withHandshakeTimeout(Duration.ofMillis(800));
        try (RawPeer peer = connect(config)) {
            assertInstanceOf(Hello.class, peer.read());
            var next = peer.read();
            assertInstanceOf(GoAway.class, next, "the frame after HELLO");
            assertEquals(ErrorCode.IDLE_TIMEOUT, ((GoAway) next).errorCode());
        }
    }

    @Test
    void aWindowUpdateForANeverOpenedStreamIsAProtocolError() throws Exception {
        try (RawPeer peer = connect(MuxConfig.defaults())) {
            peer.sendHello();
            peer.send(new dev.deltasync.protocol.WindowUpdate(9, 100));
            GoAway goAway = peer.readUntil(GoAway.class);
            assertEquals(ErrorCode.PROTOCOL_ERROR, goAway.errorCode());
            assertTrue(goAway.reason().contains("never opened"), goAway.reason());
        }
    }

    @Test
    void aWindowUpdateForAClosedStreamIsIgnored() throws Exception {
        try (RawPeer peer = connect(MuxConfig.defaults())) {
            peer.sendHello();
            peer.send(new Open(1, Constants.ROLE_PUSH, HashAlgorithm.CRC32C.wireId(), 65536, 1 << 20, "a", false));
            peer.readUntil(OpenOk.class);
            peer.send(Reset.of(1, ErrorCode.CANCEL, "done"), new dev.deltasync.protocol.WindowUpdate(1, 100));
            peer.send(new dev.deltasync.protocol.Ping(43));
            assertEquals(43, peer.readUntil(dev.deltasync.protocol.Pong.class).opaque());
        }
    }
}
