package io.ringmaster.data;

/**
 * A validation split for choosing between models without touching the test: from a dataset's training
 * interactions each user's latest one (by timestamp; before the test interaction, which is already out)
 * is held out as that user's validation item, by the same rule as the test split ({@link LeaveOneOutSplit}:
 * every training row of the pair leaves training; users with a single distinct training item keep it and
 * get no validation item). Models trained on the result never see their validation pairs.
 */
public final class ValidationSplit {

    private ValidationSplit() {
    }

    /** {@code ds} with its validation pairs held out of training; refuses a dataset that has them already. */
    public static Dataset holdOut(Dataset ds, long seed) {
        if (ds.validation() != null) {
            throw new IllegalArgumentException("dataset " + ds.name() + " already has a validation split");
        }
        LeaveOneOutSplit.Result r = LeaveOneOutSplit.split(ds.train(), ds.numUsers(), ds.numItems(), 1, seed);
        TestSplit held = r.test();
        TestSplit validation = new TestSplit(held.users(), held.items(), new int[held.size() + 1], new int[0]);
        return new Dataset(ds.name(), ds.userIds(), ds.itemIds(), ds.itemTitles(), r.train(), ds.test(), validation);
    }
}
