package dev.deltasync.protocol;

/**
 * Frame type numbers and the one table of what each means (PROTOCOL.md §4): name, the streams it may travel
 * on, whether it is flow-controlled, and how its payload is read. Plain ints, not an enum, because the reader
 * must carry unknown types through to the skip path (§4.13).
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
    public static final int REFINE = 0x17;
    public static final int PAGE_DIGESTS = 0x18;

    /** Where a type may travel (§2 rule 4). */
    enum Scope { CONNECTION, STREAM, EITHER }

    /** How the payload of a known type is read (§4). */
    @FunctionalInterface
    interface Reader {
        Frame read(Payload payload) throws ProtocolException;
    }

    /** One row of the §4 table: everything known about a type, in one place. */
    private record Row(String name, Scope scope, boolean flowControlled, Reader reader) { }

    private static final Row[] TABLE = new Row[256];

    static {
        row(HELLO, "HELLO", Scope.CONNECTION, false, Hello::read);
        row(PING, "PING", Scope.CONNECTION, false, Ping::read);
        row(PONG, "PONG", Scope.CONNECTION, false, Pong::read);
        row(WINDOW_UPDATE, "WINDOW_UPDATE", Scope.EITHER, false, WindowUpdate::read);
        row(GOAWAY, "GOAWAY", Scope.CONNECTION, false, GoAway::read);
        row(OPEN, "OPEN", Scope.STREAM, false, Open::read);
        row(OPEN_OK, "OPEN_OK", Scope.STREAM, false, OpenOk::read);
        row(DIGESTS, "DIGESTS", Scope.STREAM, true, Digests::read);
        row(CHUNK, "CHUNK", Scope.STREAM, true, Chunk::read);
        row(EPOCH_END, "EPOCH_END", Scope.STREAM, false, EpochEnd::read);
        row(EPOCH_ACK, "EPOCH_ACK", Scope.STREAM, false, EpochAck::read);
        row(RESET, "RESET", Scope.STREAM, false, Reset::read);
        row(REFINE, "REFINE", Scope.STREAM, false, Refine::read);
        row(PAGE_DIGESTS, "PAGE_DIGESTS", Scope.STREAM, true, PageDigests::read);
    }

    private static void row(int type, String name, Scope scope, boolean flowControlled, Reader reader) {
        TABLE[type] = new Row(name, scope, flowControlled, reader);
    }

    private FrameType() {
    }

    private static Row row(int type) {
        return type >= 0 && type < TABLE.length ? TABLE[type] : null;
    }

    public static boolean isKnown(int type) {
        return row(type) != null;
    }

    /** Types that only ever travel on stream 0. */
    public static boolean isConnectionOnly(int type) {
        return isKnown(type) && row(type).scope() == Scope.CONNECTION;
    }

    /** Types that never travel on stream 0. */
    public static boolean isStreamOnly(int type) {
        return isKnown(type) && row(type).scope() == Scope.STREAM;
    }

    /** Types whose payload consumes flow-control credit (§6). */
    public static boolean isFlowControlled(int type) {
        return isKnown(type) && row(type).flowControlled();
    }

    /** Name for messages; unknown types print as hex. */
    public static String name(int type) {
        return isKnown(type) ? row(type).name() : String.format("0x%02x", type);
    }

    /** The reader of a known type's payload. */
    static Reader reader(int type) {
        return row(type).reader();
    }
}
