package io.ringmaster.data;

/** Derives independent, reproducible random streams from one seed. */
public final class Seeds {

    private Seeds() {
    }

    /** A well-mixed seed for stream {@code stream} of {@code seed} (SplitMix64's finaliser). */
    public static long mix(long seed, long stream) {
        long z = seed * 0x9E3779B97F4A7C15L + stream;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
