package io.ringmaster.workers.model;

import java.nio.FloatBuffer;
import org.bytedeco.javacpp.FloatPointer;

/**
 * A growable off-heap float array that BLAS reads and writes in place and Java reads and writes
 * through a direct {@link FloatBuffer} view. Freed by {@link #close()}.
 */
final class NativeFloats implements AutoCloseable {

    private FloatPointer pointer;
    private FloatBuffer buffer;
    private int capacity;

    NativeFloats(int capacity) {
        allocate(Math.max(1, capacity));
    }

    private void allocate(int n) {
        FloatPointer p = OpenBlas.allocate(n);
        if (p.isNull()) {
            throw new OutOfMemoryError("could not allocate " + n + " off-heap floats");
        }
        p.zero();
        pointer = p;
        buffer = p.asBuffer();
        capacity = n;
    }

    /** Makes room for at least {@code n} floats; contents are not kept. */
    void ensure(int n) {
        if (n > capacity) {
            pointer.close();
            allocate(n);
        }
    }

    FloatPointer pointer() {
        return pointer;
    }

    FloatBuffer buffer() {
        return buffer;
    }

    @Override
    public void close() {
        if (pointer != null) {
            pointer.close();
            pointer = null;
            buffer = null;
        }
    }
}
