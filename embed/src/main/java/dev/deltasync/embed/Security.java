package dev.deltasync.embed;

import dev.deltasync.mux.MuxConfig;
import dev.deltasync.peer.Fingerprint;
import dev.deltasync.peer.Identity;
import dev.deltasync.peer.PeerTrust;
import dev.deltasync.mux.tls.TlsSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * How a replicator's connection is secured, as the CLI's {@code --identity}, {@code --peer-fingerprint} and
 * {@code --insecure} say it: TLS 1.3 with this side's identity, accepting only the pinned peers, or, asked for by
 * name, plaintext with no authentication. Immutable.
 */
public final class Security {
    private final MuxConfig mux;
    private final String description;

    private Security(MuxConfig mux, String description) {
        this.mux = mux;
        this.description = description;
    }

    /**
     * TLS 1.3 with the identity in {@code identityDir} ({@code key.pem}, {@code cert.pem}, as {@code deltasync
     * keygen DIR} writes them), accepting only peers whose certificate has one of {@code peerFingerprints}
     * ({@code SHA256:<64 hex>}, as keygen prints them).
     *
     * @throws IOException              when the identity cannot be read, naming the file
     * @throws IllegalArgumentException for a malformed fingerprint, or none at all
     */
    public static Security tls(Path identityDir, Collection<String> peerFingerprints) throws IOException {
        Set<Fingerprint> pins = new LinkedHashSet<>();
        for (String text : peerFingerprints) {
            pins.add(Fingerprint.parse(text.strip()));
        }
        return tls(Identity.load(identityDir), pins);
    }

    /** TLS 1.3 with {@code identity}, accepting only peers with one of {@code pins}. */
    public static Security tls(Identity identity, Set<Fingerprint> pins) {
        if (pins.isEmpty()) {
            throw new IllegalArgumentException("no peer fingerprint pinned: nobody could connect"
                    + " (pin the peer's SHA256:... fingerprint, as deltasync keygen prints it)");
        }
        MuxConfig mux = MuxConfig.defaults().withTls(new TlsSettings(identity, new PeerTrust(pins, List.of())));
        return new Security(mux, "TLS 1.3, identity " + identity.fingerprint() + ", " + pins.size()
                + " pinned peer(s)");
    }

    /** Plaintext: no encryption, no authentication, for trusted networks and tests only. */
    public static Security insecure() {
        return new Security(MuxConfig.defaults(), "plaintext (insecure)");
    }

    /** The connection settings this stands for. */
    MuxConfig mux() {
        return mux;
    }

    @Override
    public String toString() {
        return description;
    }
}
