package dev.deltasync.cli;

import dev.deltasync.peer.Fingerprint;
import dev.deltasync.peer.Identity;
import dev.deltasync.peer.PeerTrust;
import dev.deltasync.sync.Security;
import java.io.IOException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * The security options serve, push and pull share, and what they mean: TLS 1.3 with this side's identity and the
 * peers it pins (or a CA), unless {@code --insecure} asks for plaintext.
 */
final class SecurityOptions {
    static final String INSECURE_WARNING =
            "deltasync: WARNING: --insecure: traffic is not encrypted and peers are not authenticated";

    static final Option IDENTITY = Option.builder().longOpt("identity").hasArg().argName("DIR")
            .desc("this side's key.pem and cert.pem (default $DELTASYNC_IDENTITY, else"
                    + " ~/.config/deltasync/identity; create with deltasync keygen)").get();
    static final Option INSECURE = Option.builder().longOpt("insecure")
            .desc("plaintext: no encryption, no authentication (trusted networks and tests only)").get();
    static final Option CA = Option.builder().longOpt("ca").hasArg().argName("FILE")
            .desc("also accept peers whose certificate chains to a CA in this PEM file (PKIX; a server's"
                    + " certificate must then name the host dialled)").get();

    private SecurityOptions() {}

    /** The long name of {@link #peerFingerprint}, which each command declares with its own help text. */
    private static final String PEER_FINGERPRINT = "peer-fingerprint";

    static Option peerFingerprint(String whose) {
        return Command.repeatable(Option.builder().longOpt(PEER_FINGERPRINT).hasArg().argName("FP")
                .desc(whose + " fingerprint, SHA256:<64 hex> as printed by deltasync keygen; repeatable").get());
    }

    static Options addTo(Options options, Option peerFingerprint) {
        return options.addOption(IDENTITY).addOption(peerFingerprint).addOption(CA).addOption(INSECURE);
    }

    /** The identity directory when none is given: $DELTASYNC_IDENTITY, $XDG_CONFIG_HOME/deltasync/identity, ~/.config/... */
    static Path defaultIdentityDir(Map<String, String> env) {
        String explicit = env.get("DELTASYNC_IDENTITY");
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        String config = env.get("XDG_CONFIG_HOME");
        Path base = config != null && !config.isBlank() ? Path.of(config)
                : Path.of(env.getOrDefault("HOME", System.getProperty("user.home")), ".config");
        return base.resolve("deltasync").resolve("identity");
    }

    static Fingerprint parseFingerprint(String text, String option) {
        try {
            return Fingerprint.parse(text.strip());
        } catch (IllegalArgumentException e) {
            throw CliException.usage(option + ": " + e.getMessage());
        }
    }

    /**
     * Plaintext (warning printed) with {@code --insecure}; else TLS with the identity and the given pins plus
     * {@code --peer-fingerprint} and {@code --ca}. {@code noTrust} explains what to do when nobody could connect.
     *
     * @param extraPins fingerprints trusted besides --peer-fingerprint (serve: those named in --allow)
     */
    static Security configure(CommandLine line, Io io, Set<Fingerprint> extraPins, String noTrust) {
        if (line.hasOption(INSECURE)) {
            for (String option : List.of(IDENTITY.getLongOpt(), CA.getLongOpt(), PEER_FINGERPRINT)) {
                if (line.hasOption(option)) {
                    throw CliException.usage("--insecure cannot be combined with --" + option
                            + ": plaintext has no identities");
                }
            }
            io.err().println(INSECURE_WARNING);
            return Security.insecure();
        }
        Identity identity = loadIdentity(line);
        Set<Fingerprint> pins = new LinkedHashSet<>(extraPins);
        String[] fingerprints = line.getOptionValues(PEER_FINGERPRINT);
        if (fingerprints != null) {
            for (String text : fingerprints) {
                pins.add(parseFingerprint(text, "--peer-fingerprint"));
            }
        }
        List<X509Certificate> authorities = new ArrayList<>();
        if (line.hasOption(CA)) {
            Path file = Path.of(line.getOptionValue(CA));
            try {
                authorities.addAll(PeerTrust.readAuthorities(file));
            } catch (IOException e) {
                throw FileOptionErrors.unreadable("--ca", file, e);
            }
        }
        PeerTrust trust = new PeerTrust(pins, authorities);
        if (trust.acceptsNobody()) {
            throw CliException.usage(noTrust);
        }
        try {
            return Security.tls(identity, trust);
        } catch (IllegalArgumentException e) {
            throw CliException.usage(e.getMessage());
        }
    }

    private static Identity loadIdentity(CommandLine line) {
        Path dir;
        if (line.hasOption(IDENTITY)) {
            dir = Path.of(line.getOptionValue(IDENTITY));
        } else {
            dir = defaultIdentityDir(System.getenv());
            if (!Identity.existsIn(dir)) {
                throw CliException.usage("no identity: create one with 'deltasync keygen' (writes " + dir
                        + ") or pass --identity DIR; or use --insecure for plaintext without authentication");
            }
        }
        try {
            return Identity.load(dir);
        } catch (IOException e) {
            throw FileOptionErrors.unreadable("--identity", dir, e, " (create one with: deltasync keygen " + dir + ")");
        }
    }

    /** One line for the start-up banner. */
    static String describe(Security security) {
        return security.plaintext() ? "plaintext (--insecure)" : security.toString();
    }
}
