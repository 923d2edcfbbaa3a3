package io.ringmaster.workers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NdBackendsTest {

    @Test
    void cudaLoadFailuresBecomeOneLineThatSaysWhatIsMissing() {
        Throwable driver = new RuntimeException("ND4J backend failed",
                new UnsatisfiedLinkError("no jnicudart: libcuda.so.1: cannot open shared object file"));
        assertTrue(NdBackends.explain(driver).startsWith("ND4J's CUDA backend cannot load: libcuda.so.1"),
                NdBackends.explain(driver));
        Throwable runtime = new UnsatisfiedLinkError("libcudart.so.11.0: cannot open shared object file");
        assertTrue(NdBackends.explain(runtime).contains("CUDA 11.6 runtime"), NdBackends.explain(runtime));
        assertEquals("CpuBackend", NdBackends.name());
        assertEquals("cpu", DeviceBinding.bind(null, 0));
        assertTrue(DeviceBinding.bind("1", 0).contains("gpu 1 assigned, computing on cpu"));
    }
}
