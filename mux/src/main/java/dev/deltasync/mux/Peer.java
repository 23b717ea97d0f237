package dev.deltasync.mux;

import dev.deltasync.peer.Fingerprint;
import dev.deltasync.peer.HostPort;
import dev.deltasync.protocol.Hello;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Optional;

/**
 * The other end of a connection as its streams see it, fixed once both HELLOs (and TLS) are done: who it is,
 * the largest frame it accepts, the hashes both sides list and the codecs it decodes. One instance per
 * connection, compared by identity, so it also stands for the connection.
 */
public final class Peer {
    private final Fingerprint identity;
    private final SocketAddress remote;
    private final Hello ours;
    private final Hello theirs;
    private final int version;

    /** @throws IllegalArgumentException when the HELLOs have no common version (negotiated before, §3.3) */
    Peer(Fingerprint identity, SocketAddress remote, Hello ours, Hello theirs) {
        this.identity = identity;
        this.remote = remote;
        this.ours = ours;
        this.theirs = theirs;
        this.version = ours.commonVersion(theirs)
                .orElseThrow(() -> new IllegalArgumentException("no common protocol version: " + ours + ", " + theirs));
    }

    /** The protocol version both HELLOs agreed on (PROTOCOL.md §3.3). */
    public int version() {
        return version;
    }

    /** The fingerprint the peer authenticated with (TLS), or empty on a plaintext connection. */
    public Optional<Fingerprint> identity() {
        return Optional.ofNullable(identity);
    }

    /** The peer's IP address and port, {@code 10.0.0.2:51234} ({@code [::1]:7070} for IPv6). */
    public String address() {
        return address(remote);
    }

    /** The peer's IP address without the port, {@code 10.0.0.2} or {@code ::1}. */
    public String host() {
        return remote instanceof InetSocketAddress inet && inet.getAddress() != null
                ? inet.getAddress().getHostAddress() : String.valueOf(remote);
    }

    /** The peer's port, or -1 when the connection is not over IP (an in-memory channel in a test). */
    public int port() {
        return remote instanceof InetSocketAddress inet ? inet.getPort() : -1;
    }

    /** {@code remote} as {@link #address()} words it. */
    static String address(SocketAddress remote) {
        if (remote instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return HostPort.format(inet.getAddress().getHostAddress(), inet.getPort());
        }
        return String.valueOf(remote);
    }

    /** The largest frame payload the peer accepts. */
    public int maxFramePayload() {
        return theirs.maxFramePayload();
    }

    /** True when both HELLOs list {@code hashId}, the condition for a stream to use it (PROTOCOL.md §9.2). */
    public boolean hashAgreed(int hashId) {
        return ours.supportsHash(hashId) && theirs.supportsHash(hashId);
    }

    /** True when our own HELLO lists {@code codecId} (codec 0, none, always): the only codecs a peer may send us. */
    public boolean weDecode(int codecId) {
        return ours.supportsCodec(codecId);
    }

    /** True when the peer decodes {@code codecId} (codec 0, none, always). */
    public boolean decodes(int codecId) {
        return theirs.supportsCodec(codecId);
    }
}
