package io.ringmaster.workers.model;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas;

/**
 * Row-major single-precision GEMM straight into OpenBLAS (the library ND4J's CPU backend also
 * loads) on off-heap buffers: no copies and about two microseconds of call overhead, where one
 * ND4J op costs 15-20 microseconds of Java-side bookkeeping.
 */
final class OpenBlas {

    static {
        Loader.load(openblas.class);
    }

    private OpenBlas() {
    }

    /** Threads OpenBLAS may use for one call (process-wide). */
    static void setThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("BLAS threads must be >= 1, got " + threads);
        }
        openblas.blas_set_num_threads(threads);
    }

    /** {@code C = op(A)·op(B) + beta·C}, all row-major; {@code op(A)} is m×k, {@code op(B)} is k×n. */
    static void gemm(boolean transA, boolean transB, int m, int n, int k, NativeFloats a, int lda, NativeFloats b,
                     int ldb, float beta, NativeFloats c, int ldc) {
        openblas.cblas_sgemm(openblas.CblasRowMajor,
                transA ? openblas.CblasTrans : openblas.CblasNoTrans,
                transB ? openblas.CblasTrans : openblas.CblasNoTrans,
                m, n, k, 1f, a.pointer(), lda, b.pointer(), ldb, beta, c.pointer(), ldc);
    }

    /** Keeps {@link FloatPointer} out of callers' imports. */
    static FloatPointer allocate(long n) {
        return new FloatPointer(n);
    }
}
