package io.ringmaster.data;

import java.util.Objects;

/**
 * Training interactions with dense ids, as parallel primitive columns. Every row is an observed
 * (positive) interaction; rating is kept for reference (1 where the source has none) and timestamp
 * is -1 where the source has none.
 */
public record Interactions(int[] users, int[] items, float[] ratings, long[] timestamps) {

    public Interactions {
        Objects.requireNonNull(users, "users");
        Objects.requireNonNull(items, "items");
        Objects.requireNonNull(ratings, "ratings");
        Objects.requireNonNull(timestamps, "timestamps");
        if (items.length != users.length || ratings.length != users.length || timestamps.length != users.length) {
            throw new IllegalArgumentException("interaction columns differ in length: users=" + users.length
                    + " items=" + items.length + " ratings=" + ratings.length + " timestamps=" + timestamps.length);
        }
    }

    public int size() {
        return users.length;
    }
}
