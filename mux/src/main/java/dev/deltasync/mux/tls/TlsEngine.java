package dev.deltasync.mux.tls;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;

/**
 * Which TLS implementation runs, chosen once per JVM: BoringSSL through Netty's tcnative ({@link SslProvider#OPENSSL})
 * where its native library loads and speaks TLS 1.3, else the JDK's ({@link SslProvider#JDK}), which gives the same
 * handshake and pinning rules at about half the throughput. The system property {@value #PROPERTY} set to
 * {@code jdk} forces the JDK provider (tests, or to rule the native one out); unset or {@code auto} tries the
 * native one first. The choice is logged once, at DEBUG, and {@code deltasync version} prints it.
 */
public record TlsEngine(SslProvider provider, String description) {
    static final String PROPERTY = "deltasync.tls";

    private static final TlsEngine CHOSEN = chooseAndLog();

    /** The engine every {@link TlsSettings} of this JVM uses. */
    public static TlsEngine chosen() {
        return CHOSEN;
    }

    /** The engine {@code mode} (a {@value #PROPERTY} value) asks for; the native library is only tried under auto. */
    public static TlsEngine choose(String mode) {
        return switch (mode) {
            case "auto" -> {
                if (!OpenSsl.isAvailable()) {
                    Throwable cause = OpenSsl.unavailabilityCause();
                    yield jdk("the native library did not load: " + (cause == null ? "unknown cause" : cause.getMessage()));
                }
                if (!SslProvider.isTlsv13Supported(SslProvider.OPENSSL)) {
                    yield jdk(OpenSsl.versionString() + " has no TLS 1.3");
                }
                yield new TlsEngine(SslProvider.OPENSSL, "openssl (" + OpenSsl.versionString() + ", netty-tcnative)");
            }
            case "jdk" -> jdk(PROPERTY + "=jdk");
            default -> jdk(PROPERTY + "=" + mode + " is neither auto nor jdk");
        };
    }

    static TlsEngine jdk(String why) {
        return new TlsEngine(SslProvider.JDK, "jdk (" + why + ")");
    }

    private static TlsEngine chooseAndLog() {
        TlsEngine engine = choose(System.getProperty(PROPERTY, "auto"));
        System.getLogger(TlsEngine.class.getName()).log(System.Logger.Level.DEBUG, "tls: " + engine.description);
        return engine;
    }
}
