package dev.deltasync.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

/** Review check (lineage): the limits of §4.14/§4.15 that no vector covers give stream errors PROTOCOL_ERROR. */
class RefineLimitsReviewTest {

    private static ProtocolException read(int type, ByteBuf payload) {
        ByteBuf frame = Unpooled.buffer();
        frame.writeByte(type).writeByte(0).writeInt(1).writeInt(payload.readableBytes()).writeBytes(payload);
        return assertThrows(ProtocolException.class, () -> new FrameReader(Constants.MAX_FRAME_PAYLOAD).read(frame));
    }

    @Test
    void aRefineOf1025IndicesIsAStreamProtocolError() {
        ByteBuf p = Unpooled.buffer().writeLong(5).writeLong(42); // epoch, seed
        for (int i = 0; i < 1025; i++) {
            p.writeInt(i);
        }
        ProtocolException e = read(FrameType.REFINE, p);
        assertEquals(ErrorCode.PROTOCOL_ERROR, e.code());
        assertFalse(e.isConnectionError());
    }

    @Test
    void aRefineOfEpochZeroIsAStreamProtocolError() {
        ProtocolException e = read(FrameType.REFINE, Unpooled.buffer().writeLong(0).writeLong(42).writeInt(1));
        assertEquals(ErrorCode.PROTOCOL_ERROR, e.code());
        assertFalse(e.isConnectionError());
    }

    @Test
    void aShortRefineIsAStreamFrameSizeError() {
        ProtocolException e = read(FrameType.REFINE, Unpooled.buffer().writeLong(5).writeInt(42)); // 4 bytes of the seed
        assertEquals(ErrorCode.FRAME_SIZE_ERROR, e.code());
        assertFalse(e.isConnectionError());
    }

    @Test
    void pageDigestsOfDigestLengthZeroIsAStreamProtocolError() {
        ProtocolException e = read(FrameType.PAGE_DIGESTS, Unpooled.buffer().writeLong(5).writeInt(3).writeByte(0)
                .writeInt(0));
        assertEquals(ErrorCode.PROTOCOL_ERROR, e.code());
        assertFalse(e.isConnectionError());
    }

    @Test
    void pageDigestsWithAReservedIndexBitIsAStreamProtocolError() {
        ProtocolException e = read(FrameType.PAGE_DIGESTS, Unpooled.buffer().writeLong(5).writeInt(0x80000003)
                .writeByte(4).writeInt(0));
        assertEquals(ErrorCode.PROTOCOL_ERROR, e.code());
        assertFalse(e.isConnectionError());
    }

    @Test
    void aPatchOfNoBitmapsIsAStreamProtocolError() {
        ProtocolException e = read(FrameType.CHUNK, Unpooled.buffer().writeLong(5).writeInt(2).writeByte(4)
                .writeInt(8200));
        assertEquals(ErrorCode.PROTOCOL_ERROR, e.code());
        assertFalse(e.isConnectionError());
    }
}
