package io.ringmaster.data;

import java.util.Locale;

/** Interaction file formats {@code ringmaster ingest} reads. */
public enum InputFormat {
    /** MovieLens 100K {@code u.data}: user, item, rating, timestamp separated by tabs. */
    UDATA("udata", "\t", "tab"),
    /** MovieLens 1M/10M {@code ratings.dat}: {@code user::item::rating::timestamp}. */
    DAT("dat", "::", "'::'"),
    /** CSV with a header naming {@code user,item[,rating][,timestamp]} columns. */
    CSV("csv", ",", "comma"),
    /** The NCF split: {@code NAME.train.rating} (tab-separated) with {@code NAME.test.negative}. */
    NCF("ncf", "\t", "tab");

    private final String id;
    private final String delimiter;
    private final String delimiterName;

    InputFormat(String id, String delimiter, String delimiterName) {
        this.id = id;
        this.delimiter = delimiter;
        this.delimiterName = delimiterName;
    }

    public String id() {
        return id;
    }

    public String delimiter() {
        return delimiter;
    }

    public String delimiterName() {
        return delimiterName;
    }

    public static InputFormat parse(String s) {
        String v = s.trim().toLowerCase(Locale.ROOT);
        for (InputFormat f : values()) {
            if (f.id.equals(v)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown input format '" + s + "'; expected one of udata, dat, csv, ncf"
                + " (or auto)");
    }
}
