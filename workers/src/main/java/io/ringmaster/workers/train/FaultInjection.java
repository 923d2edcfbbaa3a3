package io.ringmaster.workers.train;

import java.io.Serializable;

/**
 * A deliberate failure for testing how a gang fails (job keys {@code fault.kill-rank},
 * {@code fault.at-step}): the worker of that rank throws {@link InjectedFault} just before that global
 * step. Off unless a job asks for it.
 */
public record FaultInjection(int rank, long atStep) implements Serializable {

    public static final FaultInjection NONE = new FaultInjection(-1, -1);

    /** True when this fault is rank {@code rank}'s, just before global step {@code step}. */
    public boolean hits(int rank, long step) {
        return this.rank == rank && atStep == step;
    }

    public void check(int rank, long step) {
        if (hits(rank, step)) {
            throw new InjectedFault("injected fault: rank " + rank + " stopped at step " + step
                    + " (job keys fault.kill-rank / fault.at-step)");
        }
    }

    /** The failure {@link FaultInjection} throws. */
    public static final class InjectedFault extends RuntimeException {
        public InjectedFault(String message) {
            super(message);
        }
    }
}
