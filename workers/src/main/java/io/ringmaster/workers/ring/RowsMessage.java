package io.ringmaster.workers.ring;

import io.ringmaster.workers.gradient.SparseRows;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * The wire form of a rank's touched rows, the same for every transport: per table, the row count, the
 * row ids, then the rows' values as fp32 or IEEE half ({@link Compression}). {@link #merge} sums the
 * gang's messages into the union of their rows, visiting ranks in rank order and each rank's rows in
 * its order (a row's first contribution is copied, later ones added), so every rank that merges the
 * same messages gets the same ids in the same order and the same sums, bit for bit. With fp16 a rank merges its own
 * message as sent, rounded like everyone
 * else's copy of it.
 */
public final class RowsMessage {

    private int[] idScratch = new int[256];
    private float[] valueScratch = new float[256];
    private short[] halfScratch = new short[256];

    /** Bytes {@link #write} needs for {@code tables}. */
    public static int size(SparseRows[] tables, Compression c) {
        long bytes = 0;
        for (SparseRows t : tables) {
            bytes += 4 + 4L * t.count() + (long) c.bytesPerValue() * t.count() * t.width();
        }
        if (bytes > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("touched rows of " + bytes + " bytes do not fit one message");
        }
        return (int) bytes;
    }

    /** The largest message {@code tables} can make (every row of every table), capped at what an array holds. */
    public static long maxSize(SparseRows[] tables, Compression c) {
        long bytes = 0;
        for (SparseRows t : tables) {
            bytes += 4 + (long) t.table().rows() * (4 + (long) c.bytesPerValue() * t.width());
        }
        return Math.min(bytes, Integer.MAX_VALUE - 64);
    }

    /** Appends the tables' rows to {@code out} (little-endian), advancing its position. */
    public void write(SparseRows[] tables, Compression c, ByteBuffer out) {
        out.order(ByteOrder.LITTLE_ENDIAN);
        for (SparseRows t : tables) {
            int k = t.count();
            out.putInt(k);
            out.asIntBuffer().put(t.ids(), 0, k);
            out.position(out.position() + 4 * k);
            int n = k * t.width();
            if (c == Compression.FP16) {
                short[] h = halves(n);
                float[] v = t.values();
                for (int i = 0; i < n; i++) {
                    h[i] = Half.fromFloat(v[i]);
                }
                out.asShortBuffer().put(h, 0, n);
                out.position(out.position() + 2 * n);
            } else {
                out.asFloatBuffer().put(t.values(), 0, n);
                out.position(out.position() + 4 * n);
            }
        }
    }

    /**
     * Replaces the content of {@code tables} by the sum of {@code messages} (one per rank, in rank order,
     * each positioned at its first table; positions are advanced past it). Returns, per table, the rows
     * the ranks sent in all (the sum of their counts).
     */
    public long[] merge(SparseRows[] tables, List<ByteBuffer> messages, Compression c) {
        long[] sent = new long[tables.length];
        for (SparseRows t : tables) {
            t.clear();
        }
        for (int r = 0; r < messages.size(); r++) {
            ByteBuffer in = messages.get(r).order(ByteOrder.LITTLE_ENDIAN);
            for (int ti = 0; ti < tables.length; ti++) {
                SparseRows t = tables[ti];
                int w = t.width();
                if (in.remaining() < 4) {
                    throw new IllegalStateException("rank " + r + "'s rows message ends before table "
                            + t.table().name());
                }
                int k = in.getInt();
                long need = 4L * k + (long) c.bytesPerValue() * k * w;
                if (k < 0 || k > t.table().rows() || need > in.remaining()) {
                    throw new IllegalStateException("rank " + r + "'s rows message is malformed: " + k
                            + " rows of table "
                            + t.table().name() + " (" + t.table().rows() + " rows), " + in.remaining() + " bytes left");
                }
                sent[ti] += k;
                int[] ids = ids(k);
                in.asIntBuffer().get(ids, 0, k);
                in.position(in.position() + 4 * k);
                int n = k * w;
                float[] v = values(n);
                if (c == Compression.FP16) {
                    short[] h = halves(n);
                    in.asShortBuffer().get(h, 0, n);
                    in.position(in.position() + 2 * n);
                    for (int i = 0; i < n; i++) {
                        v[i] = Half.toFloat(h[i]);
                    }
                } else {
                    in.asFloatBuffer().get(v, 0, n);
                    in.position(in.position() + 4 * n);
                }
                t.reserve(t.count() + k);
                for (int j = 0; j < k; j++) {
                    int id = ids[j];
                    if (id < 0 || id >= t.table().rows()) {
                        throw new IllegalStateException("rank " + r + " sent row " + id + " of table "
                                + t.table().name()
                                + ", which has " + t.table().rows() + " rows");
                    }
                    t.accumulate(id, v, j * w);
                }
            }
        }
        return sent;
    }

    private int[] ids(int n) {
        if (idScratch.length < n) {
            idScratch = new int[Math.max(n, idScratch.length * 2)];
        }
        return idScratch;
    }

    private float[] values(int n) {
        if (valueScratch.length < n) {
            valueScratch = new float[Math.max(n, valueScratch.length * 2)];
        }
        return valueScratch;
    }

    private short[] halves(int n) {
        if (halfScratch.length < n) {
            halfScratch = new short[Math.max(n, halfScratch.length * 2)];
        }
        return halfScratch;
    }
}
