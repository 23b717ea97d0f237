package dev.deltasync.mux;

import dev.deltasync.protocol.Frame;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A socket for the session's pieces, tested without a channel: it takes frames while writable and keeps them. */
final class RecordingSink implements ControlWriter.Sink {
    volatile boolean writable = true;
    final List<Frame> written = new CopyOnWriteArrayList<>();
    volatile int flushes;

    @Override
    public boolean writable() {
        return writable;
    }

    @Override
    public void write(Frame frame) {
        written.add(frame);
    }

    @Override
    public void flush() {
        flushes++;
    }

    <T extends Frame> List<T> written(Class<T> type) {
        return written.stream().filter(type::isInstance).map(type::cast).toList();
    }
}
