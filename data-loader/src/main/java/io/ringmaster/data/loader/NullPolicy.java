package io.ringmaster.data.loader;

import java.util.Locale;

/** What the loader does with a row that has a null in a column it reads. */
public enum NullPolicy {
    /** Fail, naming file, row group, row and column (the default: no silent data loss). */
    REJECT,
    /** Drop the row, and count it. */
    SKIP;

    public static NullPolicy parse(String text) {
        for (NullPolicy p : values()) {
            if (p.name().toLowerCase(Locale.ROOT).equals(text)) {
                return p;
            }
        }
        throw new IllegalArgumentException("nulls must be reject or skip, got '" + text + "'");
    }
}
