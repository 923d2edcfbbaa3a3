package io.ringmaster.orchestrator.score;

import java.util.Locale;

/**
 * What scoring does with an id the model never saw in training: {@code skip} the row (default), or
 * {@code popular}: an unknown user gets the most popular training items, scored by their share of the
 * most popular item's interactions. Unknown items cannot be scored and are always skipped. Either
 * way the unknown ids are counted and reported with examples; nothing is scored as index 0.
 */
public enum UnknownIdPolicy {
    SKIP,
    POPULAR;

    public static UnknownIdPolicy parse(String s) {
        for (UnknownIdPolicy p : values()) {
            if (p.name().toLowerCase(Locale.ROOT).equals(s)) {
                return p;
            }
        }
        throw new IllegalArgumentException("--unknown must be skip or popular, got '" + s + "'");
    }
}
