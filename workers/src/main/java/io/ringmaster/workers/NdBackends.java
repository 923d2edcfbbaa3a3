package io.ringmaster.workers;

import org.nd4j.linalg.factory.Nd4j;

/**
 * Loads ND4J's backend and names it, turning the linker errors of a CUDA backend that cannot load
 * into one message that says what is missing.
 */
public final class NdBackends {

    private NdBackends() {
    }

    /** An ND4J backend that cannot load here, explained in one line. */
    public static final class BackendUnavailableException extends RuntimeException {
        BackendUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public static String name() {
        try {
            return Nd4j.getBackend().getClass().getSimpleName();
        } catch (Throwable t) {
            throw new BackendUnavailableException(explain(t), t);
        }
    }

    static boolean cudaBackendOnClasspath() {
        try {
            Class.forName("org.nd4j.linalg.jcublas.JCublasBackend", false, NdBackends.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /** Whether the NVIDIA driver's libcuda.so.1 is in a usual library directory. */
    static boolean driverPresent() {
        for (String d : new String[] {"/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib", "/usr/local/cuda/lib64",
                "/usr/local/nvidia/lib64", "/usr/lib/wsl/lib"}) {
            if (new java.io.File(d, "libcuda.so.1").exists()) {
                return true;
            }
        }
        return false;
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
        if (cudaBackendOnClasspath() && (text.contains("NoAvailableBackendException")
                || text.contains("Could not initialize class org.nd4j"))) {
            return driverPresent()
                    ? "ND4J's CUDA backend (nd4j-cuda-11.6) could not load although the NVIDIA driver is installed:"
                    + " check that the CUDA 11.6 runtime matches the driver, or use the CPU jar (build without -Pcuda)"
                    : "ND4J's CUDA backend (nd4j-cuda-11.6) could not load: libcuda.so.1 (the NVIDIA driver) is not"
                    + " on this machine; run on a GPU node, or use the CPU jar (build without -Pcuda)";
        }
        if (text.contains("NoAvailableBackendException")) {
            return "no ND4J backend is on the classpath (nd4j-native or nd4j-cuda-11.6)";
        }
        return "ND4J's backend cannot load: " + t;
    }
}
