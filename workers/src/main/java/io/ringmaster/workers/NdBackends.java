package io.ringmaster.workers;

import org.nd4j.linalg.factory.Nd4j;

/**
 * Loads ND4J's backend and names it, turning the linker errors of a CUDA backend that cannot load
 * into one message that says what is missing.
 */
public final class NdBackends {

    private NdBackends() {
    }

    public static String name() {
        try {
            return Nd4j.getBackend().getClass().getSimpleName();
        } catch (Throwable t) {
            throw new IllegalStateException(explain(t), t);
        }
    }

    /** One line for a backend load failure. */
    static String explain(Throwable t) {
        StringBuilder all = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            all.append(c).append('\n');
        }
        String text = all.toString();
        if (text.contains("libcuda.so")) {
            return "ND4J's CUDA backend cannot load: libcuda.so.1 (the NVIDIA driver) is not on this machine;"
                    + " run on a GPU node, or use the CPU jar (build without -Pcuda)";
        }
        if (text.contains("libcudart") || text.contains("libcublas") || text.contains("libcusolver")
                || text.contains("libcudnn")) {
            return "ND4J's CUDA backend cannot load the CUDA 11.6 runtime libraries (libcudart/libcublas): install"
                    + " CUDA 11.6 or put the cuda-11.6 redist jars on the classpath; or use the CPU jar";
        }
        if (text.contains("no compatible backend") || text.contains("No ND4J backend")) {
            return "no ND4J backend could load: " + t;
        }
        return "ND4J's backend cannot load: " + t;
    }
}
