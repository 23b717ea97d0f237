package dev.deltasync.mux.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;

/**
 * Which peers this side accepts: certificates whose fingerprint is pinned, and (when any are given) certificates
 * that chain to one of the {@code authorities} under standard PKIX validation. A peer is accepted when either
 * holds. With neither, nobody is.
 */
public record PeerTrust(Set<Fingerprint> pins, List<X509Certificate> authorities) {
    public PeerTrust {
        pins = Set.copyOf(pins);
        authorities = List.copyOf(authorities);
    }

    public static PeerTrust pinned(Set<Fingerprint> pins) {
        return new PeerTrust(pins, List.of());
    }

    public boolean acceptsNobody() {
        return pins.isEmpty() && authorities.isEmpty();
    }

    /** Reads the CA certificates of a PEM file ({@code --ca FILE}). */
    public static List<X509Certificate> readAuthorities(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            List<X509Certificate> certificates = CertificateFactory.getInstance("X.509").generateCertificates(in)
                    .stream().map(c -> (X509Certificate) c).toList();
            if (certificates.isEmpty()) {
                throw new IOException(file + " holds no certificate");
            }
            return certificates;
        } catch (CertificateException e) {
            throw new IOException(file + " is not a PEM certificate file: " + e.getMessage(), e);
        }
    }
}
