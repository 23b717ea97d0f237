package dev.deltasync.protocol;

import dev.deltasync.hashing.HashAlgorithm;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Version negotiation and capability lookup (PROTOCOL.md §3.3). */
class HelloTest {

    private static Hello versions(int min, int max) {
        return new Hello(min, max, 16384, 1, 16384, 16384, new byte[] {2, 3}, new byte[] {1});
    }

    @Test
    void negotiatesTheHighestCommonVersion() throws ProtocolException {
        assertEquals(1, versions(1, 1).negotiateVersion(versions(1, 1)));
        assertEquals(3, versions(1, 3).negotiateVersion(versions(2, 5)));
        assertEquals(3, versions(2, 5).negotiateVersion(versions(1, 3)));
        assertEquals(4, versions(4, 4).negotiateVersion(versions(1, 9)));
    }

    @Test
    void failsWhenRangesDoNotOverlapAndNamesBoth() {
        ProtocolException e = assertThrows(ProtocolException.class, () -> versions(1, 1).negotiateVersion(versions(2, 3)));
        assertEquals(ErrorCode.UNSUPPORTED_VERSION, e.code());
        assertTrue(e.isConnectionError());
        assertEquals("no common version: we speak 1..1, peer speaks 2..3", e.getMessage());
    }

    @Test
    void answersCapabilityQuestions() {
        Hello hello = versions(1, 1);
        assertTrue(hello.supportsHash(HashAlgorithm.BLAKE3.wireId()));
        assertFalse(hello.supportsHash(HashAlgorithm.CRC32.wireId()));
        assertTrue(hello.supportsCodec(Constants.CODEC_NONE), "codec 0 is always supported");
        assertTrue(hello.supportsCodec(Constants.CODEC_ZSTD));
        assertFalse(new Hello(1, 1, 16384, 1, 16384, 16384, new byte[0], new byte[0]).supportsCodec(Constants.CODEC_ZSTD));
    }

    @Test
    void defaultsFitThePreHelloLimit() {
        assertTrue(FrameCodec.payloadLength(Hello.defaults()) <= Constants.PRE_HELLO_MAX_PAYLOAD);
        Hello largest = new Hello(1, 1, 16384, 1, 16384, 16384, new byte[255], new byte[255]);
        assertTrue(FrameCodec.payloadLength(largest) <= Constants.PRE_HELLO_MAX_PAYLOAD);
    }

    @Test
    void pingIsAnsweredWithTheSameOpaqueValue() {
        assertEquals(new Pong(-2L), new Ping(-2L).pong());
    }
}
