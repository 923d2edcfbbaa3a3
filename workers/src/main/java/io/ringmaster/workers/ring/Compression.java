package io.ringmaster.workers.ring;

import java.util.Locale;

/** Wire format of all-reduce data: 32-bit floats, or IEEE half precision (half the bytes, lossy). */
public enum Compression {
    NONE(4),
    FP16(2);

    private final int bytesPerValue;

    Compression(int bytesPerValue) {
        this.bytesPerValue = bytesPerValue;
    }

    public int bytesPerValue() {
        return bytesPerValue;
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Compression parse(String text) {
        for (Compression c : values()) {
            if (c.id().equals(text)) {
                return c;
            }
        }
        throw new IllegalArgumentException("allreduce.compression must be none or fp16, got '" + text + "'");
    }
}
