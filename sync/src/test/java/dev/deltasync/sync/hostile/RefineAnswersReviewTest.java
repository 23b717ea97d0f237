package dev.deltasync.sync.hostile;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.hashing.DigestTable;
import dev.deltasync.hashing.SeededXxh3_128;
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
        Refine refine = peer.readUntil(Refine.class);
        PageDigests answer = new PageDigests(1, 1, 0, SeededXxh3_128.DIGEST_LENGTH,
                Pages.digests(MemorySegment.ofArray(held), new SeededXxh3_128(refine.seed())));
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
        peer.send(new PageDigests(1, 1, 0, SeededXxh3_128.DIGEST_LENGTH,
                Pages.digests(MemorySegment.ofArray(held), new SeededXxh3_128(0))));
        Reset reset = peer.expectReset(1, ErrorCode.PROTOCOL_ERROR);
        assertTrue(reset.reason().contains("PageDigests") || reset.reason().contains("PAGE_DIGESTS"), reset.reason());
        peer.expectAlive(80, 0);
        assertUntouchedAndHealthy();
    }

    private RawPeer pull(byte[] held) throws Exception {
        return pullReadOnly(Hello.defaults().codecIds(), held, BIG);
    }
}
