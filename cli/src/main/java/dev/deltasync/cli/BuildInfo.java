package dev.deltasync.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The version and commit the build wrote into {@code build.properties} (see cli/pom.xml). */
record BuildInfo(String version, String commit) {
    private static final String RESOURCE = "build.properties";

    /** This jar's build; "unknown" for what the build could not find out (no git checkout, classes run unpackaged). */
    static BuildInfo current() {
        Properties properties = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream(RESOURCE)) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new BuildInfo(filled(properties, "version"), filled(properties, "commit"));
    }

    /** The value, or "unknown" when it is missing or still the unfilled {@code ${...}} placeholder. */
    private static String filled(Properties properties, String key) {
        String value = properties.getProperty(key, "");
        return value.isBlank() || value.startsWith("${") ? "unknown" : value;
    }
}
