package dev.deltasync.sync.codec;

import java.util.Locale;

/**
 * How the source encodes chunks: not at all, or zstd at a level. Parsed from {@code none},
 * {@code zstd} or {@code zstd:LEVEL}.
 *
 * @param level zstd level (1..19, negative for zstd's fast modes); ignored when {@code enabled} is false
 */
public record Compression(boolean enabled, int level) {
    public static final Compression NONE = new Compression(false, 0);
    public static final Compression ZSTD_DEFAULT = new Compression(true, 1);

    public static Compression parse(String text) {
        String value = text.trim().toLowerCase(Locale.ROOT);
        if (value.equals("none")) {
            return NONE;
        }
        if (value.equals("zstd")) {
            return ZSTD_DEFAULT;
        }
        if (value.startsWith("zstd:")) {
            try {
                int level = Integer.parseInt(value.substring(5));
                if (level >= -7 && level <= 19 && level != 0) {
                    return new Compression(true, level);
                }
            } catch (NumberFormatException e) {
                // one message below
            }
        }
        throw new IllegalArgumentException("compression must be none, zstd or zstd:LEVEL with LEVEL in -7..19 (not 0): '"
                + text + "'");
    }

    @Override
    public String toString() {
        return enabled ? "zstd:" + level : "none";
    }
}
