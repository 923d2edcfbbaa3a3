package io.ringmaster.workers.train;

import java.io.IOException;

/**
 * The gang as one training step sees it: this worker's rank, the gang size, and an all-reduce over a
 * flat float buffer. Every rank must make the same calls with the same lengths in the same order
 * (the ring checks). A single worker uses {@link #single()}, which does nothing.
 */
public interface Collective extends AutoCloseable {

    int rank();

    int size();

    /**
     * Replaces {@code buf[off, off+len)} on every rank by its element-wise sum over ranks, or by the
     * mean when {@code average}; afterwards all ranks hold bit-identical values.
     */
    void allReduce(float[] buf, int off, int len, boolean average) throws IOException;

    @Override
    void close();

    /** A gang of one. */
    static Collective single() {
        return new Collective() {
            @Override
            public int rank() {
                return 0;
            }

            @Override
            public int size() {
                return 1;
            }

            @Override
            public void allReduce(float[] buf, int off, int len, boolean average) {
            }

            @Override
            public void close() {
            }
        };
    }
}
