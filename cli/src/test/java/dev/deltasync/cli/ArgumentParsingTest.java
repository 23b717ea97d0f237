package dev.deltasync.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltasync.sync.ExposedRegion;
import dev.deltasync.sync.RateLimit;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.Options;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ArgumentParsingTest {
    @ParameterizedTest
    @CsvSource({"4096,4096", "64KiB,65536", "64k,65536", "1g,1073741824", "1GiB,1073741824", "256MiB,268435456",
            "1MB,1000000", "3TiB,3298534883328", "0,0"})
    void parsesSizes(String text, long bytes) {
        assertEquals(bytes, Sizes.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "abc", "-1", "1.5GiB", "12XB", "99999999999999999999", "9999999TiB"})
    void failsWhenASizeIsNotASize(String text) {
        CliException e = assertThrows(CliException.class, () -> Sizes.parse(text));
        assertEquals(ExitCode.USAGE, e.exitCode());
    }

    @Test
    void formatsSizesWithBinaryUnits() {
        assertEquals("512 B", Sizes.format(512));
        assertEquals("64.0 KiB", Sizes.format(65536));
        assertEquals("1.5 GiB", Sizes.format(1.5 * (1L << 30)));
    }

    @Test
    void chunkSizesArePowersOfTwoWithinTheProtocolRange() {
        assertEquals(65536, ChunkSizes.parse("64KiB"));
        assertEquals(4096, ChunkSizes.parse("4KiB"));
        assertEquals(1 << 20, ChunkSizes.parse("1MiB"));
        for (String bad : new String[] {"2KiB", "3000", "2MiB", "96KiB"}) {
            assertThrows(CliException.class, () -> ChunkSizes.parse(bad), bad);
        }
    }

    @Test
    void parsesDurations() {
        assertEquals(Duration.ofMillis(500), Durations.parse("500ms"));
        assertEquals(Duration.ofSeconds(2), Durations.parse("2s"));
        assertEquals(Duration.ofMinutes(3), Durations.parse("3m"));
        assertEquals(Duration.ofHours(1), Durations.parse("1h"));
        assertThrows(CliException.class, () -> Durations.parse("1 day"));
        assertThrows(CliException.class, () -> Durations.parse("5"));
    }

    @Test
    void aPullWithoutIntervalLeavesThePaceToTheServerAndAPushScansEverySecond() throws Exception {
        Options options = new PullCommand().ownOptions();
        assertEquals(Duration.ZERO, SyncCommand.options(new DefaultParser().parse(options, new String[0]), false)
                .interval());
        assertEquals(Duration.ofSeconds(1), SyncCommand.options(new DefaultParser().parse(options, new String[0]), true)
                .interval());
        assertEquals(Duration.ofSeconds(5), SyncCommand.options(
                new DefaultParser().parse(options, new String[] {"--interval", "5s"}), false).interval());
    }

    @Test
    void parsesRatesWithOrWithoutPerSecond() throws Exception {
        Options options = new PushCommand().ownOptions();
        for (String text : new String[] {"10MiB", "10MiB/s", "10m/S"}) {
            assertEquals(10L << 20, Rates.parse(new DefaultParser().parse(options, new String[] {"--max-rate", text}),
                    SyncCommand.MAX_RATE).bytesPerSecond(), text);
        }
        assertEquals(100_000_000L, Rates.parse(new DefaultParser().parse(options, new String[] {"--max-rate", "100MB/s"}),
                SyncCommand.MAX_RATE).bytesPerSecond());
        assertSame(RateLimit.UNLIMITED, Rates.parse(new DefaultParser().parse(options, new String[0]), SyncCommand.MAX_RATE));
        assertSame(RateLimit.UNLIMITED, Rates.parse(new DefaultParser().parse(options, new String[] {"--max-rate", "0"}),
                SyncCommand.MAX_RATE));
        CliException bad = assertThrows(CliException.class, () -> Rates.parse(
                new DefaultParser().parse(options, new String[] {"--max-rate", "fast"}), SyncCommand.MAX_RATE));
        assertEquals(ExitCode.USAGE, bad.exitCode());
        assertTrue(bad.getMessage().contains("not a rate"), bad.getMessage());
    }

    @Test
    void parsesAddresses() {
        RemoteAddress a = RemoteAddress.parseWithRegion("10.0.0.2:7070/vm");
        assertEquals("10.0.0.2", a.host());
        assertEquals(7070, a.port());
        assertEquals("vm", a.region());
        RemoteAddress v6 = RemoteAddress.parseWithRegion("[::1]:7070/cache.bin");
        assertEquals("::1", v6.host());
        assertEquals("[::1]:7070", v6.hostPort());
        RemoteAddress listen = RemoteAddress.parseListen("0.0.0.0:7070");
        assertNull(listen.region());
        assertEquals("backup-host", RemoteAddress.parseWithRegion("backup-host:1/x").host());
    }

    @Test
    void aClientAddressWithoutAPortUsesTheServersDefault() {
        RemoteAddress a = RemoteAddress.parseWithRegion("backup-host/vm");
        assertEquals("backup-host", a.host());
        assertEquals(7070, a.port());
        assertEquals("vm", a.region());
        RemoteAddress v6 = RemoteAddress.parseWithRegion("[::1]/cache.bin");
        assertEquals("[::1]:7070", v6.hostPort());
        assertEquals("cache.bin", v6.region());
    }

    @ParameterizedTest
    @ValueSource(strings = {"host", "host:port/x", "host:70000/x", "host:7070", ":7070/x", "host:7070/"})
    void failsWhenARegionAddressIsMalformed(String text) {
        CliException e = assertThrows(CliException.class, () -> RemoteAddress.parseWithRegion(text));
        assertEquals(ExitCode.USAGE, e.exitCode());
    }

    @Test
    void regionsAreReadOnlyUnlessMarkedRw() {
        ExposedRegion plain = RegionSpec.parse("vm=/data/disk.img");
        assertTrue(plain.readOnly());
        assertEquals(Path.of("/data/disk.img"), plain.path());
        assertFalse(RegionSpec.parse("vm=/data/disk.img:rw").readOnly());
        assertTrue(RegionSpec.parse("vm=/data/disk.img:ro").readOnly());
        assertEquals(Path.of("/data/a:b"), RegionSpec.parse("x=/data/a:b").path());
    }

    @Test
    void aRegionNameGivenTwiceIsAUsageError() {
        List<ExposedRegion> twice = List.of(RegionSpec.parse("vm=/a.img"), RegionSpec.parse("vm=/b.img:rw"));
        CliException e = assertThrows(CliException.class,
                () -> RegionSpec.withPolicies(twice, List.of(), List.of(), List.of()));
        assertEquals(ExitCode.USAGE, e.exitCode());
        assertTrue(e.getMessage().contains("'vm' is given twice"), e.getMessage());
    }

    @Test
    void wholeNumberOptionsNameThemselvesAndTheirRange() {
        assertEquals(2000, Threads.wholeNumber("2000", "--rate", 1, 1_000_000));
        CliException e = assertThrows(CliException.class, () -> Threads.wholeNumber("0", "--rate", 1, 1_000_000));
        assertTrue(e.getMessage().startsWith("--rate must be a whole number from 1 to 1000000"), e.getMessage());
        assertThrows(CliException.class, () -> Threads.parse("1025"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"vm", "=/x", "vm=", "bad name=/x", "../etc=/x"})
    void failsWhenARegionSpecIsMalformed(String text) {
        assertThrows(CliException.class, () -> RegionSpec.parse(text));
    }
}
