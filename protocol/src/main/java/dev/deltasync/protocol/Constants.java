package dev.deltasync.protocol;

import dev.deltasync.hashing.DigestTable;
import dev.deltasync.hashing.HashAlgorithm;

/**
 * Wire constants of protocol v1 (PROTOCOL.md §2, §3, §10). Frame types live in {@link FrameType}, error codes in
 * {@link ErrorCode}, hash ids and digest lengths in {@link HashAlgorithm}; {@code ConstantsTest} pins every value
 * here, so a change is a deliberate wire change.
 */
public final class Constants {

    /** "DSYN": first field of every HELLO, so a non-deltasync peer is recognised at once (§4.1). */
    public static final int MAGIC = 0x4453594E;
    /** The oldest version this implementation speaks: v1 peers keep working (§3.3). */
    public static final int MIN_VERSION = 1;
    /** The newest version this implementation speaks: v2 adds region lineages and source times (§3.4). */
    public static final int MAX_VERSION = 2;
    /** The first version with lineage fields in OPEN / OPEN_OK and a source time in EPOCH_END. */
    public static final int VERSION_LINEAGE = 2;

    public static final int HEADER_LENGTH = 10;
    /** Receive limit until the peer's HELLO has been read: bounds what an unknown peer can make us buffer (§3). */
    public static final int PRE_HELLO_MAX_PAYLOAD = 1024;
    public static final int MIN_FRAME_PAYLOAD = 16384;
    public static final int MAX_FRAME_PAYLOAD = 16777216;
    /** One full 1 MiB chunk plus its CHUNK header, with room to spare. */
    public static final int DEFAULT_MAX_FRAME_PAYLOAD = 1048576 + 64;
    public static final int DEFAULT_STREAM_WINDOW = 4 * 1024 * 1024;
    public static final int DEFAULT_CONNECTION_WINDOW = 16 * 1024 * 1024;
    public static final int DEFAULT_MAX_STREAMS = 256;
    /** Largest flow-control window and WINDOW_UPDATE increment (§6). */
    public static final int MAX_WINDOW = 0x7FFF_FFFF;

    public static final int MIN_CHUNK_SIZE = DigestTable.MIN_CHUNK_SIZE;
    public static final int MAX_CHUNK_SIZE = 1048576;
    /** OPEN's chunkSize in a PULL that leaves the choice to the server, the source (§9.5). */
    public static final int CHUNK_SIZE_CHOSEN_BY_SOURCE = 0;
    /** Bytes of a DIGESTS payload before the digests: firstIndex, digestLength (§4.8). */
    public static final int DIGESTS_HEADER_LENGTH = 5;
    /** Bytes of a CHUNK payload before the data: epoch, index, codec, rawLength (§4.9). */
    public static final int CHUNK_HEADER_LENGTH = 17;
    public static final int MAX_RAW_LENGTH = 16777216;
    /** Bytes of a REFINE payload before the indices: epoch, seed (§4.14). */
    public static final int REFINE_HEADER_LENGTH = 16;
    /** Bytes of a PAGE_DIGESTS payload before the digests: epoch, index, digestLength (§4.15). */
    public static final int PAGE_DIGESTS_HEADER_LENGTH = 13;
    public static final int MAX_REASON_BYTES = 1024;
    public static final int MAX_NAME_BYTES = 255;
    public static final int MIN_ROOT_LENGTH = 4;
    public static final int MAX_DIGEST_LENGTH = 64;

    /** OPEN role: the client is the source, the server the replica. */
    public static final int ROLE_PUSH = 1;
    /** OPEN role: the server is the source, the client the replica. */
    public static final int ROLE_PULL = 2;
    /** OPEN flag: the replica may resize its region to the source's size. */
    public static final int FLAG_ALLOW_RESIZE = 0x01;
    /** OPEN and OPEN_OK flag (v2): the lineage fields follow the v1 fields (§4.6, §4.7). */
    public static final int FLAG_LINEAGE = 0x02;
    /** OPEN_OK flag (v2): the source holds the replica's table already; no DIGESTS follow (§9.7). */
    public static final int FLAG_TABLE_KNOWN = 0x04;
    /**
     * OPEN flag (v2): the server hashes its side in full for this stream, trusting no table (§9.7); OPEN_OK flag: it
     * does so. A server that does not know the flag ignores it and echoes nothing.
     */
    public static final int FLAG_REHASH = 0x08;
    /** EPOCH_END flag (v2): a source time precedes the root (§4.10). */
    public static final int FLAG_SOURCE_TIME = 0x02;
    /** Bytes of a lineage id (§9.6). */
    public static final int LINEAGE_ID_LENGTH = 16;

    public static final int CODEC_NONE = 0;
    public static final int CODEC_ZSTD = 1;
    /** A chunk of rawLength zero bytes, sent as no data at all (§4.9): holes and zeroed memory cost a header. */
    public static final int CODEC_ZERO = 2;
    /**
     * A run: rawLength bytes of consecutive whole chunks from the frame's index on, uncompressed (§4.9). A first full
     * sync of 4 KiB chunks costs one frame per run instead of one per chunk.
     */
    public static final int CODEC_RUN = 3;
    /**
     * A patch: the pages of one chunk that differ from the replica's copy, the rest kept (§4.9, §9.9). Listing it in
     * HELLO also says the sender answers REFINE: a page-sized write into a 1 MiB chunk costs a page, not the chunk.
     */
    public static final int CODEC_PATCH = 4;
    /** The sub-block of refinement (§9.9): what REFINE answers digest and a patch carries; a chunk's last may be short. */
    public static final int PAGE_SIZE = 4096;
    /** Most chunk indices one REFINE lists (§4.14): bounds the work and the answers one frame asks for. */
    public static final int MAX_REFINE_INDICES = 1024;

    private Constants() {
    }

    /** A chunk size allowed by §9.5: a power of two in {@value #MIN_CHUNK_SIZE}..{@value #MAX_CHUNK_SIZE}. */
    public static boolean isValidChunkSize(int chunkSize) {
        return chunkSize >= MIN_CHUNK_SIZE && chunkSize <= MAX_CHUNK_SIZE && Integer.bitCount(chunkSize) == 1;
    }
}
