package dev.deltasync.protocol;

import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static dev.deltasync.protocol.Frames.assertConnectionError;
import static dev.deltasync.protocol.Frames.assertStreamError;
import static dev.deltasync.protocol.Frames.decodeOne;
import static dev.deltasync.protocol.Frames.raw;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * One test per validation rule of PROTOCOL.md §4 and §8.2, each asserting the error code and tier. Payloads are
 * written by hand in hex, field by field, so each breaks exactly one rule.
 */
class FrameValidationTest {

    private static final String HELLO_FIXED = "4453594e 0001 0001 00004000 00000010 00004000 00004000";
    private static final String CHUNK_FIXED = "0000000000000001 00000000";

    // ---- header (§2): connection errors

    @ParameterizedTest(name = "type 0x{0}")
    @ValueSource(ints = {FrameType.HELLO, FrameType.PING, FrameType.PONG, FrameType.GOAWAY})
    void failsWhenConnectionFrameIsOnAStream(int type) {
        assertConnectionError(ErrorCode.PROTOCOL_ERROR, raw(type, 0, 1, "0000000000000000"));
    }

    @ParameterizedTest(name = "type 0x{0}")
    @ValueSource(ints = {FrameType.OPEN, FrameType.OPEN_OK, FrameType.DIGESTS, FrameType.CHUNK, FrameType.EPOCH_END,
            FrameType.EPOCH_ACK, FrameType.RESET})
    void failsWhenStreamFrameIsOnStreamZero(int type) {
        assertConnectionError(ErrorCode.PROTOCOL_ERROR, raw(type, 0, 0, "00000000"));
    }

    @Test
    void failsWhenStreamIdHasTheReservedBitSet() {
        assertConnectionError(ErrorCode.PROTOCOL_ERROR, raw(FrameType.RESET, 0, 0x80000001, "00000000"));
    }

