package io.ringmaster.orchestrator.bench;

import io.ringmaster.workers.train.SampleSource;
import java.io.IOException;

/**
 * The first {@code limit} steps of each epoch of a source whose steps all hold the same number of
 * examples (the streaming loader's): benchmarks that train a fixed number of steps at any data size.
 */
final class FirstSteps implements SampleSource {

    private final SampleSource inner;
    private final int limit;
    private long examples;

    FirstSteps(SampleSource inner, int limit) {
        this.inner = inner;
        this.limit = limit;
    }

    @Override
    public int startEpoch(int epoch, int fromStep) throws IOException {
        int all = inner.startEpoch(epoch, fromStep);
        int steps = Math.min(all, limit);
        examples = inner.epochExamples() / all * steps;
        return steps;
    }

    @Override
    public LocalBatch next() throws IOException {
        return inner.next();
    }

    @Override
    public long epochExamples() {
        return examples;
    }

    @Override
    public void endEpoch() {
        inner.endEpoch();
    }
}
