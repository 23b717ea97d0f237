package dev.deltasync.protocol;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * The data of a CHUNK in codec 4, a patch (PROTOCOL.md §4.9, §9.9): which pages of the chunk it replaces, which of
 * those are zeros, and the bytes of the others. Pages are {@value Constants#PAGE_SIZE} bytes from the chunk's start
 * (its last may be short); pages it does not list keep the replica's bytes.
 * <pre>
 * +---------------------------------------------------------------+
 * |  Sent bitmap (ceil(pages / 8) bytes, page 0 = high bit)     ...
 * +---------------------------------------------------------------+
 * |  Zero bitmap (ceil(pages / 8) bytes; only pages also sent)  ...
 * +---------------------------------------------------------------+
 * |  Bytes of each page sent and not zero, in page order        ...
 * +---------------------------------------------------------------+
 * </pre>
 */
public final class ChunkPatch {

    /** Told of each page a patch carries, in page order. */
    @FunctionalInterface
    public interface PageVisitor {
        /** @param dataOffset where the page's bytes start in the patch data; -1 for a zero page */
        void page(int page, int dataOffset, int length);
    }

    private ChunkPatch() {
    }

    /** Pages of a chunk of {@code length} bytes. */
    public static int pageCount(int length) {
        return (int) ((Integer.toUnsignedLong(length) + Constants.PAGE_SIZE - 1) / Constants.PAGE_SIZE);
    }

    /** Bytes of page {@code page} of a chunk of {@code length} bytes: a full page but perhaps the last. */
    public static int pageLength(int length, int page) {
        return Math.min(Constants.PAGE_SIZE, length - page * Constants.PAGE_SIZE);
    }

    private static int bitmapLength(int rawLength) {
        return (pageCount(rawLength) + 7) / 8;
    }

    private static boolean bit(byte[] data, int from, int page) {
        return (data[from + page / 8] & (0x80 >>> (page % 8))) != 0;
    }

    /** The field rules of a patch's data for a chunk of {@code rawLength} bytes; IllegalArgumentException if broken. */
    static void check(int rawLength, byte[] data) {
        int pages = pageCount(rawLength);
        int bitmap = bitmapLength(rawLength);
        Wire.check(data.length >= 2 * bitmap, "a patch of %d pages needs %d bitmap bytes, has %d",
                pages, 2L * bitmap, data.length);
        int spare = bitmap * 8 - pages;
        if (spare > 0) {
            int mask = (1 << spare) - 1;
            Wire.check((data[bitmap - 1] & mask) == 0 && (data[2 * bitmap - 1] & mask) == 0,
                    "patch bitmaps set bits past the chunk's %d pages", pages);
        }
        long carried = 2L * bitmap;
        for (int page = 0; page < pages; page++) {
            boolean sent = bit(data, 0, page);
            boolean zero = bit(data, bitmap, page);
            Wire.check(sent || !zero, "patch marks page %d zero but does not send it", page);
            if (sent && !zero) {
                carried += pageLength(rawLength, page);
            }
        }
        Wire.check(data.length == carried, "patch data is %d bytes, its bitmaps say %d", data.length, carried);
    }

    /** Visits the pages of a patch that {@link #check} accepted (a CHUNK of codec 4 is checked when built). */
    public static void forEachPage(int rawLength, byte[] data, PageVisitor visitor) {
        int pages = pageCount(rawLength);
        int bitmap = bitmapLength(rawLength);
        int at = 2 * bitmap;
        for (int page = 0; page < pages; page++) {
            if (!bit(data, 0, page)) {
                continue;
            }
            int length = pageLength(rawLength, page);
            if (bit(data, bitmap, page)) {
                visitor.page(page, -1, length);
            } else {
                visitor.page(page, at, length);
                at += length;
            }
        }
    }

    /** Gathers the pages of one chunk's patch, in increasing page order, from a copy of the whole chunk. */
    public static final class Builder {
        private final byte[] chunk;
        private final byte[] bitmaps;
        private final ByteArrayOutputStream pages = new ByteArrayOutputStream();
        private final int bitmap;
        private int last = -1;

        /** @param chunk the chunk's bytes as the patch should leave them (its length is the CHUNK's rawLength) */
        public Builder(byte[] chunk) {
            this.chunk = chunk;
            this.bitmap = bitmapLength(chunk.length);
            this.bitmaps = new byte[2 * bitmap];
        }

        /** Adds page {@code page} of the chunk: as a zero flag when it is all zeros, else its bytes. */
        public Builder add(int page) {
            if (page <= last || page >= pageCount(chunk.length)) {
                throw new IllegalArgumentException("page " + page + " out of order or past the chunk");
            }
            last = page;
            int from = page * Constants.PAGE_SIZE;
            int length = pageLength(chunk.length, page);
            bitmaps[page / 8] |= (byte) (0x80 >>> (page % 8));
            if (isZeros(chunk, from, length)) {
                bitmaps[bitmap + page / 8] |= (byte) (0x80 >>> (page % 8));
            } else {
                pages.write(chunk, from, length);
            }
            return this;
        }

        /** The patch data's length so far. */
        public int length() {
            return bitmaps.length + pages.size();
        }

        /** The patch data: bitmaps, then the pages' bytes. */
        public byte[] build() {
            byte[] data = Arrays.copyOf(bitmaps, length());
            System.arraycopy(pages.toByteArray(), 0, data, bitmaps.length, pages.size());
            return data;
        }

        private static boolean isZeros(byte[] bytes, int from, int length) {
            return Arrays.mismatch(bytes, from, from + length, new byte[length], 0, length) < 0;
        }
    }
}
