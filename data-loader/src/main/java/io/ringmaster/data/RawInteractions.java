package io.ringmaster.data;

import java.util.Arrays;

/**
 * Interactions as read from a source file, before ids are mapped: raw user and item ids, rating
 * (1 where the source has none) and timestamp (-1 where it has none), in file order.
 */
public final class RawInteractions {

    private long[] users = new long[1024];
    private long[] items = new long[1024];
    private float[] ratings = new float[1024];
    private long[] timestamps = new long[1024];
    private int size;
    private boolean hasTimestamps = true;

    public void add(long user, long item, float rating, long timestamp) {
        if (size == users.length) {
            int n = size * 2;
            users = Arrays.copyOf(users, n);
            items = Arrays.copyOf(items, n);
            ratings = Arrays.copyOf(ratings, n);
            timestamps = Arrays.copyOf(timestamps, n);
        }
        users[size] = user;
        items[size] = item;
        ratings[size] = rating;
        timestamps[size] = timestamp;
        if (timestamp < 0) {
            hasTimestamps = false;
        }
        size++;
    }

    public int size() {
        return size;
    }

    public long user(int i) {
        return users[i];
    }

    public long item(int i) {
        return items[i];
    }

    public float rating(int i) {
        return ratings[i];
    }

    public long timestamp(int i) {
        return timestamps[i];
    }

    /** True when every row carries a timestamp. */
    public boolean hasTimestamps() {
        return size > 0 && hasTimestamps;
    }

    long[] users() {
        return Arrays.copyOf(users, size);
    }

    long[] items() {
        return Arrays.copyOf(items, size);
    }
}
