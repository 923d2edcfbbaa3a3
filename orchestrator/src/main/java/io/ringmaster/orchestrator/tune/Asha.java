package io.ringmaster.orchestrator.tune;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Asynchronous successive halving (Li et al., "A System for Massively Parallel Hyperparameter Tuning",
 * 2020): whenever a gang's slots are free, promote a trial that is in the top 1/η of the figures recorded at
 * its rung (highest rung first) to the next rung, else start a new trial at the first rung. A promoted
 * trial continues from its checkpoint. With one rung (scheduler none) every trial trains to the end.
 */
final class Asha {

    /** What to run next: train trial {@code index} (a new one when it has no record yet) to {@code epochs}. */
    record Step(int index, int epochs, String why) {
    }

    private final List<Integer> rungs;
    private final int eta;
    private final int trials;

    Asha(List<Integer> rungs, int eta, int trials) {
        this.rungs = List.copyOf(rungs);
        this.eta = eta;
        this.trials = trials;
    }

    List<Integer> rungs() {
        return rungs;
    }

    /**
     * The next step given every trial's record ({@code all}, by index); empty when nothing can start now (the
     * rest waits on running trials, or the study is done).
     */
    Optional<Step> next(List<Trial> all) {
        // a trial stopped mid-rung (timeout, signal, killed driver) continues that rung first
        for (Trial t : all) {
            if (t.status.equals(Trial.CANCELLED)) {
                return Optional.of(new Step(t.index, t.target, "continues its cancelled rung"));
            }
        }
        for (int k = rungs.size() - 2; k >= 0; k--) {
            int rung = rungs.get(k);
            List<Trial> done = all.stream().filter(t -> t.rungs.containsKey(rung))
                    .sorted(Comparator.comparingDouble((Trial t) -> score(t.rungs.get(rung))).reversed()).toList();
            int quota = done.size() / eta;
            for (int i = 0; i < quota; i++) {
                Trial t = done.get(i);
                if (t.status.equals(Trial.PAUSED) && t.epochs == rung) {
                    return Optional.of(new Step(t.index, rungs.get(k + 1), String.format("promoted: %d of the %d at"
                            + " %d epochs, top 1/%d", i + 1, done.size(), rung, eta)));
                }
            }
        }
        if (all.size() < trials) {
            return Optional.of(new Step(all.size(), rungs.get(0), "new"));
        }
        return Optional.empty();
    }

    /** Where the trial stands after finishing a rung at {@code epochs}: completed at the last rung, else paused. */
    String afterRung(int epochs) {
        return epochs >= rungs.get(rungs.size() - 1) ? Trial.COMPLETED : Trial.PAUSED;
    }

    /** NaN (a diverged trial) ranks last. */
    private static double score(double v) {
        return Double.isNaN(v) ? Double.NEGATIVE_INFINITY : v;
    }
}
