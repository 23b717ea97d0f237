package dev.deltasync.cli;

import dev.deltasync.peer.Identity;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/** {@code deltasync keygen [DIR]}: creates this machine's identity and prints its fingerprint. */
final class KeygenCommand extends Command {
    private static final Option FORCE = Option.builder().longOpt("force")
            .desc("replace an existing identity (peers that pinned the old fingerprint will refuse the new one)").get();
    private static final Option SHOW = Option.builder().longOpt("show")
            .desc("print the fingerprint of the existing identity instead of creating one").get();

    @Override
    String name() {
        return "keygen";
    }

    @Override
    String summary() {
        return "create this machine's TLS identity and print its fingerprint";
    }

    @Override
    String synopsis() {
        return "[DIR] [--force | --show]";
    }

    @Override
    String description() {
        return """
                Creates an EC P-256 key pair and a self-signed certificate in DIR: key.pem (mode 0600) and
                cert.pem. Prints the identity's fingerprint on stdout, SHA256: and 64 hex digits; give it to the
                peer, which pins it with --peer-fingerprint (or serve --allow). DIR defaults to
                $DELTASYNC_IDENTITY, else $XDG_CONFIG_HOME/deltasync/identity, else ~/.config/deltasync/identity,
                which serve, push and pull use when --identity is not given. An existing identity is kept
                unless --force.

                Examples:
                  deltasync keygen
                  deltasync keygen /etc/deltasync/identity
                  deltasync keygen --show
                """;
    }

    @Override
    Options ownOptions() {
        return new Options().addOption(FORCE).addOption(SHOW);
    }

    @Override
    ExitCode run(CommandLine line, Io io) {
        if (line.getArgList().size() > 1) {
            throw CliException.usage("expected at most one directory, got " + String.join(" ", line.getArgList()));
        }
        if (line.hasOption(FORCE) && line.hasOption(SHOW)) {
            throw CliException.usage("--force and --show exclude each other");
        }
        Path dir = line.getArgList().isEmpty() ? SecurityOptions.defaultIdentityDir(System.getenv())
                : Path.of(line.getArgList().getFirst());
        if (line.hasOption(SHOW)) {
            try {
                io.out().println(Identity.load(dir).fingerprint());
                return ExitCode.OK;
            } catch (NoSuchFileException e) {
                // Not the state --show expects, like keygen over an existing identity: a refusal, not an I/O error.
                throw new CliException(ExitCode.REFUSED, e.getMessage(), e);
            } catch (IOException e) {
                throw new CliException(ExitCode.FAILURE, e.getMessage(), e);
            }
        }
        Identity identity;
        try {
            identity = Identity.generate(dir, line.hasOption(FORCE));
        } catch (FileAlreadyExistsException e) {
            throw new CliException(ExitCode.REFUSED, e.getFile() + " already exists" + existing(dir)
                    + "; pass --force to replace the identity, or --show to print its fingerprint");
        } catch (IOException e) {
            throw new CliException(ExitCode.FAILURE, "cannot write the identity to " + dir + ": " + e, e);
        }
        io.err().println("deltasync keygen: wrote " + dir.resolve(Identity.KEY_FILE) + " (private, mode 0600) and "
                + dir.resolve(Identity.CERT_FILE));
        io.out().println(identity.fingerprint());
        return ExitCode.OK;
    }

    private static String existing(Path dir) {
        try {
            return " (identity " + Identity.load(dir).fingerprint() + ")";
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}
