package io.ringmaster.orchestrator.bench;

import io.ringmaster.workers.train.SampleSource;
import java.io.IOException;

/**
 * A source's steps, one epoch after another without a break, cut into "epochs" of {@code window}
 * steps: benchmarks that time a fixed number of steps at any data size, where restarting the loader
 * (filling its shuffle window) every few steps would weigh on large datasets only. The inner source's
 * steps must all hold the same number of examples (the streaming loader's do).
 */
final class StepWindows implements SampleSource {

    private final SampleSource inner;
    private final int window;
    private int innerEpoch = -1;
    private int innerSteps;
    private int innerTaken;
    private long perStep;

    StepWindows(SampleSource inner, int window) {
        this.inner = inner;
        this.window = window;
    }

    @Override
    public int startEpoch(int epoch, int fromStep) throws IOException {
        if (fromStep != 0) {
            throw new IllegalArgumentException("benchmark windows do not resume");
        }
        return window;
    }

    @Override
    public LocalBatch next() throws IOException {
        if (innerEpoch < 0 || innerTaken == innerSteps) {
            inner.endEpoch();
            innerSteps = inner.startEpoch(++innerEpoch, 0);
            perStep = inner.epochExamples() / innerSteps;
            innerTaken = 0;
        }
        innerTaken++;
        return inner.next();
    }

    @Override
    public long epochExamples() {
        if (innerEpoch < 0) {
            try {
                innerSteps = inner.startEpoch(++innerEpoch, 0);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            perStep = inner.epochExamples() / innerSteps;
            innerTaken = 0;
        }
        return perStep * window;
    }

    @Override
    public void endEpoch() {
    }

    @Override
    public void close() {
        inner.endEpoch();
    }
}
