package io.ringmaster.workers;

import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds this worker's thread to the GPU Spark assigned its task ({@code TaskContext.resources()}),
 * before any ND4J array exists. On the CUDA backend the address becomes the thread's CUDA device; on
 * the CPU backend there is nothing to bind and the address is only recorded (a GPU cluster profile
 * with a CPU jar is almost certainly a mistake, so it is logged as one).
 */
public final class DeviceBinding {

    private static final Logger LOG = LoggerFactory.getLogger(DeviceBinding.class);

    private DeviceBinding() {
    }

    /** Returns a description of the device this worker computes on. */
    public static String bind(String gpuAddress, int rank) {
        String backend = NdBackends.name();
        if (gpuAddress == null) {
            return backend.contains("Cuda") ? "CUDA device " + Nd4j.getAffinityManager().getDeviceForCurrentThread()
                    : "cpu";
        }
        int device;
        try {
            device = Integer.parseInt(gpuAddress.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("rank " + rank + ": Spark assigned GPU address '" + gpuAddress
                    + "', which is not a CUDA device index (check the discovery script's output)");
        }
        if (backend.contains("Cuda")) {
            Nd4j.getAffinityManager().unsafeSetDevice(device);
            return "gpu " + gpuAddress + " (CUDA device " + device + ")";
        }
        LOG.warn("rank {}: Spark assigned GPU {} but ND4J's backend is {}: training runs on the CPU (build with"
                + " -Pcuda for GPUs)", rank, gpuAddress, backend);
        return "gpu " + gpuAddress + " assigned, computing on cpu";
    }
}
