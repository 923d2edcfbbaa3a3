package io.ringmaster.data.loader;

import java.io.Serializable;

/**
 * Where a rank's loader stands: the epoch (0-based) and the number of batches of it already handed
 * out. A checkpoint saves it; a loader opened at it yields exactly the batches that would have come
 * next (the sequence is a pure function of data, seed, epoch, rank and gang size).
 */
public record LoaderCursor(int epoch, int step) implements Serializable {

    public LoaderCursor {
        if (epoch < 0 || step < 0) {
            throw new IllegalArgumentException("cursor epoch and step must be >= 0, got " + epoch + ", " + step);
        }
    }

    public static LoaderCursor start(int epoch) {
        return new LoaderCursor(epoch, 0);
    }
}
