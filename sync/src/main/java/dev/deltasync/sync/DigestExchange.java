package dev.deltasync.sync;

import dev.deltasync.hashing.DigestTable;
import dev.deltasync.protocol.Constants;
import dev.deltasync.protocol.Digests;
import dev.deltasync.protocol.ErrorCode;

/**
 * The replica's digest table on the wire (PROTOCOL.md, sync algorithm): DIGESTS frames in index order,
 * each as large as the peer accepts (capped at 256 KiB so other streams get their turns).
 */
final class DigestExchange {
    private static final int MAX_DIGESTS_PAYLOAD = 256 * 1024;

    private DigestExchange() {}

    static void send(StreamChannel channel, DigestTable table) throws SyncException, InterruptedException {
        int digestLength = table.digestLength();
        int perFrame = (Math.min(channel.peerMaxFramePayload(), MAX_DIGESTS_PAYLOAD) - Constants.DIGESTS_HEADER_LENGTH)
                / digestLength;
        for (int first = 0; first < table.chunkCount(); first += perFrame) {
            int count = Math.min(perFrame, table.chunkCount() - first);
            byte[] digests = new byte[count * digestLength];
            table.readRange(first, count, digests, 0);
            channel.send(new Digests(channel.id(), first, digestLength, digests));
        }
    }

    /** Receives a whole table into {@code into}, checking every frame against the agreed geometry. */
    static void receive(StreamChannel channel, DigestTable into) throws SyncException, InterruptedException {
        int next = 0;
        while (next < into.chunkCount()) {
            Digests frame = channel.expect(Digests.class, "while receiving the digest table");
            if (frame.digestLength() != into.digestLength()) {
                throw channel.violation(ErrorCode.PROTOCOL_ERROR, "DIGESTS with %d-byte digests, %s has %d",
                        frame.digestLength(), into.algorithm().cliName(), into.digestLength());
            }
            if (frame.firstIndex() != next || frame.count() > into.chunkCount() - next) {
                throw channel.violation(ErrorCode.PROTOCOL_ERROR,
                        "DIGESTS for chunks %d..%d, expected from %d up to %d", frame.firstIndex(),
                        (long) frame.firstIndex() + frame.count() - 1, next, into.chunkCount() - 1);
            }
            into.writeRange(next, frame.count(), frame.digests(), 0);
            next += frame.count();
        }
    }
}
