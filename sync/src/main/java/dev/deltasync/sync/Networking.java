package dev.deltasync.sync;

import dev.deltasync.mux.Transport;
import dev.deltasync.mux.tls.TlsEngine;
import java.util.Locale;

/** What this JVM's connections run on, chosen once per JVM: for start-up banners and bug reports. */
public final class Networking {
    private Networking() {}

    /** {@code epoll} (Netty's native transport, Linux) or {@code nio} (everywhere else). */
    public static String transport() {
        return Transport.best().name().toLowerCase(Locale.ROOT);
    }

    /** The TLS engine and why: {@code openssl (BoringSSL, netty-tcnative)}, or {@code jdk (the reason)}. */
    public static String tlsEngine() {
        return TlsEngine.chosen().description();
    }
}
