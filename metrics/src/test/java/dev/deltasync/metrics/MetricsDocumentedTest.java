package dev.deltasync.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** README's Metrics table lists every series, and nothing that is not one. */
class MetricsDocumentedTest {
    @Test
    void everySeriesIsInTheReadmesTableWithItsType() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        Matcher row = Pattern.compile("\\n\\| `(deltasync_\\w+)` \\| (counter|gauge) \\|").matcher(readme);
        List<String> documented = row.results().map(r -> r.group(1) + " " + r.group(2)).toList();
        List<String> registered = new SyncMetrics().registry().scrape().stream().map(MetricsDocumentedTest::describe)
                .toList();
        assertTrue(registered.size() >= 17, registered.toString());
        assertEquals(registered.stream().sorted().toList(), documented.stream().sorted().toList());
    }

    private static String describe(MetricSnapshot snapshot) {
        boolean counter = snapshot instanceof CounterSnapshot;
        return snapshot.getMetadata().getPrometheusName() + (counter ? "_total counter" : " gauge");
    }
}
