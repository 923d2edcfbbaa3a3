package io.ringmaster.workers.train;

/**
 * Every rank draws the same shuffled epoch from a {@link NegativeSampler} (same seed) and takes its
 * contiguous share of each global batch; the last, shorter batch is split as evenly as possible.
 * A gang of N with local batch B thus trains on exactly one worker's batches of N·B.
 */
public final class InMemorySource implements SampleSource {

    private final NegativeSampler sampler;
    private final int globalBatch;
    private final int rank;
    private final int ranks;
    private EpochSamples samples;
    private Examples examples;
    private int from;

    public InMemorySource(NegativeSampler sampler, int globalBatch, int rank, int ranks) {
        this.sampler = sampler;
        this.globalBatch = globalBatch;
        this.rank = rank;
        this.ranks = ranks;
    }

    @Override
    public int startEpoch(int epoch, int fromStep) {
        samples = sampler.sample(epoch);
        examples = samples.examples();
        from = fromStep * globalBatch;
        return (samples.size() + globalBatch - 1) / globalBatch;
    }

    @Override
    public LocalBatch next() {
        int size = samples.size();
        int n = Math.min(globalBatch, size - from);
        int base = n / ranks;
        int extra = n % ranks;
        int mine = base + (rank < extra ? 1 : 0);
        int start = mine > 0 ? from + rank * base + Math.min(rank, extra) : from;
        from += n;
        return new LocalBatch(examples, start, mine, n);
    }

    @Override
    public long epochExamples() {
        return samples.size();
    }

    @Override
    public void endEpoch() {
        samples = null;
        examples = null;
    }
}
