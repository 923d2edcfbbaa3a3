package io.ringmaster.data;

import java.util.Objects;

/**
 * One implicit-feedback dataset in memory: id maps, training interactions and the held-out test
 * split. {@code itemTitles} is null when the source has no item names.
 */
public record Dataset(String name, IdMap userIds, IdMap itemIds, String[] itemTitles, Interactions train,
                      TestSplit test, TestSplit validation) {

    /** A dataset without a validation split. */
    public Dataset(String name, IdMap userIds, IdMap itemIds, String[] itemTitles, Interactions train, TestSplit test) {
        this(name, userIds, itemIds, itemTitles, train, test, null);
    }

    public Dataset {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(userIds, "userIds");
        Objects.requireNonNull(itemIds, "itemIds");
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(test, "test");
        if (itemTitles != null && itemTitles.length != itemIds.size()) {
            throw new IllegalArgumentException("item titles (" + itemTitles.length + ") do not match items ("
                    + itemIds.size() + ")");
        }
    }

    public int numUsers() {
        return userIds.size();
    }

    public int numItems() {
        return itemIds.size();
    }
}
