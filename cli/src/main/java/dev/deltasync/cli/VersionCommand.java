package dev.deltasync.cli;

import dev.deltasync.sync.Networking;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

/** {@code deltasync version} (also {@code --version}, {@code -V}): what is running, for bug reports. */
final class VersionCommand extends Command {
    /** The spellings Main accepts in place of the command name. */
    static final List<String> ALIASES = List.of("--version", "-V");

    @Override
    String name() {
        return "version";
    }

    @Override
    String summary() {
        return "print the version, commit, Java runtime, network transport and TLS engine";
    }

    @Override
    String synopsis() {
        return "";
    }

    @Override
    String description() {
        return """
                Prints the version and the commit this build came from, the Java runtime that runs it and the
                network transport: epoll (Netty's native transport, Linux) or nio (everywhere else), and the TLS
                engine: openssl (BoringSSL, Netty's tcnative, Linux x86_64) or jdk (the fallback, and the reason).

                Examples:
                  deltasync version
                  deltasync --version
                """;
    }

    @Override
    Options ownOptions() {
        return new Options();
    }

    @Override
    ExitCode run(CommandLine line, Io io) {
        if (!line.getArgList().isEmpty()) {
            throw CliException.usage("takes no arguments, got " + String.join(" ", line.getArgList()));
        }
        BuildInfo build = BuildInfo.current();
        io.out().println("deltasync " + build.version());
        io.out().println("commit    " + build.commit());
        io.out().println("java      " + Runtime.version() + " (" + System.getProperty("java.vendor") + ") at "
                + System.getProperty("java.home"));
        io.out().println("transport " + Networking.transport());
        io.out().println("tls       " + Networking.tlsEngine());
        return ExitCode.OK;
    }
}
