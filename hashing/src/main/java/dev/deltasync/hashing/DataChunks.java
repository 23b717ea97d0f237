package dev.deltasync.hashing;

import java.util.BitSet;

/**
 * The chunks of a table that may hold data, found before a scan from {@link KnownZeros}: every other chunk gets
 * the zero digest at once, and workers are handed only batches of data chunks, so a hole of any size costs a
 * scan two look-ups and a bulk fill of the table. One bit per chunk when something is known; nothing when not.
 */
final class DataChunks {
    private final DigestTable table;
    /** The chunks that touch data; null: every chunk. */
    private final BitSet data;
    private final int count;
    private final long bytes;

    private DataChunks(DigestTable table, BitSet data, int count, long bytes) {
        this.table = table;
        this.data = data;
        this.count = count;
        this.bytes = bytes;
    }

    /** Looks the runs of data up and gives every other chunk of {@code table} the zero digest. */
    static DataChunks find(DigestTable table, KnownZeros zeros) {
        long size = table.regionSize();
        if (zeros == KnownZeros.NONE || table.chunkCount() == 0) {
            return new DataChunks(table, null, table.chunkCount(), size);
        }
        BitSet data = new BitSet(table.chunkCount());
        long chunkSize = table.chunkSize();
        long offset = 0;
        while (offset < size) {
            // a misbehaving answer errs towards data: never before the offset asked, an end not after its start
            // is data to the region's end (either could otherwise loop for ever)
            long start = Math.max(offset, zeros.nextData(offset));
            if (start >= size) {
                break;
            }
            long dataEnd = zeros.dataEnd(start);
            long end = dataEnd > start ? Math.min(size, dataEnd) : size;
            data.set((int) (start / chunkSize), (int) ((end - 1) / chunkSize) + 1);
            // the next look-up starts past the last chunk this run touched: its data is known already
            offset = Math.min(size, ((end - 1) / chunkSize + 1) * chunkSize);
        }
        int chunks = table.chunkCount();
        for (int i = data.nextClearBit(0); i < chunks; i = data.nextClearBit(i)) {
            int end = data.nextSetBit(i);
            end = end < 0 ? chunks : end;
            table.setZeros(i, end);
            i = end;
        }
        int count = data.cardinality();
        long bytes = count * chunkSize;
        if (data.get(chunks - 1)) {
            bytes -= chunkSize - table.chunkLength(chunks - 1);
        }
        return new DataChunks(table, data, count, bytes);
    }

    /** How many chunks are to be read. */
    int count() {
        return count;
    }

    /** How many bytes are to be read. */
    long bytes() {
        return bytes;
    }

    /** Receives a run of consecutive chunks, {@code first} to {@code end} (exclusive). */
    @FunctionalInterface
    interface RunConsumer {
        void accept(int first, int end);
    }

    Batches batches(int chunksPerBatch) {
        return new Batches(chunksPerBatch);
    }

    /** Consecutive runs of up to {@code chunksPerBatch} chunk indices, from the first data chunk not yet handed out. */
    final class Batches {
        private final int chunksPerBatch;
        private int next;

        private Batches(int chunksPerBatch) {
            this.chunksPerBatch = chunksPerBatch;
        }

        /**
         * Calls {@code run} for each run of consecutive data chunks in the next batch, as (first, end) with the end
         * exclusive; returns the region bytes it covered, 0 at the end.
         */
        long next(RunConsumer run) {
            int first;
            int end;
            synchronized (this) {
                first = data == null ? next : data.nextSetBit(next);
                if (first < 0 || first >= table.chunkCount()) {
                    next = table.chunkCount();
                    return 0;
                }
                end = (int) Math.min(table.chunkCount(), (long) first + chunksPerBatch);
                next = end;
            }
            long bytes = 0;
            for (int i = first; i < end; ) {
                int runEnd = data == null ? end : Math.min(end, nextClear(i));
                run.accept(i, runEnd);
                bytes += table.chunkOffset(runEnd - 1) + table.chunkLength(runEnd - 1) - table.chunkOffset(i);
                i = data == null ? end : data.nextSetBit(runEnd);
                if (i < 0) {
                    break;
                }
            }
            return bytes;
        }

        private int nextClear(int from) {
            int clear = data.nextClearBit(from);
            return clear < 0 ? table.chunkCount() : clear;
        }

        /** No batch is handed out after this: the workers finish their current one and stop. */
        synchronized void stop() {
            next = table.chunkCount();
        }
    }
}
