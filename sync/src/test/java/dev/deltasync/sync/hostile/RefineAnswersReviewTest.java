package dev.deltasync.sync.hostile;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.hashing.DigestTable;
import dev.deltasync.protocol.Constants;
import dev.deltasync.protocol.Digests;
import dev.deltasync.protocol.ErrorCode;
import dev.deltasync.protocol.Hello;
import dev.deltasync.protocol.Open;
import dev.deltasync.protocol.OpenOk;
import dev.deltasync.protocol.PageDigests;
import dev.deltasync.protocol.Refine;
import dev.deltasync.protocol.Reset;
import dev.deltasync.sync.refine.Pages;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Review check (lineage): a replica's PAGE_DIGESTS answered twice, or sent between epochs, ends the stream. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RefineAnswersReviewTest extends ServerFixture {
    private static final int BIG = 4 * CHUNK;
    private static final int PAGE = Constants.PAGE_SIZE;

    @Test
    void anAnswerSentTwiceEndsTheStream() throws Exception {
        byte[] held = readOnlyOriginal.clone();
        held[PAGE + 7] ^= 1;
        RawPeer peer = pull(held);
        peer.readUntil(Refine.class);
        PageDigests answer = new PageDigests(1, 1, 0, HASH.digestLength(),
                Pages.digests(MemorySegment.ofArray(held), HASH.newHasher()));
        peer.send(answer, answer);
        Reset reset = peer.expectReset(1, ErrorCode.PROTOCOL_ERROR);
        assertTrue(reset.reason().contains("PageDigests") || reset.reason().contains("PAGE_DIGESTS"), reset.reason());
        peer.expectAlive(79, 0);
        assertUntouchedAndHealthy();
    }

    @Test
    void anUnsolicitedAnswerBeforeAnyRefineEndsTheStream() throws Exception {
        byte[] held = readOnlyOriginal.clone(); // nothing differs: no REFINE will come
        RawPeer peer = pull(held);
        peer.send(new PageDigests(1, 1, 0, HASH.digestLength(),
                Pages.digests(MemorySegment.ofArray(held), HASH.newHasher())));
        Reset reset = peer.expectReset(1, ErrorCode.PROTOCOL_ERROR);
        assertTrue(reset.reason().contains("PageDigests") || reset.reason().contains("PAGE_DIGESTS"), reset.reason());
        peer.expectAlive(80, 0);
        assertUntouchedAndHealthy();
    }

    private RawPeer pull(byte[] held) throws Exception {
        RawPeer peer = connect();
        Hello d = Hello.defaults();
        peer.handshake(new Hello(1, 1, d.maxFramePayload(), 0, d.streamWindow(), d.connectionWindow(), d.hashIds(),
                d.codecIds()));
        peer.send(new Open(1, Constants.ROLE_PULL, HASH.wireId(), BIG, held.length, "ro", false));
        peer.readUntil(OpenOk.class);
        DigestTable table = tableOf(held, BIG);
        byte[] digests = new byte[table.chunkCount() * table.digestLength()];
        table.readRange(0, table.chunkCount(), digests, 0);
        peer.send(new Digests(1, 0, table.digestLength(), digests));
        return peer;
    }
}
