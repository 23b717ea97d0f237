package dev.deltasync.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses and prints byte sizes the way people type them: {@code 4096}, {@code 64KiB}, {@code 1g}, {@code 256MB}. */
public final class Sizes {
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([kmgt]?)(i?b?)", Pattern.CASE_INSENSITIVE);

    private Sizes() {}

    /**
     * Parses a size; {@code K/M/G/T} with or without {@code iB} are powers of 1024, {@code KB/MB/GB/TB}
     * are powers of 1000 (as disk vendors use them).
     */
    public static long parse(String text) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw CliException.usage("not a size: '" + text + "' (examples: 4096, 64KiB, 256MiB, 1GiB)");
        }
        String prefix = m.group(2).toLowerCase(Locale.ROOT);
        int power = prefix.isEmpty() ? 0 : "kmgt".indexOf(prefix) + 1;
        boolean decimal = m.group(3).equalsIgnoreCase("b") && power > 0;
        long unit = 1;
        for (int i = 0; i < power; i++) {
            unit = Math.multiplyExact(unit, decimal ? 1000 : 1024);
        }
        try {
            return Math.multiplyExact(Long.parseLong(m.group(1)), unit);
        } catch (ArithmeticException | NumberFormatException e) {
            throw CliException.usage("size too large: '" + text + "'");
        }
    }

    /**
     * For a size typed with a decimal unit ({@code 64KB}) where only a binary one can be meant: the hint
     * {@code " (KB counts in 1000s, KiB in 1024s; did you mean 64KiB?)"}, else "".
     */
    static String binaryHint(String text) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches() || m.group(2).isEmpty() || !m.group(3).equalsIgnoreCase("b")) {
            return "";
        }
        String prefix = m.group(2).toUpperCase(Locale.ROOT);
        return " (" + prefix + "B counts in 1000s, " + prefix + "iB in 1024s; did you mean " + m.group(1) + prefix
                + "iB?)";
    }

    /** Formats with a binary unit and one decimal, e.g. {@code 1.5 GiB}. */
    public static String format(double bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        int unit = 0;
        while (Math.abs(bytes) >= 1024 && unit < units.length - 1) {
            bytes /= 1024;
            unit++;
        }
        return unit == 0 ? String.format(Locale.ROOT, "%.0f B", bytes)
                : String.format(Locale.ROOT, "%.1f %s", bytes, units[unit]);
    }
}
