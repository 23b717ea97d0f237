package dev.deltasync.mux;

import dev.deltasync.protocol.ErrorCode;
import dev.deltasync.protocol.Frame;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One multiplexed stream as the engine sees it: blocking {@link #send} with back-pressure and blocking
 * {@link #receive}. Engine threads (virtual threads are fine) call these; the connection's event loop
 * moves frames in and out.
 *
 * <p>Memory stays bounded on both sides: {@code send} of a flow-controlled frame waits while the stream
 * already has {@link #MAX_QUEUED_FLOW_BYTES} of them queued (one frame always fits), so a stream holds
 * at most that much waiting for credit, and {@code send} of another frame waits while
 * {@link #MAX_QUEUED_CONTROL_FRAMES} wait to leave; and
 * receive credit is granted back to the peer only when the engine asks for the next frame, i.e. after
 * it has finished with (written) the previous one.
 */
public final class MuxStream {
    /**
     * Flow-controlled bytes one stream may have queued before {@code send} blocks. One frame at a time
     * capped a single stream at one 64 KiB frame per engine-to-event-loop hand-off (MuxThroughput: 292 MB/s
     * for one stream over loopback); a few frames in the queue keep the event loop busy.
     */
    static final int MAX_QUEUED_FLOW_BYTES = 256 * 1024;
    /**
     * Control frames one stream may have queued before {@code send} blocks: an engine answering a peer that does
     * not read (EPOCH_ACK for every EPOCH_END) is held back instead of queueing without end.
     */
    static final int MAX_QUEUED_CONTROL_FRAMES = 64;

    private final StreamOwner owner;
    private final Peer peer;
    private final int id;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Frame> inbound = new ArrayDeque<>();
    private final ArrayDeque<Frame> outbound = new ArrayDeque<>();
    private int queuedControlFrames;
    private int queuedFlowBytes;
    private int queuedOutboundControl;
    private int bytesToReturn;
    private StreamClosedException closed;

    // Touched only on the event loop.
    private final FlowWindow sendWindow;
    private final CreditReturner credit;

    MuxStream(StreamOwner owner, Peer peer, int id, long sendWindow, CreditReturner credit) {
        this.owner = owner;
        this.peer = peer;
        this.id = id;
        this.sendWindow = new FlowWindow(sendWindow);
        this.credit = credit;
    }

    public int id() {
        return id;
    }

    /** The receive side of this stream's window (event loop only). */
    CreditReturner credit() {
        return credit;
    }

    /** A WINDOW_UPDATE for this stream; false when the window would exceed 2^31-1 (event loop only). */
    boolean granted(int increment) {
        return sendWindow.grant(increment);
    }

    /** The other end, as it was when the stream opened (identity, frame limit, hashes, codecs). */
    public Peer peer() {
        return peer;
    }

    /**
     * Queues a frame for this stream. A CHUNK or DIGESTS frame waits while the stream's queue is full,
     * which is how a fast engine is slowed to the pace the peer grants.
     *
     * @throws StreamClosedException when the stream or its connection has ended
     */
    public void send(Frame frame) throws InterruptedException, StreamClosedException {
        if (frame.streamId() != id) {
            throw new IllegalArgumentException("frame for stream " + frame.streamId() + " sent on stream " + id);
        }
        int cost = FlowControl.cost(frame);
        if (cost > peer.maxFramePayload()) {
            throw new IllegalArgumentException("frame payload above the peer's limit of "
                    + peer.maxFramePayload() + " bytes: " + frame);
        }
        lock.lockInterruptibly();
        try {
            while (closed == null && (cost > 0 ? queuedFlowBytes > 0 && queuedFlowBytes + cost > MAX_QUEUED_FLOW_BYTES
                    : queuedOutboundControl >= MAX_QUEUED_CONTROL_FRAMES)) {
                changed.await();
            }
            throwIfClosed();
            outbound.add(frame);
            queuedFlowBytes += cost;
            if (cost == 0) {
                queuedOutboundControl++;
            }
        } finally {
            lock.unlock();
        }
        owner.schedulePump();
    }

    /** The next frame from the peer; blocks until one arrives. */
    public Frame receive() throws InterruptedException, StreamClosedException {
        Frame frame = receive(null);
        assert frame != null;
        return frame;
    }

    /**
     * The next frame from the peer, or null after {@code timeout} (null: wait forever). Frames that
     * arrived before the stream ended are still delivered; after them, the end is thrown.
     */
    public Frame receive(Duration timeout) throws InterruptedException, StreamClosedException {
        returnCredit();
        long deadline = timeout == null ? 0 : System.nanoTime() + timeout.toNanos();
        lock.lockInterruptibly();
        try {
            while (inbound.isEmpty() && closed == null) {
                if (timeout == null) {
                    changed.await();
                } else {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return null;
                    }
                    changed.await(left, TimeUnit.NANOSECONDS);
                }
            }
            Frame frame = inbound.poll();
            if (frame == null) {
                throw closed;
            }
            bytesToReturn = FlowControl.cost(frame);
            if (bytesToReturn == 0) {
                queuedControlFrames--;
            }
            return frame;
        } finally {
            lock.unlock();
        }
    }

    /** Ends the stream with a RESET carrying {@code code}; idempotent. NO_ERROR is a normal end. */
    public void reset(ErrorCode code, String reason) {
        owner.resetStream(this, code, reason);
    }

    /**
     * Ends the engine's use of the stream: resets it (CANCEL) if it is still open, and grants back the
     * connection credit of frames it will never consume. Call it when done with a stream, however it
     * ended; calling it again does nothing more.
     */
    public void release() {
        if (!isClosed()) {
            reset(ErrorCode.CANCEL, "abandoned by the engine");
        }
        owner.releaseCredit(this);
    }

    /** True once the stream has ended for any reason. */
    public boolean isClosed() {
        lock.lock();
        try {
            return closed != null;
        } finally {
            lock.unlock();
        }
    }

    private void returnCredit() {
        int bytes;
        lock.lock();
        try {
            bytes = bytesToReturn;
            bytesToReturn = 0;
        } finally {
            lock.unlock();
        }
        if (bytes > 0) {
            owner.returnCredit(this, bytes);
        }
    }

    /** Throws the stream's end once it has ended for any reason (a waiter that neither sends nor receives asks). */
    public void throwIfClosed() throws StreamClosedException {
        if (closed != null) {
            throw new StreamClosedException(closed.code(), closed.getMessage(), closed.byPeer());
        }
    }

    // ---- event-loop side ----

    /** What became of an arriving frame. */
    enum Delivery {
        QUEUED,
        /** The stream had already ended: the frame is dropped, its credit must go back to the connection. */
        DROPPED,
        TOO_MANY_CONTROL_FRAMES
    }

    /** Queues an arriving frame for the engine, unless the stream has ended or too many control frames wait. */
    Delivery deliver(Frame frame, int maxQueuedControlFrames) {
        lock.lock();
        try {
            if (closed != null) {
                return Delivery.DROPPED;
            }
            if (!FlowControl.isFlowControlled(frame) && ++queuedControlFrames > maxQueuedControlFrames) {
                return Delivery.TOO_MANY_CONTROL_FRAMES;
            }
            inbound.add(frame);
            changed.signalAll();
            return Delivery.QUEUED;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The engine is done with this stream for good: the credit of the last frame it took (not yet granted
     * back, that happens on its next receive) and of every flow-controlled frame it will now never take.
     * Queued frames are discarded; the caller grants the returned bytes back on the connection window.
     */
    int abandon() {
        lock.lock();
        try {
            int bytes = bytesToReturn;
            bytesToReturn = 0;
            for (Frame frame : inbound) {
                bytes += FlowControl.cost(frame);
            }
            inbound.clear();
            return bytes;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes the next queued frame if this stream's window and {@code connectionWindow} both cover it,
     * spending its cost from both; null when nothing is queued or it must wait for credit. One lock, so
     * the frame cannot be cleared off the queue (markClosed) between the check and the take.
     */
    Frame pollSendable(FlowWindow connectionWindow) {
        lock.lock();
        try {
            Frame frame = outbound.peek();
            if (frame == null) {
                return null;
            }
            int cost = FlowControl.cost(frame);
            if (cost > 0) {
                if (!sendWindow.covers(cost) || !connectionWindow.covers(cost)) {
                    return null;
                }
                sendWindow.spend(cost);
                connectionWindow.spend(cost);
                queuedFlowBytes -= cost;
            } else if (queuedOutboundControl > 0) { // the RESET of closeAfterQueued was never counted
                queuedOutboundControl--;
            }
            changed.signalAll();
            return outbound.poll();
        } finally {
            lock.unlock();
        }
    }

    /** Marks the stream ended for the engine, but lets queued frames and then {@code reset} go out. */
    void closeAfterQueued(StreamClosedException reason, Frame reset) {
        lock.lock();
        try {
            if (closed == null) {
                closed = reason;
                outbound.add(reset);
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Marks the stream ended; pending outbound frames are dropped, waiting threads wake up. */
    void markClosed(StreamClosedException reason) {
        lock.lock();
        try {
            if (closed == null) {
                closed = reason;
                outbound.clear();
                queuedFlowBytes = 0;
                queuedOutboundControl = 0;
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "stream " + id;
    }
}
