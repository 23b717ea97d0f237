package dev.deltasync.peer;

import java.time.Duration;

/**
 * Why a connection never got as far as both HELLOs (PROTOCOL.md §3, §12), as facts: what happened and to whom,
 * never which option to change. Only the command line turns these into hints with flag names.
 */
public sealed interface ConnectFailure {
    /** One line stating what happened. */
    String describe();

    /** True when trying again cannot help: the same certificates or settings would fail the same way. */
    default boolean isFinal() {
        return switch (this) {
            case NotPinned _, RefusedByPeer _, PeerAlert _, PlaintextPeer _, TlsPeer _ -> true;
            case Unreachable _, ClosedBeforeHello _, HandshakeTimeout _, TlsFailed _, OverLimit _, BrokeProtocol _ -> false;
        };
    }

    /** The other end of the connection, as this side sees it. */
    enum Peer {
        SERVER, CLIENT;

        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** No TCP connection to {@code address} could be made. */
    record Unreachable(String address, Cause cause, String detail) implements ConnectFailure {
        public enum Cause { REFUSED, TIMED_OUT, UNKNOWN_HOST, OTHER }

        @Override
        public String describe() {
            return "cannot connect to " + address + ": " + detail;
        }
    }

    /** This side refused the peer's certificate: its fingerprint is not pinned, nor (if CAs are set) valid under them. */
    record NotPinned(Peer peer, Fingerprint fingerprint, String caProblem) implements ConnectFailure {
        /** True when certificate authorities were configured and the certificate failed under them too. */
        public boolean caConfigured() {
            return caProblem != null;
        }

        @Override
        public String describe() {
            return peer + " certificate " + fingerprint + " is not pinned"
                    + (caConfigured() ? " and not valid under the configured CAs: " + caProblem : "");
        }
    }

    /** The peer refused this side's certificate {@code ours} with the TLS alert {@code alert}. */
    record RefusedByPeer(Peer peer, Fingerprint ours, String alert) implements ConnectFailure {
        @Override
        public String describe() {
            return "the " + peer + " refused our certificate" + (ours == null ? "" : " " + ours)
                    + " (TLS alert " + alert + ")";
        }
    }

    /** The peer ended the TLS handshake with another alert (no common cipher, protocol version...). */
    record PeerAlert(Peer peer, String alert) implements ConnectFailure {
        @Override
        public String describe() {
            return "the " + peer + " ended the TLS handshake (alert " + alert + ")";
        }
    }

    /** This side speaks TLS and the peer's first bytes were not a TLS record. */
    record PlaintextPeer(Peer peer) implements ConnectFailure {
        @Override
        public String describe() {
            return "the " + peer + " does not speak TLS";
        }
    }

    /** This side is plaintext and the peer's first bytes were a TLS record (PROTOCOL.md §12.1). */
    record TlsPeer(Peer peer) implements ConnectFailure {
        @Override
        public String describe() {
            return "the " + peer + " speaks TLS and this side plaintext";
        }
    }

    /**
     * The peer closed the connection before its HELLO. {@code plaintext}: this side spoke plaintext, which a peer
     * that requires TLS answers just so; a server at its connection cap does too.
     */
    record ClosedBeforeHello(Peer peer, boolean plaintext) implements ConnectFailure {
        @Override
        public String describe() {
            return "connection closed by the " + peer + " before HELLO";
        }
    }

    /** The TLS handshake ({@code tls}) or the peer's HELLO did not complete within {@code timeout}. */
    record HandshakeTimeout(Duration timeout, boolean tls) implements ConnectFailure {
        @Override
        public String describe() {
            return (tls ? "TLS handshake not completed" : "no HELLO from the peer") + " within " + timeout.toMillis()
                    + " ms";
        }
    }

    /** TLS failed in a way none of the above describes. */
    record TlsFailed(String detail) implements ConnectFailure {
        @Override
        public String describe() {
            return "TLS failed: " + detail;
        }
    }

    /** A server refused the connection before reading a byte: one of its caps (README, Security) was reached. */
    record OverLimit(String limit) implements ConnectFailure {
        @Override
        public String describe() {
            return limit;
        }
    }

    /** The peer broke a rule of the protocol before HELLO completed (a non-deltasync peer, a bad first frame...). */
    record BrokeProtocol(String detail) implements ConnectFailure {
        @Override
        public String describe() {
            return detail;
        }
    }
}
