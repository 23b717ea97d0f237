package dev.deltasync.cli;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses durations as typed: {@code 500ms}, {@code 1.5s}, {@code 1m30s}, {@code 2h}, {@code 1d}, each option
 * within its range, so that an absurd value is refused with the range instead of overflowing.
 */
public final class Durations {
    private static final Pattern WHOLE = Pattern.compile("(?:\\d+(?:\\.\\d+)?(?:ms|s|m|h|d))+");
    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h|d)");
    private static final Map<String, BigDecimal> NANOS_PER_UNIT = Map.of(
            "ms", BigDecimal.valueOf(1_000_000L), "s", BigDecimal.valueOf(1_000_000_000L),
            "m", BigDecimal.valueOf(60_000_000_000L), "h", BigDecimal.valueOf(3_600_000_000_000L),
            "d", BigDecimal.valueOf(86_400_000_000_000L));
    /** What every duration option allows unless it says otherwise. */
    static final Duration LONGEST = Duration.ofDays(1);

    private Durations() {}

    /** {@code --interval}: from 1ms to a day. */
    static Duration interval(String text) {
        return parse(text, "--interval", Duration.ofMillis(1), LONGEST);
    }

    /** A duration from 0 to a day. */
    public static Duration parse(String text) {
        return parse(text, null, Duration.ZERO, LONGEST);
    }

    /**
     * A duration from {@code min} to {@code max}, else a usage error naming {@code option} (if not null) and the range.
     * Parts add up ({@code 1m30s}); fractions below a nanosecond are dropped.
     */
    static Duration parse(String text, String option, Duration min, Duration max) {
        String typed = text.strip();
        if (!WHOLE.matcher(typed).matches()) {
            throw CliException.usage((option == null ? "" : option + ": ") + "not a duration: '" + text
                    + "' (examples: 500ms, 1.5s, 1m30s, 2h; units ms, s, m, h, d)");
        }
        BigDecimal nanos = BigDecimal.ZERO;
        Matcher part = PART.matcher(typed);
        while (part.find()) {
            nanos = nanos.add(new BigDecimal(part.group(1)).multiply(NANOS_PER_UNIT.get(part.group(2))));
        }
        nanos = nanos.setScale(0, RoundingMode.DOWN);
        if (nanos.compareTo(BigDecimal.valueOf(min.toNanos())) < 0 || nanos.compareTo(BigDecimal.valueOf(max.toNanos())) > 0) {
            throw CliException.usage((option == null ? "a duration" : option) + " must be from " + format(min) + " to " + format(max) + ": '" + text + "'");
        }
        return Duration.ofNanos(nanos.longValueExact());
    }

    /** The shortest way to type {@code d} back, e.g. {@code 1d}, {@code 1m30s}, {@code 500ms}. */
    static String format(Duration d) {
        if (d.isZero()) {
            return "0s";
        }
        StringBuilder text = new StringBuilder();
        long[] amounts = {d.toDaysPart(), d.toHoursPart(), d.toMinutesPart(), d.toSecondsPart(), d.toMillisPart()};
        String[] units = {"d", "h", "m", "s", "ms"};
        for (int i = 0; i < units.length; i++) {
            if (amounts[i] != 0) {
                text.append(amounts[i]).append(units[i]);
            }
        }
        return text.isEmpty() ? d.toNanos() + "ns" : text.toString();
    }
}
