package dev.deltasync.cli;

import java.io.PrintStream;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;

/**
 * The log lines of push, pull and serve on stderr: one line per state change, each after an ISO-8601 time with
 * seconds and zone ({@code 2026-12-01T11:50:03Z}), except under the systemd journal ({@code JOURNAL_STREAM} set),
 * which stamps every line itself. {@code -q} leaves only errors, {@code -v} adds a line per epoch.
 */
final class LogLines {
    static final Option QUIET = Option.builder("q").longOpt("quiet")
            .desc("print only errors on stderr (no connection, sync or stream lines)").get();
    static final Option VERBOSE = Option.builder("v").longOpt("verbose")
            .desc("also print one line per epoch on stderr").get();

    /** How much is said: errors always; state changes unless quiet; every epoch when verbose. */
    enum Level { QUIET, NORMAL, VERBOSE }

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ISO_OFFSET_DATE_TIME;

    private final PrintStream err;
    private final Level level;
    private final Clock clock; // null: no timestamps of our own
    private final Runnable beforeEachLine;

    LogLines(PrintStream err, Level level, Clock clock, Runnable beforeEachLine) {
        this.err = err;
        this.level = level;
        this.clock = clock;
        this.beforeEachLine = beforeEachLine;
    }

    /** The same lines, with {@code action} run before each (to take a progress line away first). */
    LogLines before(Runnable action) {
        return new LogLines(err, level, clock, action);
    }

    /** From -q/-v on {@code line} and the environment, writing to {@code io.err()}. */
    static LogLines of(CommandLine line, Io io, Map<String, String> environment) {
        if (line.hasOption(QUIET) && line.hasOption(VERBOSE)) {
            throw CliException.usage("-q (--quiet) and -v (--verbose) exclude each other");
        }
        Level level = line.hasOption(QUIET) ? Level.QUIET : line.hasOption(VERBOSE) ? Level.VERBOSE : Level.NORMAL;
        return new LogLines(io.err(), level, underJournal(environment) ? null : Clock.systemDefaultZone(), () -> { });
    }

    /** systemd sets JOURNAL_STREAM when stderr goes to the journal, which timestamps each line itself. */
    static boolean underJournal(Map<String, String> environment) {
        String stream = environment.get("JOURNAL_STREAM");
        return stream != null && !stream.isEmpty();
    }

    /** A change of state: printed unless -q. */
    void event(String text) {
        if (level != Level.QUIET) {
            print(text);
        }
    }

    /** A routine step (an epoch): printed only with -v. */
    void detail(String text) {
        if (level == Level.VERBOSE) {
            print(text);
        }
    }

    /** Something went wrong: printed whatever the level. */
    void error(String text) {
        print(text);
    }

    private synchronized void print(String text) {
        beforeEachLine.run();
        err.println(clock == null ? text
                : STAMP.format(OffsetDateTime.now(clock).truncatedTo(ChronoUnit.SECONDS)) + " " + text);
    }
}
