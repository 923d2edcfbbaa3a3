package io.ringmaster.workers.train;

import io.ringmaster.data.Seeds;
import io.ringmaster.data.loader.Batch;
import io.ringmaster.data.loader.ColumnSpec;
import io.ringmaster.data.loader.LoaderCursor;
import io.ringmaster.data.loader.ShardLoader;
import java.io.IOException;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Examples streamed by a {@link ShardLoader}: each step this rank takes its next batch of positive
 * (user, item) rows from its row-group shard and draws {@code negatives} items per positive among
 * those the user has no training interaction with, from a generator seeded by (seed, epoch, rank,
 * step), so a resumed run draws the same negatives. Every rank's local batch has the same size.
 */
public final class LoaderSource implements SampleSource {

    public static final List<ColumnSpec> COLUMNS = List.of(ColumnSpec.ints("user"), ColumnSpec.ints("item"));

    private final ShardLoader loader;
    private final UserItemIndex seen;
    private final int negatives;
    private final long seed;
    private final int rank;
    private final int ranks;
    private final int positives;
    private final String uri;
    private final int[] users;
    private final int[] items;
    private final float[] labels;
    private final Examples examples;
    private final Batch batch;
    private ShardLoader.Epoch current;
    private int epoch;
    private int step;

    /** {@code loader} must hand out {@link #positivesPerStep} rows of {@link #COLUMNS} per batch. */
    public LoaderSource(ShardLoader loader, String uri, UserItemIndex seen, int negatives, long seed, int rank,
                        int ranks, int positives) {
        this.loader = loader;
        this.uri = uri;
        this.seen = seen;
        this.negatives = negatives;
        this.seed = seed;
        this.rank = rank;
        this.ranks = ranks;
        this.positives = positives;
        int n = positives * (1 + negatives);
        this.users = new int[n];
        this.items = new int[n];
        this.labels = new float[n];
        this.examples = Examples.interactions(users, items, labels);
        this.batch = new Batch(COLUMNS, positives);
    }

    /** Positives per local batch for a global batch of {@code globalExamples} (at least 1). */
    public static int positivesPerStep(int globalExamples, int ranks, int negatives) {
        return Math.max(1, Math.round((float) globalExamples / ranks / (1 + negatives)));
    }

    @Override
    public int startEpoch(int epoch, int fromStep) throws IOException {
        endEpoch();
        this.epoch = epoch;
        this.step = fromStep;
        current = loader.open(new LoaderCursor(epoch, fromStep));
        return current.steps();
    }

    @Override
    public LocalBatch next() throws IOException {
        if (!current.next(batch)) {
            throw new IllegalStateException("loader ran out of batches in epoch " + epoch);
        }
        SplittableRandom rng = new SplittableRandom(Seeds.mix(Seeds.mix(seed, 7_919L * (epoch + 1)),
                (long) step * ranks + rank));
        step++;
        int numUsers = seen.numUsers();
        int numItems = seen.numItems();
        int k = 0;
        int[] bu = batch.ints(0);
        int[] bi = batch.ints(1);
        for (int p = 0; p < positives; p++) {
            int user = bu[p];
            int item = bi[p];
            if (user < 0 || user >= numUsers || item < 0 || item >= numItems) {
                throw new IllegalArgumentException(uri + ": row with user " + user + ", item " + item
                        + " is outside the dataset's " + numUsers + " users and " + numItems + " items");
            }
            users[k] = user;
            items[k] = item;
            labels[k] = 1f;
            k++;
            for (int j = 0; j < negatives; j++) {
                users[k] = user;
                items[k] = seen.drawUnseen(user, rng);
                labels[k] = 0f;
                k++;
            }
        }
        return new LocalBatch(examples, 0, k, k * ranks);
    }

    @Override
    public long epochExamples() {
        return (long) current.steps() * users.length * ranks;
    }

    @Override
    public void endEpoch() {
        if (current != null) {
            current.close();
            current = null;
        }
    }
}
