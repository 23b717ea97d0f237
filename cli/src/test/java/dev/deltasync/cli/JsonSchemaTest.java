package dev.deltasync.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.deltasync.cli.ProcessHarness.Proc;
import dev.deltasync.cli.ProcessHarness.Server;
import dev.deltasync.sync.EpochReport;
import dev.deltasync.sync.Lineage;
import dev.deltasync.sync.SyncJob;
import dev.deltasync.sync.SyncListener;
import dev.deltasync.sync.SyncStats;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/JSON.md against real output: every line a pull of a served and an unknown region and a status print is
 * checked for exactly the fields the document lists for its type, each of its documented JSON type, in the
 * documented order of lines.
 */
@Timeout(180)
class JsonSchemaTest {
    private static final Duration RUN = Duration.ofSeconds(120);
    private static final Pattern FIELD = Pattern.compile("\"([a-z_]+)\":(\"(?:[^\"\\\\]|\\\\.)*\"|-?\\d+(?:\\.\\d+)?|true|false|null)(,|}$)");
    private static final Pattern ROW = Pattern.compile("^\\| `([a-z_]+)` \\| (string|integer|number|number or null|boolean) \\|.*");
    /** Fields whose values are names, paths or text, not words of ours: exempt from the lower-case rule. */
    private static final Set<String> FREE_TEXT = Set.of("time", "region", "local", "file", "message", "updated", "root",
            "source_time");

    @TempDir
    Path dir;
    private ProcessHarness harness;

    @AfterEach
    void stop() throws InterruptedException {
        if (harness != null) {
            harness.killAll();
        }
    }

    @Test
    void everyLineHasExactlyTheDocumentedFields() throws Exception {
        Map<String, Map<String, String>> schema = documentedSchema();
        assertEquals(Set.of("epoch", "region_done", "region_failed", "summary", "status"), schema.keySet());

        harness = new ProcessHarness(Files.createDirectories(dir.resolve("logs")));
        Path source = dir.resolve("source.bin");
        ProcessHarness.randomFile(source, 3L << 20, 31);
        Server server = harness.serve(RUN, "--region", "vm=" + source + ":ro");
        Path replica = dir.resolve("replica.bin");
        Instant before = Instant.now().minusSeconds(1);
        Proc pull = harness.run(RUN, "pull-json", "pull", server.address("vm"), replica.toString(),
                server.address("nope"), dir.resolve("nope.bin").toString(), "--once", "--json");
        assertEquals(3, pull.process().exitValue(), "an unknown region is a refusal" + pull.tails());
        Proc status = harness.run(RUN, "status-json", "status", replica.toString(), "--json", "--verify");
        assertEquals(0, status.process().exitValue(), status.tails());
        Instant after = Instant.now().plusSeconds(1);

        List<Map<String, String>> lines = new ArrayList<>();
        for (String line : (pull.stdout() + status.stdout()).lines().toList()) {
            Map<String, String> object = parse(line);
            assertMatchesSchema(object, schema, before, after, line);
            lines.add(object);
        }
        List<String> types = lines.stream().map(o -> unquote(o.get("type"))).toList();
        assertEquals(List.of("epoch", "region_done", "region_failed", "summary", "status"), types, pull.tails());
        Map<String, String> failed = lines.get(2);
        assertEquals("\"unknown_region\"", failed.get("code"));
        assertEquals("3", failed.get("exit_code"));
        assertEquals("\"nope\"", failed.get("region"));
        Map<String, String> summary = lines.get(3);
        assertEquals("2", summary.get("regions"));
        assertEquals("1", summary.get("verified"));
        assertEquals("1", summary.get("failed"));
        assertEquals("3", summary.get("exit_code"));
        assertEquals("\"matches\"", lines.get(4).get("check"));
        assertEquals("\"verified\"", lines.get(4).get("phase"));
    }

    @Test
    void anUnknownLagIsNullAndASourceClockAheadReadsAsNoLagAndIsSaid() throws Exception {
        Map<String, Map<String, String>> schema = documentedSchema();
        SyncJob job = new SyncJob(SyncJob.Direction.PULL, dir.resolve("replica.bin"), "vm");
        Instant before = Instant.now().minusSeconds(1);
        Map<String, String> unknown = epochLine(job, Optional.empty());
        Map<String, String> ahead = epochLine(job, Optional.of(Instant.now().plusSeconds(30)));
        Map<String, String> behind = epochLine(job, Optional.of(Instant.now().minusSeconds(30)));
        Instant after = Instant.now().plusSeconds(1);
        for (Map<String, String> line : List.of(unknown, ahead, behind)) {
            assertMatchesSchema(line, schema, before, after, line.toString());
        }
        assertEquals("null", unknown.get("lag_seconds"));
        assertEquals("null", unknown.get("source_clock_ahead_seconds"));
        assertEquals("0.000", ahead.get("lag_seconds"), "never a negative lag");
        double skew = Double.parseDouble(ahead.get("source_clock_ahead_seconds"));
        assertTrue(skew > 10 && skew <= 30, "the source's clock is up to 30 s ahead: " + skew);
        assertTrue(Double.parseDouble(behind.get("lag_seconds")) >= 30, behind.toString());
        assertEquals("0.000", behind.get("source_clock_ahead_seconds"));
        assertTrue(StatsReport.lag(report(Optional.of(Instant.now().plusSeconds(30))), Instant.now())
                .matches("lag 0\\.000 s \\(epoch 7, source time \\S+; the source's clock is \\d+\\.\\d{3} s ahead"
                        + " of this machine's\\), lineage \\p{XDigit}{32}"), "the --stats line says it too");
    }

