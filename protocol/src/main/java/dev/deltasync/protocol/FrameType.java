package dev.deltasync.protocol;

/**
 * Frame type numbers (PROTOCOL.md §4). Plain ints, not an enum, because the reader must carry unknown types
 * through to the skip path (§4.13).
 */
public final class FrameType {

    public static final int HELLO = 0x01;
    public static final int PING = 0x02;
    public static final int PONG = 0x03;
    public static final int WINDOW_UPDATE = 0x04;
    public static final int GOAWAY = 0x05;
    public static final int OPEN = 0x10;
    public static final int OPEN_OK = 0x11;
    public static final int DIGESTS = 0x12;
    public static final int CHUNK = 0x13;
    public static final int EPOCH_END = 0x14;
    public static final int EPOCH_ACK = 0x15;
    public static final int RESET = 0x16;

    private FrameType() {
    }

    public static boolean isKnown(int type) {
        return (type >= HELLO && type <= GOAWAY) || (type >= OPEN && type <= RESET);
    }

    /** Types that only ever travel on stream 0. */
    public static boolean isConnectionOnly(int type) {
        return type == HELLO || type == PING || type == PONG || type == GOAWAY;
    }

    /** Types that never travel on stream 0. */
    public static boolean isStreamOnly(int type) {
        return type >= OPEN && type <= RESET;
    }

    /** Types whose payload consumes flow-control credit (§6). */
    public static boolean isFlowControlled(int type) {
        return type == DIGESTS || type == CHUNK;
    }

    /** Name for messages; unknown types print as hex. */
    public static String name(int type) {
        return switch (type) {
            case HELLO -> "HELLO";
            case PING -> "PING";
            case PONG -> "PONG";
            case WINDOW_UPDATE -> "WINDOW_UPDATE";
            case GOAWAY -> "GOAWAY";
            case OPEN -> "OPEN";
            case OPEN_OK -> "OPEN_OK";
            case DIGESTS -> "DIGESTS";
            case CHUNK -> "CHUNK";
            case EPOCH_END -> "EPOCH_END";
            case EPOCH_ACK -> "EPOCH_ACK";
            case RESET -> "RESET";
            default -> String.format("0x%02x", type);
        };
    }
}
