package io.ringmaster.workers.train;

import java.util.Arrays;

/**
 * Training examples as named integer columns plus a label column, the form batches reach an engine in.
 * The interaction sources give {@link #USER} and {@link #ITEM}; an engine asks for the columns it reads
 * by name (once per step: a lookup among a few names), so a model that reads others needs no change here.
 */
public final class Examples {

    public static final String USER = "user";
    public static final String ITEM = "item";

    private final String[] names;
    private final int[][] columns;
    private final float[] labels;

    public Examples(String[] names, int[][] columns, float[] labels) {
        if (names.length != columns.length) {
            throw new IllegalArgumentException(names.length + " column names for " + columns.length + " columns");
        }
        for (int[] c : columns) {
            if (c.length != labels.length) {
                throw new IllegalArgumentException("columns of " + c.length + " and labels of " + labels.length
                        + " examples");
            }
        }
        this.names = names.clone();
        this.columns = columns.clone();
        this.labels = labels;
    }

    /** (user, item, label) interactions. */
    public static Examples interactions(int[] users, int[] items, float[] labels) {
        return new Examples(new String[] {USER, ITEM}, new int[][] {users, items}, labels);
    }

    /** The column called {@code name}; an error naming the columns there are when there is none. */
    public int[] column(String name) {
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(name)) {
                return columns[i];
            }
        }
        throw new IllegalArgumentException("no example column '" + name + "'; the batch has "
                + Arrays.toString(names));
    }

    public float[] labels() {
        return labels;
    }
}
