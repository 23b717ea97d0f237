package dev.deltasync.sync;

import dev.deltasync.mux.MuxConfig;
import dev.deltasync.mux.tls.TlsSettings;
import dev.deltasync.peer.Fingerprint;
import dev.deltasync.peer.Identity;
import dev.deltasync.peer.PeerTrust;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * How a client's or a server's connections are secured (PROTOCOL.md §12): TLS 1.3 with this side's identity,
 * accepting only the peers its trust names, or, asked for by name, plaintext with no authentication. What the
 * command line's {@code --identity}, {@code --peer-fingerprint}, {@code --ca} and {@code --insecure} say, and
 * what an embedding application passes; callers never build connection settings themselves. Immutable.
 */
public final class Security {
    private final MuxConfig mux;

    private Security(MuxConfig mux) {
        this.mux = mux;
    }

    /**
     * TLS 1.3 with {@code identity}, accepting the peers {@code trust} names (pinned, or signed by one of its CAs).
     *
     * @throws IllegalArgumentException when {@code trust} accepts nobody, or TLS cannot be set up with this identity
     */
    public static Security tls(Identity identity, PeerTrust trust) {
        if (trust.acceptsNobody()) {
            throw new IllegalArgumentException("no peer fingerprint pinned and no CA: nobody could connect"
                    + " (pin the peer's SHA256:... fingerprint, as deltasync keygen prints it)");
        }
        return new Security(MuxConfig.defaults().withTls(new TlsSettings(identity, trust)));
    }

    /** TLS 1.3 with {@code identity}, accepting only peers with one of {@code pins}. */
    public static Security tls(Identity identity, Set<Fingerprint> pins) {
        return tls(identity, PeerTrust.pinned(pins));
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

    /** Plaintext: no encryption, no authentication, for trusted networks and tests only. */
    public static Security insecure() {
        return new Security(MuxConfig.defaults());
    }

    /**
     * Connection settings beyond what this class names (windows, protocol versions, codecs offered): for tests and
     * benchmarks that play an older or a constrained peer.
     */
    public static Security tuned(MuxConfig mux) {
        return new Security(mux);
    }

    /**
     * This side's identity and CAs, pinning {@code pins} instead of its own pinned peers: how a relay secures its
     * side towards its pullers, given how its pull is secured. Plaintext stays plaintext.
     *
     * @throws IllegalArgumentException when nobody could connect (no pins and no CA)
     */
    public Security pinning(Set<Fingerprint> pins) {
        if (plaintext()) {
            return this;
        }
        PeerTrust trust = new PeerTrust(pins, mux.tls().trust().authorities());
        if (trust.acceptsNobody()) {
            throw new IllegalArgumentException("no peer fingerprint pinned and no CA: nobody could connect");
        }
        return new Security(MuxConfig.defaults().withTls(new TlsSettings(mux.tls().identity(), trust,
                mux.tls().engine())));
    }

    /** True when connections carry frames in the clear, with no peer authentication. */
    public boolean plaintext() {
        return mux.plaintext();
    }

    /** The connection settings this stands for; only the engine sees them. */
    MuxConfig mux() {
        return mux;
    }

    /** One line for a start-up banner: plaintext, or this side's identity and how many peers and CAs it trusts. */
    @Override
    public String toString() {
        if (plaintext()) {
            return "plaintext (insecure)";
        }
        PeerTrust trust = mux.tls().trust();
        return "TLS 1.3, identity " + mux.tls().identity().fingerprint() + ", " + trust.pins().size()
                + " pinned peer(s)" + (trust.authorities().isEmpty() ? "" : ", " + trust.authorities().size()
                + " CA certificate(s)");
    }
}
