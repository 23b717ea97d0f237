package dev.deltasync.cli;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Optional;

/**
 * One line of the JSON that push, pull and status print (docs/JSON.md): a flat object that opens with its
 * {@code "type"}, {@code "schema"} and an ISO-8601 UTC {@code "time"}, then the fields in the order added.
 */
final class JsonLine {
    /** Bumped when a field changes meaning or goes away; new fields do not bump it. */
    static final int SCHEMA = 1;

    private final StringBuilder text = new StringBuilder("{");

    JsonLine(String type) {
        add("type", type).add("schema", SCHEMA).add("time", Instant.now().truncatedTo(ChronoUnit.MILLIS).toString());
    }

    JsonLine add(String key, String value) {
        key(key).append('"').append(Json.escape(value)).append('"');
        return this;
    }

    JsonLine add(String key, long value) {
        key(key).append(value);
        return this;
    }

    JsonLine add(String key, boolean value) {
        key(key).append(value);
        return this;
    }

    /** A number with three decimals, e.g. seconds or a ratio. */
    JsonLine add(String key, double value) {
        key(key).append(String.format(Locale.ROOT, "%.3f", value));
        return this;
    }

    /** Seconds with three decimals, or {@code null} when unknown. */
    JsonLine addSeconds(String key, Optional<Duration> value) {
        if (value.isEmpty()) {
            key(key).append("null");
            return this;
        }
        return add(key, value.get().toNanos() / 1e9);
    }

    private StringBuilder key(String key) {
        if (text.length() > 1) {
            text.append(',');
        }
        return text.append('"').append(key).append("\":");
    }

    @Override
    public String toString() {
        return text + "}";
    }
}
