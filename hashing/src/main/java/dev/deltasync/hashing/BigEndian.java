package dev.deltasync.hashing;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** Big-endian stores into byte arrays: every digest integer goes on the wire big-endian. */
final class BigEndian {
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    private BigEndian() {
    }

    static void putLong(byte[] out, int offset, long value) {
        LONG.set(out, offset, value);
    }

    static void putInt(byte[] out, int offset, int value) {
        INT.set(out, offset, value);
    }
}
