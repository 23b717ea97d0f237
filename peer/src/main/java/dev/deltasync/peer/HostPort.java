package dev.deltasync.peer;

/**
 * How every address is written, in logs, errors, metrics labels and URLs: {@code host:port}, an IPv6 host in
 * brackets ({@code [::1]:7070}) so that its colons do not run into the port's.
 */
public final class HostPort {
    private HostPort() {}

    public static String format(String host, int port) {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
