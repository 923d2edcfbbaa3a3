package io.ringmaster.data.loader;

import io.ringmaster.data.DataFormatException;
import io.ringmaster.data.Seeds;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Which row groups each rank reads in one epoch. The row groups are shuffled with a seed derived
 * from the job seed and the epoch, then dealt in that order, each to the rank with the fewest rows
 * so far, so shards differ every epoch and are balanced by rows (they differ by at most one row
 * group). Every rank runs the same number of steps: enough full local batches for the largest
 * shard; smaller shards are padded by wrapping around to their own start. Fewer row groups than
 * ranks is an error: some rank would have nothing to read.
 */
public final class ShardPlan {

    private final List<List<RowGroupRef>> shards;
    private final long[] rows;
    private final int steps;
    private final int localBatch;

    private ShardPlan(List<List<RowGroupRef>> shards, long[] rows, int steps, int localBatch) {
        this.shards = shards;
        this.rows = rows;
        this.steps = steps;
        this.localBatch = localBatch;
    }

    public static ShardPlan of(List<RowGroupRef> groups, int ranks, long seed, int epoch, int localBatch,
                               String dataset) {
        if (ranks < 1 || localBatch < 1) {
            throw new IllegalArgumentException("ranks and batch size must be >= 1");
        }
        if (groups.size() < ranks) {
            throw new DataFormatException(dataset + ": " + groups.size() + " row group(s) for " + ranks
                    + " workers; a row group is the unit of sharding, so every worker needs at least one"
                    + " (materialize again with a smaller --row-group-mb)");
        }
        int[] order = new int[groups.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        SplittableRandom rnd = new SplittableRandom(Seeds.mix(seed, 1_000_003L * (epoch + 1)));
        for (int i = order.length - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        List<List<RowGroupRef>> shards = new ArrayList<>();
        for (int r = 0; r < ranks; r++) {
            shards.add(new ArrayList<>());
        }
        long[] rows = new long[ranks];
        for (int g : order) {
            int least = 0;
            for (int r = 1; r < ranks; r++) {
                if (rows[r] < rows[least] || rows[r] == rows[least]
                        && shards.get(r).size() < shards.get(least).size()) {
                    least = r;
                }
            }
            shards.get(least).add(groups.get(g));
            rows[least] += groups.get(g).rows();
        }
        long max = 0;
        for (long x : rows) {
            max = Math.max(max, x);
        }
        long steps = (max + localBatch - 1) / localBatch;
        if (steps > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("too many steps per epoch: " + steps);
        }
        return new ShardPlan(shards, rows, (int) steps, localBatch);
    }

    public int ranks() {
        return shards.size();
    }

    /** The row groups of {@code rank}, in reading order. */
    public List<RowGroupRef> shard(int rank) {
        return List.copyOf(shards.get(rank));
    }

    /** Rows in the shard of {@code rank} (before padding). */
    public long rows(int rank) {
        return rows[rank];
    }

    /** Steps every rank runs this epoch. */
    public int stepsPerEpoch() {
        return steps;
    }

    public int localBatch() {
        return localBatch;
    }

    /** Rows each rank yields this epoch: its shard, then wrapped rows up to a whole number of batches. */
    public long rowsPerRank() {
        return (long) steps * localBatch;
    }
}
