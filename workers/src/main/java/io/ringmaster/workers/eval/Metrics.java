package io.ringmaster.workers.eval;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Named evaluation figures, in the evaluator's order: means at cut-off {@code k} (0 for figures without
 * one) over {@code users} evaluated users. Generic code handles them by name only: which names exist
 * and which one picks the best epoch ({@code eval.select}) are the evaluator's and the job's business.
 * As JSON a figure is a key of its own ({@code "hr": 0.65}), or prefixed ({@code "bestHr"}).
 */
public final class Metrics implements Serializable {

    private final int k;
    private final String[] names;
    private final double[] values;
    private final int users;

    public Metrics(int k, List<String> names, double[] values, int users) {
        if (names.size() != values.length) {
            throw new IllegalArgumentException(names.size() + " metric names for " + values.length + " values");
        }
        this.k = k;
        this.names = names.toArray(new String[0]);
        this.values = values.clone();
        this.users = users;
    }

    public int k() {
        return k;
    }

    public int users() {
        return users;
    }

    public List<String> names() {
        return List.of(names);
    }

    public double[] values() {
        return values.clone();
    }

    /** The figure called {@code name}; an error naming the ones there are when there is none. */
    public double get(String name) {
        int i = indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException("no metric '" + name + "'; the evaluator gives " + names());
        }
        return values[i];
    }

    private int indexOf(String name) {
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /** The console form: {@code NAME@K value} for each, two spaces apart. */
    public String line() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < names.length; i++) {
            if (i > 0) {
                b.append("  ");
            }
            b.append(label(names[i])).append(String.format(" %.4f", values[i]));
        }
        return b.toString();
    }

    /** How figure {@code name} is shown: upper case, with its cut-off ({@code HR@10}). */
    public String label(String name) {
        return name.toUpperCase(Locale.ROOT) + (k > 0 ? "@" + k : "");
    }

    /** Puts each figure into {@code out} under {@code prefix + Name} ({@code name} when the prefix is empty). */
    public void putInto(Map<String, Object> out, String prefix) {
        for (int i = 0; i < names.length; i++) {
            out.put(key(prefix, names[i]), values[i]);
        }
    }

    /** The JSON key of figure {@code name} under {@code prefix}: {@code bestHr} for ("best", "hr"). */
    public static String key(String prefix, String name) {
        return prefix.isEmpty() ? name : prefix + Character.toUpperCase(name.charAt(0)) + name.substring(1);
    }

    /**
     * Reads figures back from a record written by {@link #putInto}: {@code names} when given, else every
     * numeric key that starts with {@code prefix} (any key when it is empty) and is not in {@code others}.
     */
    public static Metrics readFrom(Map<String, Object> m, String prefix, int k, List<String> names,
                                   java.util.Set<String> others) {
        List<String> found = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        if (names != null) {
            for (String n : names) {
                found.add(n);
                values.add(number(m.get(key(prefix, n))));
            }
        } else {
            for (Map.Entry<String, Object> e : m.entrySet()) {
                String key = e.getKey();
                boolean numeric = e.getValue() instanceof Number || "NaN".equals(e.getValue());
                if (!numeric || others.contains(key) || key.length() <= prefix.length() || !key.startsWith(prefix)) {
                    continue;
                }
                String rest = key.substring(prefix.length());
                found.add(prefix.isEmpty() ? rest : Character.toLowerCase(rest.charAt(0)) + rest.substring(1));
                values.add(number(e.getValue()));
            }
        }
        return new Metrics(k, found, values.stream().mapToDouble(Double::doubleValue).toArray(), 0);
    }

    private static double number(Object v) {
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        return Double.NaN; // "NaN", as Jackson writes it, or absent
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Metrics m && m.k == k && m.users == users && Arrays.equals(m.names, names)
                && Arrays.equals(m.values, values);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(values) * 31 + Arrays.hashCode(names);
    }

    @Override
    public String toString() {
        return line();
    }
}
