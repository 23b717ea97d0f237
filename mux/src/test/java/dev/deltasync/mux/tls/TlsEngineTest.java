package dev.deltasync.mux.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import org.junit.jupiter.api.Test;

class TlsEngineTest {
    @Test
    void autoPicksBoringSslWhereItLoadsAndTheJdkOtherwise() {
        TlsEngine auto = TlsEngine.choose("auto");
        if (OpenSsl.isAvailable()) {
            assertEquals(SslProvider.OPENSSL, auto.provider());
            assertTrue(auto.description().startsWith("openssl (BoringSSL"), auto.description());
        } else {
            assertEquals(SslProvider.JDK, auto.provider());
            assertTrue(auto.description().startsWith("jdk (the native library did not load: "), auto.description());
        }
    }

    @Test
    void thePropertyForcesTheJdkProviderAndNamesAnUnknownValue() {
        assertEquals(new TlsEngine(SslProvider.JDK, "jdk (deltasync.tls=jdk)"), TlsEngine.choose("jdk"));
        assertEquals(new TlsEngine(SslProvider.JDK, "jdk (deltasync.tls=boring is neither auto nor jdk)"),
                TlsEngine.choose("boring"));
    }

    /** The engine this JVM runs is the one the property asks for (the build runs the TLS tests under both). */
    @Test
    void theChosenEngineFollowsThePropertyOfThisJvm() {
        assertEquals(TlsEngine.choose(System.getProperty(TlsEngine.PROPERTY, "auto")), TlsEngine.chosen());
    }
}