    /** The --json line of a verified epoch 7 whose source time is {@code sourceTime}. */
    private static Map<String, String> epochLine(SyncJob job, Optional<Instant> sourceTime) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StatsReport.epoch(new PrintStream(bytes, true, StandardCharsets.UTF_8), true, job, report(sourceTime));
        return parse(bytes.toString(StandardCharsets.UTF_8).strip());
    }

    private static EpochReport report(Optional<Instant> sourceTime) {
        return new EpochReport("vm", SyncListener.Side.REPLICA, 7, true, Optional.of(Lineage.random()), 7, sourceTime,
                new SyncStats().snapshot());
    }

    private static void assertMatchesSchema(Map<String, String> object, Map<String, Map<String, String>> schema,
                                            Instant before, Instant after, String line) {
        String type = unquote(object.get("type"));
        Map<String, String> fields = schema.get(type);
        assertTrue(fields != null, "undocumented type in: " + line);
        assertEquals(List.copyOf(fields.keySet()).subList(0, 3), List.copyOf(object.keySet()).subList(0, 3),
                "type, schema and time open every line: " + line);
        assertEquals(fields.keySet(), object.keySet(), "documented fields of " + type + " vs " + line);
        fields.forEach((name, jsonType) -> {
            String value = object.get(name);
            boolean ok = switch (jsonType) {
                case "string" -> value.startsWith("\"");
                case "integer" -> value.matches("-?\\d+");
                case "number" -> value.matches("-?\\d+(\\.\\d+)?");
                case "number or null" -> value.equals("null") || value.matches("-?\\d+(\\.\\d+)?");
                case "boolean" -> value.equals("true") || value.equals("false");
                default -> false;
            };
            assertTrue(ok, name + " should be a " + jsonType + ": " + line);
            if (jsonType.equals("string") && !FREE_TEXT.contains(name)) {
                assertEquals(value.toLowerCase(java.util.Locale.ROOT), value, name + " is lower-case: " + line);
            }
        });
        assertEquals("1", object.get("schema"), line);
        Instant time = Instant.parse(unquote(object.get("time")));
        assertTrue(!time.isBefore(before) && !time.isAfter(after), "time " + time + " is now: " + line);
        assertTrue(unquote(object.get("time")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d{1,3})?Z"), line);
    }

    /** A flat JSON object's fields, in order, with their raw values; fails on anything else. */
    private static Map<String, String> parse(String line) {
        assertTrue(line.startsWith("{") && line.endsWith("}"), "one object per line: " + line);
        Map<String, String> fields = new LinkedHashMap<>();
        Matcher m = FIELD.matcher(line);
        int at = 1;
        while (at < line.length()) {
            if (!m.find(at) || m.start() != at) {
                fail("not a flat JSON object at " + at + ": " + line);
            }
            assertTrue(fields.put(m.group(1), m.group(2)) == null, "field twice: " + line);
            at = m.end();
        }
        return fields;
    }

    private static String unquote(String value) {
        return value.substring(1, value.length() - 1);
    }

    /**
     * Per type, its fields and their JSON types from docs/JSON.md: the table under the title (every line), the one
     * under "## push and pull" (epoch and region_done) and the one under the type's own heading.
     */
    static Map<String, Map<String, String>> documentedSchema() throws IOException {
        List<String> doc = Files.readAllLines(jsonDoc());
        Map<String, String> common = tableAfter(doc, "# deltasync JSON output, schema 1");
        Map<String, String> region = tableAfter(doc, "## push and pull");
        Map<String, Map<String, String>> schema = new LinkedHashMap<>();
        for (String type : List.of("epoch", "region_done", "region_failed", "summary", "status")) {
            Map<String, String> fields = new LinkedHashMap<>(common);
            Map<String, String> own = tableAfter(doc, (type.equals("status") ? "## " : "### ") + type);
            fields.putAll(own);
            if (type.equals("epoch") || type.equals("region_done")) {
                region.forEach(fields::putIfAbsent);
            }
            schema.put(type, fields);
        }
        return schema;
    }

    private static Map<String, String> tableAfter(List<String> doc, String heading) {
        int at = doc.indexOf(heading);
        assertTrue(at >= 0, "docs/JSON.md has no heading '" + heading + "'");
        Map<String, String> fields = new LinkedHashMap<>();
        for (int i = at + 1; i < doc.size() && !doc.get(i).startsWith("#"); i++) {
            Matcher row = ROW.matcher(doc.get(i));
            if (row.matches()) {
                fields.put(row.group(1), row.group(2));
            } else if (!fields.isEmpty()) {
                break; // the table ended
            }
        }
        assertTrue(!fields.isEmpty(), "no field table under '" + heading + "'");
        return fields;
    }

    private static Path jsonDoc() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path candidate = d.resolve("docs").resolve("JSON.md");
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("docs/JSON.md not found above " + Path.of("").toAbsolutePath());
    }
}
