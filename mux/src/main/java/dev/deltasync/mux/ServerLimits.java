package dev.deltasync.mux;

import java.time.Duration;

/**
 * What a server lets its peers hold at once, so neither one host nor many can exhaust it with sockets that
 * do nothing (README, Security). Connections over a cap are closed before a byte is read, and logged.
 *
 * @param perAddress      connections one peer address may hold
 * @param total           connections from all addresses together
 * @param unauthenticated connections that have not yet completed TLS and HELLO (each is also cut off after the
 *                        handshake timeout)
 * @param streamless      a connection that has had no open stream for this long is closed (GOAWAY IDLE_TIMEOUT)
 */
public record ServerLimits(int perAddress, int total, int unauthenticated, Duration streamless) {
    /** 32 per address (one client per region plus reconnect overlap), 512 in all, 64 in their handshake, 60 s. */
    public static ServerLimits defaults() {
        return new ServerLimits(32, 512, 64, Duration.ofSeconds(60));
    }

    public ServerLimits withPerAddress(int perAddress) {
        return new ServerLimits(perAddress, total, unauthenticated, streamless);
    }
}
