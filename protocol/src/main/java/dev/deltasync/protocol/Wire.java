package dev.deltasync.protocol;

import io.netty.buffer.ByteBufUtil;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * Field rules shared by the frame records' constructors. A broken rule throws IllegalArgumentException; when the
 * frame came off the wire, {@link Payload#build} turns that into a PROTOCOL_ERROR, so each rule is written once.
 */
final class Wire {

    private Wire() {
    }

    // The fixed-arity overloads keep the checks that run on every CHUNK and DIGESTS free of boxing and
    // varargs arrays: Java picks them over the varargs form, and the message is formatted only on failure.

    static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    static void check(boolean ok, String fmt, long arg) {
        if (!ok) {
            throw new IllegalArgumentException(String.format(fmt, arg));
        }
    }

    static void check(boolean ok, String fmt, long first, long second) {
        if (!ok) {
            throw new IllegalArgumentException(String.format(fmt, first, second));
        }
    }

    static void check(boolean ok, String fmt, Object arg) {
        if (!ok) {
            throw new IllegalArgumentException(String.format(fmt, arg));
        }
    }

    static void check(boolean ok, String fmt, Object... args) {
        if (!ok) {
            throw new IllegalArgumentException(String.format(fmt, args));
        }
    }

    static void range(long value, long min, long max, String field) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(String.format("%s %d not in %d..%d", field, value, min, max));
        }
    }

    /** A u32 field whose reserved high bit must be 0 (PROTOCOL.md §1). */
    static void u31(int value, String field) {
        if (value < 0) {
            throw new IllegalArgumentException(String.format("%s %d has the reserved high bit set", field,
                    Integer.toUnsignedLong(value)));
        }
    }

    static void u8(int value, String field) {
        range(value, 0, 0xFF, field);
    }

    static void streamId(int streamId) {
        check(streamId > 0, "stream id %d is not a stream (1..2^31-1)", Integer.toUnsignedLong(streamId));
    }

    static void length(byte[] bytes, int min, int max, String field) {
        check(bytes != null, "%s is null", field);
        range(bytes.length, min, max, field + " length");
    }

    /** Checks that {@code s} encodes to {@code min..max} bytes of well-formed UTF-8 (no lone surrogates). */
    static void utf8(String s, int min, int max, String field) {
        check(s != null, "%s is null", field);
        check(StandardCharsets.UTF_8.newEncoder().canEncode(s), "%s is not well-formed Unicode", field);
        range(ByteBufUtil.utf8Bytes(s), min, max, field + " length in UTF-8 bytes");
    }

    /** Digests of one length (DIGESTS, PAGE_DIGESTS): 1..64 bytes each, at least one, nothing left over. */
    static void digests(byte[] digests, int digestLength) {
        range(digestLength, 1, Constants.MAX_DIGEST_LENGTH, "digestLength");
        check(digests != null && digests.length > 0 && digests.length % digestLength == 0,
                "digests must be a non-zero multiple of %d bytes", digestLength);
    }

    static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
