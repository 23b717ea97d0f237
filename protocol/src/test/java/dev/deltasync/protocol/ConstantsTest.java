package dev.deltasync.protocol;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pins every wire number (PROTOCOL.md §4, §8.1, §9.2, §10): changing one must be a deliberate act. */
class ConstantsTest {

    @Test
    void pinsFrameTypes() {
        assertEquals(0x01, FrameType.HELLO);
        assertEquals(0x02, FrameType.PING);
        assertEquals(0x03, FrameType.PONG);
        assertEquals(0x04, FrameType.WINDOW_UPDATE);
        assertEquals(0x05, FrameType.GOAWAY);
        assertEquals(0x10, FrameType.OPEN);
        assertEquals(0x11, FrameType.OPEN_OK);
        assertEquals(0x12, FrameType.DIGESTS);
        assertEquals(0x13, FrameType.CHUNK);
        assertEquals(0x14, FrameType.EPOCH_END);
        assertEquals(0x15, FrameType.EPOCH_ACK);
        assertEquals(0x16, FrameType.RESET);
        assertEquals(0x17, FrameType.REFINE);
        assertEquals(0x18, FrameType.PAGE_DIGESTS);
    }

    @Test
    void classifiesFrameTypes() {
        int known = 0;
        for (int t = 0; t < 256; t++) {
            if (FrameType.isKnown(t)) {
                known++;
                assertFalse(FrameType.isConnectionOnly(t) && FrameType.isStreamOnly(t), FrameType.name(t));
            }
        }
        assertEquals(14, known);
        assertFalse(FrameType.isConnectionOnly(FrameType.WINDOW_UPDATE));
        assertFalse(FrameType.isStreamOnly(FrameType.WINDOW_UPDATE));
        assertTrue(FrameType.isFlowControlled(FrameType.CHUNK));
        assertTrue(FrameType.isFlowControlled(FrameType.DIGESTS));
        assertTrue(FrameType.isFlowControlled(FrameType.PAGE_DIGESTS), "answers to a REFINE wait for credit");
        assertFalse(FrameType.isFlowControlled(FrameType.REFINE));
        assertTrue(FrameType.isStreamOnly(FrameType.REFINE) && FrameType.isStreamOnly(FrameType.PAGE_DIGESTS));
        assertEquals("0x06", FrameType.name(0x06));
    }

    @Test
    void pinsErrorCodes() {
        String[] names = {"NO_ERROR", "PROTOCOL_ERROR", "INTERNAL_ERROR", "FLOW_CONTROL_ERROR", "FRAME_SIZE_ERROR",
                "UNSUPPORTED_VERSION", "REFUSED_STREAM", "STREAM_CLOSED", "CANCEL", "IDLE_TIMEOUT", "UNKNOWN_REGION",
                "READ_ONLY", "SIZE_MISMATCH", "UNSUPPORTED_PARAMETER", "COMPRESSION_ERROR", "IO_ERROR",
                "VERIFY_FAILED", "ENHANCE_YOUR_CALM"};
        assertEquals(names.length, ErrorCode.values().length);
        for (int code = 0; code < names.length; code++) {
            assertEquals(names[code], ErrorCode.forCode(code).name());
            assertEquals(code, ErrorCode.valueOf(names[code]).code());
        }
    }

    @Test
    void unknownErrorCodesReadAsInternalError() {
        for (int code : new int[] {18, 0xABCD, Integer.MAX_VALUE, -1, Integer.MIN_VALUE}) {
            assertFalse(ErrorCode.isKnown(code));
            assertEquals(ErrorCode.INTERNAL_ERROR, ErrorCode.forCode(code));
        }
    }

    @Test
    void pinsLimitsAndIds() {
        assertEquals(0x4453594E, Constants.MAGIC);
        assertEquals(1, Constants.MIN_VERSION);
        assertEquals(2, Constants.MAX_VERSION);
        assertEquals(2, Constants.VERSION_LINEAGE);
        assertEquals(16, Constants.LINEAGE_ID_LENGTH);
        assertEquals(10, Constants.HEADER_LENGTH);
        assertEquals(1024, Constants.PRE_HELLO_MAX_PAYLOAD);
        assertEquals(16384, Constants.MIN_FRAME_PAYLOAD);
        assertEquals(16777216, Constants.MAX_FRAME_PAYLOAD);
        assertEquals(1048640, Constants.DEFAULT_MAX_FRAME_PAYLOAD);
        assertEquals(4194304, Constants.DEFAULT_STREAM_WINDOW);
        assertEquals(16777216, Constants.DEFAULT_CONNECTION_WINDOW);
        assertEquals(256, Constants.DEFAULT_MAX_STREAMS);
        assertEquals(0x7FFFFFFF, Constants.MAX_WINDOW);
        assertEquals(4096, Constants.MIN_CHUNK_SIZE);
        assertEquals(1048576, Constants.MAX_CHUNK_SIZE);
        assertEquals(17, Constants.CHUNK_HEADER_LENGTH);
        assertEquals(16777216, Constants.MAX_RAW_LENGTH);
        assertEquals(1024, Constants.MAX_REASON_BYTES);
        assertEquals(255, Constants.MAX_NAME_BYTES);
        assertEquals(4, Constants.MIN_ROOT_LENGTH);
        assertEquals(64, Constants.MAX_DIGEST_LENGTH);
        assertEquals(1, Constants.ROLE_PUSH);
        assertEquals(2, Constants.ROLE_PULL);
        assertEquals(0x01, Constants.FLAG_ALLOW_RESIZE);
        assertEquals(0x02, Constants.FLAG_LINEAGE);
        assertEquals(0x04, Constants.FLAG_TABLE_KNOWN);
        assertEquals(0x08, Constants.FLAG_REHASH);
        assertEquals(0x02, Constants.FLAG_SOURCE_TIME);
        assertEquals(0, Constants.CODEC_NONE);
        assertEquals(1, Constants.CODEC_ZSTD);
        assertEquals(2, Constants.CODEC_ZERO);
        assertEquals(3, Constants.CODEC_RUN);
        assertEquals(4, Constants.CODEC_PATCH);
        assertEquals(4096, Constants.PAGE_SIZE);
        assertEquals(1024, Constants.MAX_REFINE_INDICES);
        assertEquals(16, Constants.REFINE_HEADER_LENGTH);
        assertEquals(13, Constants.PAGE_DIGESTS_HEADER_LENGTH);
    }

    @Test
    void chunkSizesArePowersOfTwoInRange() {
        assertTrue(Constants.isValidChunkSize(4096));
        assertTrue(Constants.isValidChunkSize(65536));
        assertTrue(Constants.isValidChunkSize(1048576));
        assertFalse(Constants.isValidChunkSize(2048));
        assertFalse(Constants.isValidChunkSize(2097152));
        assertFalse(Constants.isValidChunkSize(65535));
        assertFalse(Constants.isValidChunkSize(-4096));
    }

    @Test
    void largestChunkFitsDefaultFramePayload() {
        assertTrue(Constants.MAX_CHUNK_SIZE + Constants.CHUNK_HEADER_LENGTH <= Constants.DEFAULT_MAX_FRAME_PAYLOAD);
        assertTrue(Hello.defaults().maxFramePayload() <= Hello.defaults().streamWindow());
    }
}