    @Test
    void failsWhenLengthIsAboveTheLimitBeforeThePayloadArrives() {
        // Header only: the payload never comes, the reader must not wait for it.
        assertConnectionError(ErrorCode.FRAME_SIZE_ERROR, Frames.hex("13 00 00000001 00100041"));
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> new FrameReader(Constants.PRE_HELLO_MAX_PAYLOAD).read(
                        Unpooled.wrappedBuffer(Frames.hex("01 00 00000000 00000401"))));
        assertEquals(ErrorCode.FRAME_SIZE_ERROR, e.code());
    }

    @Test
    void failsWhenLengthIsNearTheU32Maximum() {
        assertConnectionError(ErrorCode.FRAME_SIZE_ERROR, Frames.hex("13 00 00000001 ffffffff"));
    }

    @Test
    void failsWhenUnknownTypeIsAboveTheLimit() {
        assertConnectionError(ErrorCode.FRAME_SIZE_ERROR, Frames.hex("7f 00 00000001 7fffffff"));
    }

    // ---- HELLO (§4.1): connection errors

    @Test
    void failsWhenHelloMagicIsWrong() {
        assertConnectionError(ErrorCode.PROTOCOL_ERROR,
                raw(FrameType.HELLO, 0, 0, "48545450 0001 0001 00004000 00000010 00004000 00004000 00 00"));
    }

    @Test
    void failsWhenHelloIsTruncated() {
        assertConnectionError(ErrorCode.FRAME_SIZE_ERROR, raw(FrameType.HELLO, 0, 0, HELLO_FIXED + " 00"));
    }

    @Test
    void failsWhenHelloHashIdsRunPastTheEnd() {
        assertConnectionError(ErrorCode.FRAME_SIZE_ERROR, raw(FrameType.HELLO, 0, 0, HELLO_FIXED + " 05 0102"));
    }

    @Test
    void failsWhenHelloCodecIdsRunPastTheEnd() {
        assertConnectionError(ErrorCode.FRAME_SIZE_ERROR, raw(FrameType.HELLO, 0, 0, HELLO_FIXED + " 01 02 02 01"));
    }

    @Test
    void failsWhenHelloVersionRangeIsInverted() {
        assertConnectionError(ErrorCode.PROTOCOL_ERROR,
                raw(FrameType.HELLO, 0, 0, "4453594e 0002 0001 00004000 00000010 00004000 00004000 00 00"));
    }

    @Test
    void failsWhenHelloMinVersionIsZero() {
        assertConnectionError(ErrorCode.PROTOCOL_ERROR,
                raw(FrameType.HELLO, 0, 0, "4453594e 0000 0001 00004000 00000010 00004000 00004000 00 00"));
    }

    @Test
    void failsWhenHelloMaxFramePayloadIsBelowTheMinimum() {
        assertConnectionError(ErrorCode.PROTOCOL_ERROR,
                raw(FrameType.HELLO, 0, 0, "4453594e 0001 0001 00003fff 00000010 00004000 00004000 00 00"));
    }

    @Test
    void failsWhenHelloMaxFramePayloadIsAboveTheMaximum() {
        assertConnectionError(ErrorCode.PROTOCOL_ERROR,
                raw(FrameType.HELLO, 0, 0, "4453594e 0001 0001 01000001 00000010 7fffffff 7fffffff 00 00"));
    }

    @Test
    void failsWhenHelloStreamWindowIsBelowMaxFramePayload() {
        assertConnectionError(ErrorCode.PROTOCOL_ERROR,
                raw(FrameType.HELLO, 0, 0, "4453594e 0001 0001 00004000 00000010 00003fff 00004000 00 00"));
    }

    @Test
    void failsWhenHelloConnectionWindowIsAboveTheMaximum() {
        assertConnectionError(ErrorCode.PROTOCOL_ERROR,
                raw(FrameType.HELLO, 0, 0, "4453594e 0001 0001 00004000 00000010 00004000 80000000 00 00"));
    }

    @Test
    void failsWhenHelloMaxStreamsHasTheReservedBitSet() {
        assertConnectionError(ErrorCode.PROTOCOL_ERROR,
                raw(FrameType.HELLO, 0, 0, "4453594e 0001 0001 00004000 80000000 00004000 00004000 00 00"));
    }

    @Test
    void ignoresBytesAfterHelloCodecIds() throws ProtocolException {
        Frame f = decodeOne(raw(FrameType.HELLO, 0, 0, HELLO_FIXED + " 01 03 00 deadbeef"));
        assertEquals(new Hello(1, 1, 16384, 16, 16384, 16384, new byte[] {3}, new byte[0]), f);
    }

    // ---- PING, PONG, WINDOW_UPDATE, GOAWAY (§4.2-§4.5)

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(strings = {"", "00000000000000", "000000000000000000"})
    void failsWhenPingIsNotEightBytes(String payload) {
        assertConnectionError(ErrorCode.FRAME_SIZE_ERROR, raw(FrameType.PING, 0, 0, payload));
        assertConnectionError(ErrorCode.FRAME_SIZE_ERROR, raw(FrameType.PONG, 0, 0, payload));
    }

    @Test
    void failsWhenConnectionWindowIncrementIsZero() {
        assertConnectionError(ErrorCode.PROTOCOL_ERROR, raw(FrameType.WINDOW_UPDATE, 0, 0, "00000000"));
    }

    @Test
    void failsOnlyTheStreamWhenStreamWindowIncrementIsZero() {
        assertStreamError(ErrorCode.PROTOCOL_ERROR, 3, raw(FrameType.WINDOW_UPDATE, 0, 3, "00000000"));
    }

    @Test
    void failsWhenWindowIncrementIsAbove2To31Minus1() {
        assertConnectionError(ErrorCode.PROTOCOL_ERROR, raw(FrameType.WINDOW_UPDATE, 0, 0, "80000000"));
    }

    @Test
    void failsWhenWindowUpdateIsNotFourBytes() {
        assertConnectionError(ErrorCode.FRAME_SIZE_ERROR, raw(FrameType.WINDOW_UPDATE, 0, 0, "0000000100"));
        assertStreamError(ErrorCode.FRAME_SIZE_ERROR, 1, raw(FrameType.WINDOW_UPDATE, 0, 1, "000001"));
    }

    @Test
    void failsWhenGoAwayIsTruncated() {
        assertConnectionError(ErrorCode.FRAME_SIZE_ERROR, raw(FrameType.GOAWAY, 0, 0, "00000000 000000"));
    }

    @Test
    void failsWhenGoAwayReasonIsNotUtf8() {
        assertConnectionError(ErrorCode.PROTOCOL_ERROR, raw(FrameType.GOAWAY, 0, 0, "00000000 00000001 c328"));
    }

    @Test
    void failsWhenGoAwayReasonIsLongerThan1024Bytes() {
        assertConnectionError(ErrorCode.PROTOCOL_ERROR,
                raw(FrameType.GOAWAY, 0, 0, "00000000 00000001" + "61".repeat(1025)));
    }

    @Test
    void failsWhenGoAwayLastStreamIdHasTheReservedBitSet() {
        assertConnectionError(ErrorCode.PROTOCOL_ERROR, raw(FrameType.GOAWAY, 0, 0, "80000000 00000000"));
    }

    // ---- RESET (§4.12): stream errors

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"ff", "c0 80", "ed a0 80", "f4 90 80 80", "e2 82"})
    void failsWhenResetReasonIsNotStrictUtf8(String bytes) {
        assertStreamError(ErrorCode.PROTOCOL_ERROR, 5, raw(FrameType.RESET, 0, 5, "00000008 " + bytes));
    }

    @Test
    void failsWhenResetIsTruncated() {
        assertStreamError(ErrorCode.FRAME_SIZE_ERROR, 5, raw(FrameType.RESET, 0, 5, "000000"));
    }

    @Test
    void failsWhenResetReasonIsLongerThan1024Bytes() {
        assertStreamError(ErrorCode.PROTOCOL_ERROR, 5, raw(FrameType.RESET, 0, 5, "00000000" + "61".repeat(1025)));
    }

    // ---- OPEN, OPEN_OK (§4.6, §4.7): stream errors

    @Test
    void failsWhenOpenNameLengthRunsPastTheEnd() {
        assertStreamError(ErrorCode.FRAME_SIZE_ERROR, 1,
                raw(FrameType.OPEN, 0, 1, "01 02 00010000 0000000000001000 00000000 08 61626364"));
    }

    @Test
    void failsWhenOpenHasBytesAfterTheName() {
        assertStreamError(ErrorCode.FRAME_SIZE_ERROR, 1,
                raw(FrameType.OPEN, 0, 1, "01 02 00010000 0000000000001000 00000000 01 61 62"));
    }

    @Test
    void failsWhenOpenNameIsEmpty() {
        assertStreamError(ErrorCode.PROTOCOL_ERROR, 1, raw(FrameType.OPEN, 0, 1, "01 02 00010000 0000000000001000 00000000 00"));
    }

    @Test
    void failsWhenOpenNameIsNotUtf8() {
        assertStreamError(ErrorCode.PROTOCOL_ERROR, 1,
                raw(FrameType.OPEN, 0, 1, "01 02 00010000 0000000000001000 00000000 02 61 ff"));
    }

    @ParameterizedTest(name = "role {0}")
    @ValueSource(strings = {"00", "03", "ff"})
    void failsWhenOpenRoleIsUnknown(String role) {
        assertStreamError(ErrorCode.PROTOCOL_ERROR, 1,
                raw(FrameType.OPEN, 0, 1, role + " 02 00010000 0000000000001000 00000000 01 61"));
    }

    @Test
    void failsWhenOpenIsTruncated() {
        assertStreamError(ErrorCode.FRAME_SIZE_ERROR, 1, raw(FrameType.OPEN, 0, 1, "01 02 00010000 00000000000010"));
    }

    @Test
    void failsWhenOpenRegionSizeHasTheReservedBitSet() {
        assertStreamError(ErrorCode.PROTOCOL_ERROR, 1,
                raw(FrameType.OPEN, 0, 1, "01 02 00010000 8000000000000000 00000000 01 61"));
    }

    @Test
    void failsWhenOpenChunkSizeHasTheReservedBitSet() {
        assertStreamError(ErrorCode.PROTOCOL_ERROR, 1,
                raw(FrameType.OPEN, 0, 1, "01 02 80000000 0000000000001000 00000000 01 61"));
    }

    @Test
    void failsWhenOpenIntervalHasTheReservedBitSet() {
        assertStreamError(ErrorCode.PROTOCOL_ERROR, 1,
                raw(FrameType.OPEN, 0, 1, "02 02 00010000 0000000000001000 80000000 01 61"));
    }

    @Test
    void ignoresUnknownOpenFlagBits() throws ProtocolException {
        // 0x01 ALLOW_RESIZE and 0x02 LINEAGE (v2) are known; every other bit is ignored.
        Open open = (Open) decodeOne(raw(FrameType.OPEN, 0xFC, 1, "01 02 00010000 0000000000001000 00000000 01 61"));
        assertEquals(false, open.allowResize());
        assertEquals(0, open.flags());
    }

    @Test
    void failsWhenOpenOkIsNotThirteenBytes() {
        assertStreamError(ErrorCode.FRAME_SIZE_ERROR, 1, raw(FrameType.OPEN_OK, 0, 1, "0000000000001000 00010000"));
        assertStreamError(ErrorCode.FRAME_SIZE_ERROR, 1,
                raw(FrameType.OPEN_OK, 0, 1, "0000000000001000 00010000 02 00"));
    }

    // ---- DIGESTS, CHUNK (§4.8, §4.9): stream errors that still report their flow-controlled bytes

    @Test
    void failsWhenDigestsRestIsNotAMultipleOfTheDigestLength() {
        ProtocolException e = assertStreamError(ErrorCode.PROTOCOL_ERROR, 7,
                raw(FrameType.DIGESTS, 0, 7, "00000000 04 0102030405"));
        assertEquals(10, e.flowControlledBytes());
    }

    @Test
    void failsWhenDigestsCarriesNoDigest() {
        assertStreamError(ErrorCode.PROTOCOL_ERROR, 7, raw(FrameType.DIGESTS, 0, 7, "00000000 04"));
    }

    @ParameterizedTest(name = "digestLength {0}")
    @ValueSource(strings = {"00", "41", "ff"})
    void failsWhenDigestLengthIsOutside1To64(String digestLength) {
        assertStreamError(ErrorCode.PROTOCOL_ERROR, 7,
                raw(FrameType.DIGESTS, 0, 7, "00000000 " + digestLength + " 01020304"));
    }

    @Test
    void failsWhenDigestsIsTruncated() {
        ProtocolException e = assertStreamError(ErrorCode.FRAME_SIZE_ERROR, 7, raw(FrameType.DIGESTS, 0, 7, "00000000"));
        assertEquals(4, e.flowControlledBytes());
    }

    @Test
    void failsWhenDigestsFirstIndexHasTheReservedBitSet() {
        assertStreamError(ErrorCode.PROTOCOL_ERROR, 7, raw(FrameType.DIGESTS, 0, 7, "80000000 04 01020304"));
    }

    @Test
    void failsWhenRawChunkLengthDiffersFromRawLength() {
        ProtocolException e = assertStreamError(ErrorCode.PROTOCOL_ERROR, 1,
                raw(FrameType.CHUNK, 0, 1, CHUNK_FIXED + " 00 00000004 010203"));
        assertEquals(Constants.CHUNK_HEADER_LENGTH + 3, e.flowControlledBytes());
        assertStreamError(ErrorCode.PROTOCOL_ERROR, 1, raw(FrameType.CHUNK, 0, 1, CHUNK_FIXED + " 00 00000002 010203"));
    }

    @ParameterizedTest(name = "rawLength {0}")
    @ValueSource(strings = {"00000000", "01000001", "ffffffff"})
    void failsWhenRawLengthIsOutside1To2Pow24(String rawLength) {
        assertStreamError(ErrorCode.PROTOCOL_ERROR, 1, raw(FrameType.CHUNK, 0, 1, CHUNK_FIXED + " 01 " + rawLength + " 28b52ffd"));
    }

    @Test
    void failsWhenCompressedChunkHasNoData() {
        assertStreamError(ErrorCode.PROTOCOL_ERROR, 1, raw(FrameType.CHUNK, 0, 1, CHUNK_FIXED + " 01 00001000"));
    }

    @Test
    void failsWhenChunkEpochIsZero() {
        assertStreamError(ErrorCode.PROTOCOL_ERROR, 1,
                raw(FrameType.CHUNK, 0, 1, "0000000000000000 00000000 00 00000001 aa"));
    }

    @Test
    void failsWhenChunkFixedFieldsAreTruncated() {
        assertStreamError(ErrorCode.FRAME_SIZE_ERROR, 1, raw(FrameType.CHUNK, 0, 1, CHUNK_FIXED + " 00 000001"));
    }

    // ---- EPOCH_END, EPOCH_ACK (§4.10, §4.11): stream errors

    @Test
    void failsWhenEpochEndRootIsShorterThanFourBytes() {
        assertStreamError(ErrorCode.PROTOCOL_ERROR, 1, raw(FrameType.EPOCH_END, 0, 1, "0000000000000001 00000000 aabbcc"));
    }

    @Test
    void failsWhenEpochEndRootIsLongerThan64Bytes() {
        assertStreamError(ErrorCode.PROTOCOL_ERROR, 1,
                raw(FrameType.EPOCH_END, 0, 1, "0000000000000001 00000000" + "ab".repeat(65)));
    }

    @Test
    void failsWhenEpochEndIsTruncated() {
        assertStreamError(ErrorCode.FRAME_SIZE_ERROR, 1, raw(FrameType.EPOCH_END, 0, 1, "0000000000000001 000000"));
    }

    @Test
    void failsWhenEpochEndChunkCountHasTheReservedBitSet() {
        assertStreamError(ErrorCode.PROTOCOL_ERROR, 1,
                raw(FrameType.EPOCH_END, 0, 1, "0000000000000001 80000000 aabbccdd"));
    }

    @Test
    void failsWhenEpochAckRootIsShorterThanFourBytes() {
        assertStreamError(ErrorCode.PROTOCOL_ERROR, 1, raw(FrameType.EPOCH_ACK, 0, 1, "0000000000000001 aabbcc"));
    }

    @Test
    void failsWhenEpochAckEpochHasTheReservedBitSet() {
        assertStreamError(ErrorCode.PROTOCOL_ERROR, 1, raw(FrameType.EPOCH_ACK, 0, 1, "8000000000000001 aabbccdd"));
    }

    @Test
    void failsWhenEpochAckIsTruncated() {
        assertStreamError(ErrorCode.FRAME_SIZE_ERROR, 1, raw(FrameType.EPOCH_ACK, 0, 1, "00000000000001"));
    }

    @Test
    void reportsNoFlowControlledBytesForOtherStreamFrames() {
        assertEquals(0, assertStreamError(ErrorCode.FRAME_SIZE_ERROR, 1,
                raw(FrameType.EPOCH_ACK, 0, 1, "00000000000001")).flowControlledBytes());
    }

    // ---- the sending side: records refuse to hold what the wire forbids

    @Test
    void recordsRejectInvalidFieldsWhenBuilt() {
        assertThrows(IllegalArgumentException.class, () -> new Reset(0, 0, ""));
        assertThrows(IllegalArgumentException.class, () -> new Reset(1, 0, "\uD800"));
        assertThrows(IllegalArgumentException.class, () -> new Reset(1, 0, "a".repeat(1025)));
        assertThrows(IllegalArgumentException.class, () -> new GoAway(-1, 0, ""));
        assertThrows(IllegalArgumentException.class, () -> new WindowUpdate(0, 0));
        assertThrows(IllegalArgumentException.class,
                () -> new Open(1, Constants.ROLE_PUSH, 1, 4096, 0, "é".repeat(128), false));
        assertThrows(IllegalArgumentException.class, () -> new Digests(1, 0, 16, new byte[15]));
        assertThrows(IllegalArgumentException.class, () -> new Chunk(1, 1, 0, 0, 5, new byte[4]));
        assertThrows(IllegalArgumentException.class, () -> new EpochAck(1, 1, new byte[3]));
        assertThrows(IllegalArgumentException.class, () -> new EpochEnd(1, 0, 0, new byte[4]));
        assertThrows(IllegalArgumentException.class,
                () -> new Hello(1, 1, 65536, 1, 65535, 65536, new byte[0], new byte[0]));
    }
}
