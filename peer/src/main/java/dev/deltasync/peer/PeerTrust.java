package dev.deltasync.peer;

import java.io.IOException;
import java.nio.file.Path;
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
        return Identity.readCertificates(file);
    }
}
