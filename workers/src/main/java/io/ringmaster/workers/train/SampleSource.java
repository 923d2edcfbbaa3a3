package io.ringmaster.workers.train;

import java.io.IOException;

/**
 * Where one rank's training examples come from, epoch by epoch: how many steps every rank runs, and
 * each step's local batch with its weight in the global batch.
 */
public interface SampleSource extends AutoCloseable {

    /** One step's examples for this rank: {@code [from, from+count)} of {@code examples}. */
    record LocalBatch(Examples examples, int from, int count, int globalCount) {
    }

    /** Starts {@code epoch} (0-based); returns the number of steps every rank runs in it. */
    default int startEpoch(int epoch) throws IOException {
        return startEpoch(epoch, 0);
    }

    /**
     * Starts {@code epoch} at step {@code fromStep} (a resumed run): the batches are exactly those an
     * uninterrupted epoch would give from that step on. Returns the steps of the whole epoch.
     */
    int startEpoch(int epoch, int fromStep) throws IOException;

    /**
     * The next step's local batch. {@code count} may be 0 (a rank with no share of a short last
     * batch): then {@code from} still indexes one valid example, used as a zero-weighted stand-in.
     */
    LocalBatch next() throws IOException;

    /** Examples the whole gang trains on in the current epoch. */
    long epochExamples();

    /** Ends the current epoch. */
    void endEpoch();

    @Override
    default void close() {
        endEpoch();
    }
}
