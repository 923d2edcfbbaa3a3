package io.ringmaster.workers.train;

import io.ringmaster.workers.gradient.SparseRows;
import java.io.IOException;

/**
 * The gang as one training step sees it: this worker's rank, the gang size, an all-reduce over a
 * flat float buffer, and a step's exchange of a dense block plus embedding rows. Every rank must make
 * the same calls with the same lengths and tables in the same order (the transports check). A single
 * worker uses {@link #single()}, which does nothing.
 */
public interface Collective extends AutoCloseable {

    int rank();

    int size();

    /**
     * Replaces {@code buf[off, off+len)} on every rank by its element-wise sum over ranks, or by the
     * mean when {@code average}; afterwards all ranks hold bit-identical values.
     */
    void allReduce(float[] buf, int off, int len, boolean average) throws IOException;

    /**
     * One step's exchange, in one call so a transport can do it in one round: {@code buf[off, off+len)}
     * is summed element-wise as by {@link #allReduce(float[], int, int, boolean)}, and each of
     * {@code tables} is replaced by the sum over ranks of their rows, by row id: the union of the ranks'
     * ids (a rank may hold none), with every rank ending with the same ids in the same order and
     * bit-identical values (ranks summed in rank order). Sums, not means. Returns, per table, how many
     * rows the ranks sent in all (the sum of their counts; the same on every rank).
     */
    default long[] allReduce(float[] buf, int off, int len, SparseRows[] tables) throws IOException {
        return start(buf, off, len, tables).await();
    }

    /**
     * Starts {@link #allReduce(float[], int, int, SparseRows[])}; {@link Pending#await()} finishes it and
     * returns what it returns. In between the caller may do work that touches neither {@code buf} nor
     * {@code tables} and makes no other call on this collective (the trainer reads its next batch there,
     * while the other ranks catch up). A transport may do all of the work in {@code await}.
     */
    Pending start(float[] buf, int off, int len, SparseRows[] tables) throws IOException;

    /** A started exchange. */
    interface Pending {
        /** Waits for the other ranks and completes the exchange; once. */
        long[] await() throws IOException;
    }

    /** Bytes this rank has sent so far as dense values (both calls' {@code buf}). */
    long denseBytesSent();

    /** Bytes this rank has sent so far as embedding rows (ids and values). */
    long rowBytesSent();

    /**
     * Nanoseconds this rank has spent so far blocked on its neighbours (nothing to send or receive yet):
     * of an exchange's time, the part other ranks or the link made it wait rather than the transfer.
     */
    default long waitNanos() {
        return 0;
    }

    /**
     * The mean share of a table's rows each rank holds above which summing the whole table densely
     * costs this transport less than exchanging rows (measured; see docs/sparse-gradients.md).
     * {@link Double#POSITIVE_INFINITY} when rows always cost less.
     */
    double denseCrossover();

    /**
     * Fault injection ({@code fault.kind: tamper}): flips one byte of this rank's next message after it has
     * left this rank's hands, as a host on the path could. Only a transport with a wire supports it.
     */
    default void tamperWithNextMessage() {
        throw new UnsupportedOperationException("fault.kind tamper needs a wire to tamper with; " + transport()
                + " has none (set allreduce.transport: tcp)");
    }

    /** What carries the data, for logs: e.g. "tcp ring" or "shared memory". */
    String transport();

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
            public Pending start(float[] buf, int off, int len, SparseRows[] tables) {
                long[] counts = new long[tables.length];
                for (int i = 0; i < tables.length; i++) {
                    counts[i] = tables[i].count();
                }
                return () -> counts;
            }

            @Override
            public long denseBytesSent() {
                return 0;
            }

            @Override
            public long rowBytesSent() {
                return 0;
            }

            @Override
            public double denseCrossover() {
                return Double.POSITIVE_INFINITY;
            }

            @Override
            public String transport() {
                return "none";
            }

            @Override
            public void close() {
            }
        };
    }
}
