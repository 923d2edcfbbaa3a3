package io.ringmaster.workers.train;

import io.ringmaster.workers.gradient.EmbeddingTable;
import io.ringmaster.workers.gradient.Gradient;
import io.ringmaster.workers.gradient.GradientLayout;
import io.ringmaster.workers.gradient.SparseRows;
import java.io.IOException;
import java.util.Arrays;

/**
 * Turns each rank's {@link Gradient} into the gang's mean gradient, in one collective call per step
 * ({@link Collective#allReduce(float[], int, int, SparseRows[])}): the dense block element-wise, and
 * each embedding table either as rows (the union of the rows the ranks touched, summed by row id) or
 * densely (the whole table all-reduced beside the dense block, with a lane that counts the ranks that
 * touched each row, so the result is the same union of rows). After it every rank holds the same rows
 * with bit-identical values.
 *
 * <p>{@code allreduce.embeddings} picks per table: {@code sparse}, {@code dense}, or {@code auto}, which
 * follows a smoothed mean share of the table's rows each rank touched (from the step before, the same
 * figure on every rank) and goes dense above the transport's measured crossover. That share is state:
 * {@link #state()} is saved with checkpoints and {@link #restore} puts it back, so a resumed run picks
 * the same way step for step.
 */
public final class GradientExchange {

    /** Weight of the newest step in the smoothed touched share. */
    private static final double SMOOTHING = 0.1;

    private final Collective gang;
    private final EmbeddingExchange mode;
    private final GradientLayout layout;
    private final double[] share;
    private final boolean[] dense;
    private final long[] sentRows;
    private float[] packed = new float[0];
    private Collective.Pending pending;
    private float[] sentBuffer;

    public GradientExchange(Collective gang, EmbeddingExchange mode, GradientLayout layout) {
        this.gang = gang;
        this.mode = mode;
        this.layout = layout;
        int n = layout.tables().size();
        this.share = new double[n];
        Arrays.fill(share, Double.NaN);
        this.dense = new boolean[n];
        this.sentRows = new long[n];
    }

    /** Replaces {@code g} on every rank by the gang's mean gradient. */
    public void average(Gradient g) throws IOException {
        start(g);
        finish(g);
    }

    /**
     * Starts {@link #average}; {@link #finish} completes it. In between the caller may do work that
     * leaves {@code g} alone and makes no collective call (read its next batch).
     */
    public void start(Gradient g) throws IOException {
        if (pending != null) {
            throw new IllegalStateException("an exchange is already under way");
        }
        int tables = g.tableCount();
        long packedLength = layout.denseLength();
        int sparseCount = 0;
        for (int t = 0; t < tables; t++) {
            dense[t] = choose(t);
            if (dense[t]) {
                EmbeddingTable table = layout.tables().get(t);
                packedLength += (long) table.rows() * (table.width() + 1);
            } else {
                sparseCount++;
            }
        }
        if (packedLength > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("allreduce.embeddings: summing the tables densely takes " + packedLength
                    + " values, more than one buffer holds; use sparse or auto");
        }
        int length = (int) packedLength;
        SparseRows[] sparse = new SparseRows[sparseCount];
        float[] buf;
        if (length == layout.denseLength()) {
            buf = g.dense();
            System.arraycopy(g.tables(), 0, sparse, 0, tables);
        } else {
            buf = pack(g, length, sparse);
        }
        sentBuffer = buf;
        pending = gang.start(buf, 0, length, sparse);
    }

    /** Completes {@link #start}: {@code g} then holds the gang's mean gradient. */
    public void finish(Gradient g) throws IOException {
        if (pending == null) {
            throw new IllegalStateException("no exchange under way");
        }
        long[] sent;
        try {
            sent = pending.await();
        } finally {
            pending = null;
        }
        int n = gang.size();
        int tables = g.tableCount();
        float[] buf = sentBuffer;
        for (int t = 0, s = 0; t < tables; t++) {
            if (!dense[t]) {
                sentRows[t] = sent[s++];
            }
        }
        if (buf != g.dense()) {
            unpack(g);
        }
        float fn = n;
        float[] d = g.dense();
        for (int i = 0; i < d.length; i++) {
            d[i] /= fn;
        }
        for (int t = 0; t < tables; t++) {
            g.table(t).divide(fn);
            double x = sentRows[t] / ((double) n * layout.tables().get(t).rows());
            share[t] = Double.isNaN(share[t]) ? x : (1 - SMOOTHING) * share[t] + SMOOTHING * x;
        }
    }

    private boolean choose(int t) {
        return switch (mode) {
            case SPARSE -> false;
            case DENSE -> true;
            case AUTO -> share[t] > gang.denseCrossover(); // NaN (no step yet) compares false: rows first
        };
    }

    /**
     * {@code [dense block | per dense table: its rows x width, then one count per row]}; the other tables
     * into {@code sparse}.
     */
    private float[] pack(Gradient g, int length, SparseRows[] sparse) {
        if (packed.length < length) {
            packed = new float[length];
        }
        float[] d = g.dense();
        System.arraycopy(d, 0, packed, 0, d.length);
        int at = d.length;
        for (int t = 0, s = 0; t < g.tableCount(); t++) {
            SparseRows rows = g.table(t);
            if (!dense[t]) {
                sparse[s++] = rows;
                continue;
            }
            EmbeddingTable table = rows.table();
            int w = table.width();
            int counts = at + table.size();
            Arrays.fill(packed, at, counts + table.rows(), 0f);
            int[] ids = rows.ids();
            float[] v = rows.values();
            for (int r = 0; r < rows.count(); r++) {
                System.arraycopy(v, r * w, packed, at + ids[r] * w, w);
                packed[counts + ids[r]] = 1f;
            }
            at = counts + table.rows();
        }
        return packed;
    }

    /** Back from {@link #pack}: the summed dense block, and each dense table's rows that any rank touched. */
    private void unpack(Gradient g) {
        float[] d = g.dense();
        System.arraycopy(packed, 0, d, 0, d.length);
        int at = d.length;
        for (int t = 0; t < g.tableCount(); t++) {
            if (!dense[t]) {
                continue;
            }
            SparseRows rows = g.table(t);
            EmbeddingTable table = rows.table();
            int w = table.width();
            int counts = at + table.size();
            rows.clear();
            long sent = 0;
            for (int id = 0; id < table.rows(); id++) {
                float c = packed[counts + id];
                if (c > 0) {
                    int s = rows.add(id);
                    System.arraycopy(packed, at + id * w, rows.values(), s * w, w);
                    sent += (long) c;
                }
            }
            sentRows[t] = sent;
            at = counts + table.rows();
        }
    }

    /** Whether table {@code t} went densely in the last step. */
    public boolean wentDense(int t) {
        return dense[t];
    }

    /**
     * What {@code auto} has learned (the smoothed touched share per table; -1 before the first step), to
     * save with a checkpoint.
     */
    public double[] state() {
        double[] s = share.clone();
        for (int i = 0; i < s.length; i++) {
            s[i] = Double.isNaN(s[i]) ? -1 : s[i];
        }
        return s;
    }

    /** Continues from {@link #state()} (null: from scratch). */
    public void restore(double[] state) {
        if (state == null) {
            Arrays.fill(share, Double.NaN);
            return;
        }
        if (state.length != share.length) {
            throw new IllegalArgumentException("the checkpoint's exchange state covers " + state.length
                    + " embedding tables; the model has " + share.length);
        }
        for (int i = 0; i < share.length; i++) {
            share[i] = state[i] < 0 ? Double.NaN : state[i];
        }
    }
}
