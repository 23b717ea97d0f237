package dev.deltasync.cli;

import dev.deltasync.peer.HostPort;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code HOST:PORT} (IPv6 in brackets: {@code [::1]:7070}), optionally followed by {@code /NAME}; a client may leave
 * out {@code :PORT} for the default, {@value #DEFAULT_PORT}, where {@code serve} listens unless told otherwise.
 */
record RemoteAddress(String host, int port, String region) {
    static final int DEFAULT_PORT = 7070;
    private static final Pattern ADDRESS = Pattern.compile("(\\[[0-9a-fA-F:.]+]|[^:/\\[\\]]+)(?::(\\d{1,5}))?(?:/(.+))?");

    /** Parses {@code HOST[:PORT]/NAME}; the region name is required, the port defaults to {@value #DEFAULT_PORT}. */
    static RemoteAddress parseWithRegion(String text) {
        RemoteAddress address = parse(text, "HOST[:PORT]/NAME");
        if (address.region() == null) {
            throw CliException.usage("'" + text + "' names no region: expected HOST[:PORT]/NAME, e.g. 10.0.0.2:7070/vm");
        }
        return address;
    }

    /** Parses {@code HOST[:PORT]} for listening. */
    static RemoteAddress parseListen(String text) {
        RemoteAddress address = parse(text, "HOST:PORT");
        if (address.region() != null) {
            throw CliException.usage("--listen takes HOST:PORT, not a region: '" + text + "'");
        }
        return address;
    }

    private static RemoteAddress parse(String text, String form) {
        Matcher m = ADDRESS.matcher(text);
        if (!m.matches()) {
            throw CliException.usage("not an address: '" + text + "' (expected " + form + ", e.g. 127.0.0.1:7070"
                    + (form.endsWith("NAME") ? "/vm" : "") + ")");
        }
        int port = m.group(2) == null ? DEFAULT_PORT : Integer.parseInt(m.group(2));
        if (port > 65535) {
            throw CliException.usage("port out of range in '" + text + "'");
        }
        String host = m.group(1).startsWith("[") ? m.group(1).substring(1, m.group(1).length() - 1) : m.group(1);
        return new RemoteAddress(host, port, m.group(3));
    }

    String hostPort() {
        return HostPort.format(host, port);
    }
}
