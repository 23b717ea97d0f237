package dev.deltasync.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.cli.MainTest.Run;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.commons.cli.DefaultParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Sizes, durations and rates as people type them, and absurd ones refused with the range: through the real
 * entry point, each with its message and exit code. Every refusal here happens before anything connects.
 */
class TypedValuesTest {
    @TempDir
    Path dir;

    private Run pull(String... options) {
        String[] args = new String[3 + options.length];
        args[0] = "pull";
        args[1] = "127.0.0.1:1/vm";
        args[2] = dir.resolve("replica.img").toString();
        System.arraycopy(options, 0, args, 3, options.length);
        return MainTest.run(args);
    }

    private static void assertUsageError(Run r, String message) {
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains(message), r.err());
    }

    @Test
    void aMissingCaFileOrIdentityIsNamedWithItsCause() throws Exception {
        Path identity = dir.resolve("id");
        dev.deltasync.peer.Identity.generate(identity, false);
        Path missing = dir.resolve("nonexist.pem");
        assertUsageError(pull("--identity", identity.toString(), "--ca", missing.toString()),
                "--ca " + missing + ": does not exist");
        Path noIdentity = dir.resolve("no-identity");
        assertUsageError(pull("--identity", noIdentity.toString()), "--identity " + noIdentity + ": ");
    }

    @Test
    void aDecimalChunkSizeIsRefusedWithTheBinaryOneItProbablyMeant() {
        assertUsageError(pull("--chunk-size", "64KB"), "'64KB' (KB counts in 1000s, KiB in 1024s; did you mean 64KiB?)");
        assertUsageError(pull("--chunk-size", "1MB"), "did you mean 1MiB?");
    }

    @ParameterizedTest
    @CsvSource({"1m30s,90000", "1.5s,1500", "500ms,500", "2h,7200000", "1d,86400000", "1h0.5m,3630000", "1ms,1"})
    void durationsAcceptCompoundsAndFractions(String text, long millis) throws Exception {
        var line = new DefaultParser().parse(new PullCommand().ownOptions(), new String[] {"--interval", text});
        assertEquals(Duration.ofMillis(millis), SyncCommand.options(line, false).interval());
    }

    @ParameterizedTest
    @CsvSource({"99999999999999999999s", "9223372036854775807h", "25h", "2d", "1d1ms", "0s", "0.5ms"})
    void anIntervalOutsideOneMillisecondToADayIsRefusedWithTheRange(String text) {
        assertUsageError(pull("--interval", text), "--interval must be from 1ms to 1d: '" + text + "'");
    }

    @Test
    void aDurationThatIsNoDurationSaysHowToWriteOne() {
        assertUsageError(pull("--interval", "1 day"),
                "--interval: not a duration: '1 day' (examples: 500ms, 1.5s, 1m30s, 2h; units ms, s, m, h, d)");
        assertUsageError(pull("--interval", "5"), "--interval: not a duration: '5'");
    }

    @ParameterizedTest
    @CsvSource({"10,10 B/s", "1023B/s,1023 B/s", "2TiB/s,2.0 TiB/s"})
    void aRateBelowAKibPerSecondOrAboveATibIsRefusedWithTheRange(String text, String shown) {
        assertUsageError(pull("--max-rate", text),
                "--max-rate must be 0 (no cap) or from 1KiB/s to 1TiB/s: '" + text + "' is " + shown);
    }

    @Test
    void theSlowestAndFastestRatesAreAccepted() throws Exception {
        for (String text : new String[] {"1KiB/s", "1TiB"}) {
            var line = new DefaultParser().parse(new PullCommand().ownOptions(), new String[] {"--max-rate", text});
            assertTrue(Rates.parse(line, SyncCommand.MAX_RATE).bytesPerSecond() > 0, text);
        }
    }

    @Test
    void keygenShowWithoutAnIdentityIsRefusedLikeKeygenOverOne() {
        Path identity = dir.resolve("identity");
        Run show = MainTest.run("keygen", identity.toString(), "--show");
        assertEquals(3, show.code(), show.err());
        assertEquals(1, show.err().lines().count(), show.err());
        assertTrue(show.err().contains("does not exist (create an identity with: deltasync keygen " + identity + ")"),
                show.err());

        assertEquals(0, MainTest.run("keygen", identity.toString()).code());
        Run again = MainTest.run("keygen", identity.toString());
        assertEquals(3, again.code(), again.err());
    }

    @Test
    void debugMayComeBeforeTheCommand() {
        Run r = MainTest.run("--debug", "pull", "127.0.0.1:1/vm", dir.resolve("r.img").toString(), "--interval", "soon");
        assertUsageError(r, "deltasync pull: --interval: not a duration: 'soon'");
        Run help = MainTest.run("--debug", "pull", "--help");
        assertEquals(0, help.code(), help.err());
        assertTrue(help.out().startsWith("Usage: deltasync pull"), help.out());
        assertEquals(2, MainTest.run("--debug").code());
    }
}
