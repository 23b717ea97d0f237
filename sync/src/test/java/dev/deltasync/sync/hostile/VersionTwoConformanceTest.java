package dev.deltasync.sync.hostile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.hashing.DigestTable;
import dev.deltasync.protocol.Constants;
import dev.deltasync.protocol.Digests;
import dev.deltasync.protocol.EpochAck;
import dev.deltasync.protocol.EpochEnd;
import dev.deltasync.protocol.ErrorCode;
import dev.deltasync.protocol.Hello;
import dev.deltasync.protocol.LineagePosition;
import dev.deltasync.protocol.Open;
import dev.deltasync.protocol.OpenOk;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * PROTOCOL.md §3.4 and §9.6 against a real server through a hand-driven peer: version 2's lineage fields and source
 * times where both sides speak 2, none where the peer speaks 1, and a stream error for either mixed up.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class VersionTwoConformanceTest extends ServerFixture {
    private static final LineagePosition EPOCH_41 =
            new LineagePosition(HexFormat.of().parseHex("00112233445566778899aabbccddeeff"), 41);

    private RawPeer v2() throws Exception {
        RawPeer peer = connect();
        Hello theirs = peer.handshake(Hello.defaults());
        assertEquals(2, theirs.maxVersion(), "the server offers version 2");
        return peer;
    }

    private Open pullOfRo(Optional<LineagePosition> lineage) {
        return new Open(1, Constants.ROLE_PULL, HASH.wireId(), CHUNK, readOnlyOriginal.length, 0, "ro", false, lineage,
                new byte[0]);
    }

    private void sendTable(RawPeer peer) throws Exception {
        DigestTable table = tableOf(readOnlyOriginal);
        byte[] digests = new byte[table.chunkCount() * table.digestLength()];
        table.readRange(0, table.chunkCount(), digests, 0);
        peer.send(new Digests(1, 0, table.digestLength(), digests));
    }

    /** §9.7 REHASH: the server says it hashes its side in full, as source and as replica, and offers no TABLE_KNOWN. */
    @Test
    void rehashIsAgreedToAsSourceAndAsReplica() throws Exception {
        RawPeer peer = v2();
        peer.send(new Open(1, Constants.ROLE_PULL, HASH.wireId(), CHUNK, readOnlyOriginal.length, 0, "ro", false,
                Optional.of(LineagePosition.NONE), new byte[0], true));
        OpenOk pull = peer.readUntil(OpenOk.class);
        assertTrue(pull.rehash(), "a source that hashes every first epoch agrees to REHASH");
        sendTable(peer);
        EpochEnd first = peer.readUntil(EpochEnd.class);
        peer.send(new EpochAck(1, first.epoch(), first.root()));

        peer.send(new Open(3, Constants.ROLE_PUSH, HASH.wireId(), CHUNK, targetOriginal.length, 0, "target", false,
                Optional.of(LineagePosition.NONE), new byte[0], true));
        OpenOk push = peer.readUntil(OpenOk.class);
        assertTrue(push.rehash(), "a replica agrees to REHASH");
        assertFalse(push.tableKnown());
        Digests digests = peer.readUntil(Digests.class);
        assertEquals(3, digests.streamId(), "a REHASH replica sends its hashed table");
    }

    @Test
    void aPullWithoutALineageGetsAFreshOneAndEpochsWithTheSourceTime() throws Exception {
        RawPeer peer = v2();
        Instant before = Instant.now().truncatedTo(ChronoUnit.MICROS);
        peer.send(pullOfRo(Optional.of(LineagePosition.NONE)));
        OpenOk ok = peer.readUntil(OpenOk.class);
        LineagePosition position = ok.lineage().orElseThrow();
        assertFalse(position.isNone());
        assertEquals(0, position.epoch());
        assertFalse(ok.tableKnown(), "no table was offered");
        sendTable(peer);
        EpochEnd first = peer.readUntil(EpochEnd.class);
        assertEquals(1, first.epoch());
        long micros = first.sourceTimeMicros().orElseThrow();
        assertTrue(micros >= ChronoUnit.MICROS.between(Instant.EPOCH, before), "source time " + micros);
        assertTrue(micros <= ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now()), "source time " + micros);
        peer.send(new EpochAck(1, 1, first.root()));
        peer.expectAlive(3, 1);
    }

    @Test
    void aPullThatNamesItsLineageContinuesItsEpochs() throws Exception {
        RawPeer peer = v2();
        peer.send(pullOfRo(Optional.of(EPOCH_41)));
        OpenOk ok = peer.readUntil(OpenOk.class);
        assertEquals(Optional.of(EPOCH_41), ok.lineage(), "the source echoes the replica's position");
        sendTable(peer);
        EpochEnd first = peer.readUntil(EpochEnd.class);
        assertEquals(42, first.epoch());
        assertArrayEquals(tableOf(readOnlyOriginal).rootDigest(), first.root());
        peer.send(new EpochAck(1, 42, first.root()));
        peer.expectAlive(4, 1);
    }

    @Test
    void aVersionTwoOpenWithoutTheLineageFieldsIsAStreamError() throws Exception {
        RawPeer peer = v2();
        peer.send(pullOfRo(Optional.empty()));
        peer.expectReset(1, ErrorCode.PROTOCOL_ERROR);
        peer.expectAlive(5, 1);
    }

    @Test
    void aVersionOnePeerGetsVersionOneFramesAndMayNotSendVersionTwoOnes() throws Exception {
        RawPeer peer = connect();
        peer.handshake();
        peer.send(pullOfRo(Optional.empty()));
        OpenOk ok = peer.readUntil(OpenOk.class);
        assertTrue(ok.lineage().isEmpty() && ok.flags() == 0, "a v1 OPEN_OK: " + ok);
        sendTable(peer);
        EpochEnd first = peer.readUntil(EpochEnd.class);
        assertEquals(1, first.epoch());
        assertTrue(first.sourceTimeMicros().isEmpty() && first.flags() == 0, "a v1 EPOCH_END: " + first);
        peer.send(new EpochAck(1, 1, first.root()));

        peer.send(new Open(3, Constants.ROLE_PULL, HASH.wireId(), CHUNK, readOnlyOriginal.length, 0, "ro", false,
                Optional.of(EPOCH_41), new byte[0]));
        peer.expectReset(3, ErrorCode.PROTOCOL_ERROR);
        peer.expectAlive(6, 3);
    }

    @Test
    void aVersionTwoSourceMustSayWhenItsEpochWasScanned() throws Exception {
        RawPeer peer = v2();
        peer.send(new Open(1, Constants.ROLE_PUSH, HASH.wireId(), CHUNK, TARGET_SIZE, 0, "target", false,
                Optional.of(LineagePosition.NONE), new byte[0]));
        OpenOk ok = peer.readUntil(OpenOk.class);
        long lastEpoch = ok.lineage().orElseThrow().epoch();
        DigestTable table = DigestTable.create(HASH, TARGET_SIZE, CHUNK);
        for (int next = 0; next < table.chunkCount(); ) {
            Digests digests = peer.readUntil(Digests.class);
            table.writeRange(next, digests.count(), digests.digests(), 0);
            next += digests.count();
        }
        peer.send(new EpochEnd(1, lastEpoch + 1, 0, table.rootDigest())); // no source time
        peer.expectReset(1, ErrorCode.PROTOCOL_ERROR);
        peer.expectAlive(7, 1);
        assertUntouchedAndHealthy();
    }
}
