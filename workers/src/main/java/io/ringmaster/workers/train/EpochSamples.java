package io.ringmaster.workers.train;

/** One epoch's training examples in training order: (user, item, label) as parallel arrays. */
public record EpochSamples(int[] users, int[] items, float[] labels) {

    /** The same arrays as named columns. */
    public Examples examples() {
        return Examples.interactions(users, items, labels);
    }

    public int size() {
        return users.length;
    }
}
