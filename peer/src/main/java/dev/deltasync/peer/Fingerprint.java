package dev.deltasync.peer;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Locale;

/**
 * A peer's identity: the SHA-256 of its DER-encoded certificate, written {@code SHA256:} and 64 lowercase hex
 * digits. This one format is what {@code deltasync keygen} prints, what {@code --peer-fingerprint} and
 * {@code --allow} take, and what logs and errors show.
 */
public final class Fingerprint {
    public static final String PREFIX = "SHA256:";
    private static final HexFormat HEX = HexFormat.of();

    private final byte[] sha256;

    private Fingerprint(byte[] sha256) {
        this.sha256 = sha256;
    }

    public static Fingerprint of(X509Certificate certificate) {
        try {
            return new Fingerprint(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
        } catch (CertificateEncodingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot fingerprint certificate " + certificate.getSubjectX500Principal(), e);
        }
    }

    /**
     * Parses {@code SHA256:} followed by 64 hex digits (either case).
     *
     * @throws IllegalArgumentException naming the expected form
     */
    public static Fingerprint parse(String text) {
        String hex = text.regionMatches(true, 0, PREFIX, 0, PREFIX.length()) ? text.substring(PREFIX.length()) : null;
        if (hex == null || hex.length() != 64 || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            throw new IllegalArgumentException("not a fingerprint: '" + text + "' (expected SHA256: and 64 hex digits,"
                    + " as printed by deltasync keygen)");
        }
        return new Fingerprint(HEX.parseHex(hex.toLowerCase(Locale.ROOT)));
    }

    /** Compares in time independent of where the digests differ. */
    public boolean matches(Fingerprint other) {
        return MessageDigest.isEqual(sha256, other.sha256);
    }

    /** True when {@code candidate} is in {@code set}; looks at every member, whatever matches. */
    public static boolean isAmong(Fingerprint candidate, Collection<Fingerprint> set) {
        boolean found = false;
        for (Fingerprint member : set) {
            found |= member.matches(candidate);
        }
        return found;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Fingerprint f && matches(f);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(sha256);
    }

    @Override
    public String toString() {
        return PREFIX + HEX.formatHex(sha256);
    }
}
