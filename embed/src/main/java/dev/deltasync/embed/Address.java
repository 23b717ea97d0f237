package dev.deltasync.embed;

import dev.deltasync.peer.HostPort;

/** A {@code host:port} as the builders take it ({@code [v6]:port} for IPv6 literals). */
record Address(String host, int port) {
    static Address parse(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("address '" + text + "' must be HOST:PORT");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("address '" + text + "': the port must be 0-65535");
        }
        return new Address(host, port);
    }

    @Override
    public String toString() {
        return HostPort.format(host, port);
    }
}
