package io.ringmaster.data.loader;

import io.ringmaster.data.DataFormatException;
import io.ringmaster.data.Seeds;
import java.io.IOException;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Streams one rank's batches out of a {@link ParquetDataset}, epoch by epoch, as Petastorm's
 * {@code make_batch_reader} feeds Horovod. Each epoch follows a {@link ShardPlan}; a background
 * thread decodes the shard's row groups ahead of use into a bounded queue; the consumer takes them
 * a window of {@code shuffleGroups} row groups at a time and hands out their rows in a seeded random
 * order (a bounded shuffle buffer). After the shard, it wraps around to its own start until the
 * epoch's fixed number of batches is out. The batch sequence depends only on data, seed, epoch,
 * rank and gang size, so {@link #open(LoaderCursor)} resumes exactly.
 */
public final class ShardLoader {

    /** Loader settings: local batch size, shuffle window and prefetch depth in row groups, seed, nulls, retries. */
    public record Options(int localBatch, int shuffleGroups, int prefetchGroups, long seed, NullPolicy nulls,
                          Retry retry) {
        public Options {
            if (localBatch < 1 || shuffleGroups < 1 || prefetchGroups < 1) {
                throw new IllegalArgumentException("batch, shuffle window and prefetch depth must be >= 1");
            }
        }
    }

    private final ParquetDataset dataset;
    private final Options options;
    private final int rank;
    private final int ranks;

    public ShardLoader(ParquetDataset dataset, Options options, int rank, int ranks) {
        if (rank < 0 || rank >= ranks) {
            throw new IllegalArgumentException("rank " + rank + " outside a gang of " + ranks);
        }
        this.dataset = dataset;
        this.options = options;
        this.rank = rank;
        this.ranks = ranks;
        plan(0); // fewer row groups than ranks fails here, before training starts
    }

    public ShardPlan plan(int epoch) {
        return ShardPlan.of(dataset.rowGroups(), ranks, options.seed(), epoch, options.localBatch(), dataset.uri());
    }

    /**
     * Upper bound of the decoded data this loader holds at once: the prefetch queue, the shuffle
     * window and the group being decoded, at the largest row group, plus the window's permutation.
     */
    public long memoryBoundBytes() {
        long rowBytes = 4L * dataset.columns().size();
        long groups = options.prefetchGroups() + options.shuffleGroups() + 1L;
        return groups * dataset.maxRowGroupRows() * rowBytes
                + options.shuffleGroups() * dataset.maxRowGroupRows() * (4L + rowBytes);
    }

    /** Batches of {@code cursor.epoch()} from {@code cursor.step()} on. */
    public Epoch open(LoaderCursor cursor) throws IOException {
        return new Epoch(cursor);
    }

    /** One epoch's batches for this rank. Close it to stop its prefetch thread. */
    public final class Epoch implements AutoCloseable {

        private final int epoch;
        private final ShardPlan plan;
        private final List<RowGroupRef> shard;
        private final BlockingQueue<Object> queue;
        private final Thread producer;
        private volatile boolean closed;
        private int step;
        private long windowIndex = -1;
        private Object[] window;
        private int[] order;
        private int windowRows;
        private int at;
        private int emptyWindowsInARow;
        private long groupsTaken;
        /** Row groups the producer may decode: enough for the epoch by the footers' row counts, raised on demand. */
        private long allowance;
        private long taken;
        private volatile String failure;
        private final Object gate = new Object();

        private Epoch(LoaderCursor cursor) throws IOException {
            this.epoch = cursor.epoch();
            this.plan = ShardLoader.this.plan(epoch);
            this.shard = plan.shard(rank);
            if (cursor.step() > plan.stepsPerEpoch()) {
                throw new IllegalArgumentException("cursor step " + cursor.step() + " is past the "
                        + plan.stepsPerEpoch() + " steps of epoch " + epoch);
            }
            this.queue = new ArrayBlockingQueue<>(options.prefetchGroups());
            long need = plan.rowsPerRank();
            for (long i = 0; need > 0; i++) {
                need -= Math.max(1, shard.get((int) (i % shard.size())).rows());
                allowance = i + 1;
            }
            this.producer = new Thread(this::produce, "ringmaster-loader-rank" + rank + "-epoch" + epoch);
            producer.setDaemon(true);
            producer.start();
            long skip = (long) cursor.step() * options.localBatch();
            try {
                while (skip > 0) { // resume: regenerate the epoch's order and pass over what was consumed
                    ensureWindow();
                    int n = (int) Math.min(skip, windowRows - at);
                    at += n;
                    skip -= n;
                }
            } catch (IOException | RuntimeException e) {
                close();
                throw e;
            }
            this.step = cursor.step();
        }

        public int steps() {
            return plan.stepsPerEpoch();
        }

        public ShardPlan plan() {
            return plan;
        }

        /** The position after the last batch handed out. */
        public LoaderCursor cursor() {
            return new LoaderCursor(epoch, step);
        }

        public boolean hasNext() {
            return step < plan.stepsPerEpoch();
        }

        /** Fills {@code into} with the next batch; false when the epoch is over. */
        public boolean next(Batch into) throws IOException {
            if (!hasNext()) {
                return false;
            }
            if (into.size() != options.localBatch() || into.columnCount() != dataset.columns().size()) {
                throw new IllegalArgumentException("batch shape does not match the loader");
            }
            int filled = 0;
            int b = options.localBatch();
            while (filled < b) {
                ensureWindow();
                int n = Math.min(b - filled, windowRows - at);
                for (int c = 0; c < window.length; c++) {
                    Object src = window[c];
                    Object dst = into.column(c);
                    if (src instanceof int[] s) {
                        int[] d = (int[]) dst;
                        for (int i = 0; i < n; i++) {
                            d[filled + i] = s[order[at + i]];
                        }
                    } else {
                        float[] s = (float[]) src;
                        float[] d = (float[]) dst;
                        for (int i = 0; i < n; i++) {
                            d[filled + i] = s[order[at + i]];
                        }
                    }
                }
                at += n;
                filled += n;
            }
            step++;
            return true;
        }

        private void ensureWindow() throws IOException {
            while (window == null || at >= windowRows) {
                windowIndex++;
                loadWindow();
            }
        }

        /** Takes the next {@code shuffleGroups} decoded row groups and draws their permutation. */
        private void loadWindow() throws IOException {
            // windows never straddle the end of the shard: one pass hands out every row of the shard
            // once, and only then does padding (the next pass) begin
            int inPass = (int) (groupsTaken % shard.size());
            int groups = Math.min(options.shuffleGroups(), shard.size() - inPass);
            groupsTaken += groups;
            RowGroup[] parts = new RowGroup[groups];
            int total = 0;
            for (int g = 0; g < groups; g++) {
                parts[g] = take();
                total += parts[g].rows();
            }
            if (total == 0) {
                if (++emptyWindowsInARow > shard.size()) {
                    throw new DataFormatException(dataset.uri() + ": rank " + rank + "'s row groups have no usable"
                            + " rows (all skipped as null)");
                }
            } else {
                emptyWindowsInARow = 0;
            }
            List<ColumnSpec> cols = dataset.columns();
            Object[] w = new Object[cols.size()];
            for (int c = 0; c < w.length; c++) {
                if (cols.get(c).target() == ColumnSpec.Target.INT) {
                    int[] dst = new int[total];
                    int off = 0;
                    for (RowGroup p : parts) {
                        System.arraycopy(p.ints(c), 0, dst, off, p.rows());
                        off += p.rows();
                    }
                    w[c] = dst;
                } else {
                    float[] dst = new float[total];
                    int off = 0;
                    for (RowGroup p : parts) {
                        System.arraycopy(p.floats(c), 0, dst, off, p.rows());
                        off += p.rows();
                    }
                    w[c] = dst;
                }
            }
            int[] perm = new int[total];
            for (int i = 0; i < total; i++) {
                perm[i] = i;
            }
            SplittableRandom rnd = new SplittableRandom(Seeds.mix(Seeds.mix(options.seed(), epoch),
                    Seeds.mix(rank * 65_537L + ranks, windowIndex)));
            for (int i = total - 1; i > 0; i--) {
                int j = rnd.nextInt(i + 1);
                int t = perm[i];
                perm[i] = perm[j];
                perm[j] = t;
            }
            window = w;
            order = perm;
            windowRows = total;
            at = 0;
        }

        private RowGroup take() throws IOException {
            synchronized (gate) {
                if (taken >= allowance) { // rows were skipped: the epoch needs more than the footers said
                    allowance = taken + 1;
                    gate.notifyAll();
                }
            }
            taken++;
            Object o = null;
            try {
                while (o == null) {
                    o = queue.poll(1, java.util.concurrent.TimeUnit.SECONDS);
                    if (o == null && !producer.isAlive() && queue.isEmpty()) {
                        throw new IOException(dataset.uri() + ": the loader's prefetch thread stopped"
                                + (failure != null ? " after: " + failure : ""));
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for row groups", e);
            }
            if (o instanceof RowGroup g) {
                return g;
            }
            if (o instanceof IOException e) {
                failure = e.toString();
                throw new IOException(e.getMessage(), e);
            }
            if (o instanceof Throwable t) {
                failure = t.toString();
                if (t instanceof DataFormatException d) {
                    throw new DataFormatException(d.getMessage(), d);
                }
                if (t instanceof Error err) {
                    throw new IOException(dataset.uri() + ": the loader's prefetch thread failed: " + err, err);
                }
                throw new IllegalStateException(t.getMessage(), t);
            }
            throw new IllegalStateException("loader: unexpected " + o);
        }

        /** Decodes the shard's row groups in order, cycling, until closed; a failure is passed on once. */
        private void produce() {
            try (RowGroupReader reader = new RowGroupReader(dataset, options.nulls(), options.retry())) {
                for (long i = 0; !closed; i++) {
                    synchronized (gate) {
                        while (i >= allowance && !closed) {
                            gate.wait();
                        }
                    }
                    if (closed) {
                        break;
                    }
                    RowGroup g = reader.read(shard.get((int) (i % shard.size())));
                    queue.put(g);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Throwable e) {
                // errors too (OutOfMemoryError, a codec's native library): never leave the consumer waiting
                if (!closed) {
                    try {
                        queue.put(e);
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        }

        @Override
        public void close() {
            closed = true;
            synchronized (gate) {
                gate.notifyAll();
            }
            producer.interrupt();
            queue.clear();
        }
    }

}
