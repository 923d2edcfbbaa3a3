/**
 * DL4J's Spark training masters as Ringmaster strategies: {@code parameter-server}
 * ({@code SharedTrainingMaster}, threshold-encoded gradient sharing over Aeron UDP) and
 * {@code averaging} ({@code ParameterAveragingTrainingMaster}).
 *
 * <p>{@code dl4j-spark} and {@code dl4j-spark-parameterserver} exist only at 1.0.0-M2 and are
 * deprecated upstream. This package is the only code that imports them ({@code DL4JSparkIsolationTest}
 * checks it); the rest of Ringmaster reaches it through {@link io.ringmaster.orchestrator.dl4jspark.Dl4jSparkTraining}
 * alone. Known defects of those modules are handled here: Aeron's timeouts and shared-memory folders
 * ({@link io.ringmaster.orchestrator.dl4jspark.AeronSettings}), a port per executor from a configured range
 * ({@link io.ringmaster.orchestrator.dl4jspark.RangePortSupplier}), the executor's own address
 * ({@link io.ringmaster.orchestrator.dl4jspark.ExecutorBinding}), and intermittent hangs
 * ({@link io.ringmaster.orchestrator.dl4jspark.Watchdog}).
 */
package io.ringmaster.orchestrator.dl4jspark;
