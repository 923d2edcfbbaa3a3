package io.ringmaster.workers.eval;

/** Mean HR@K, NDCG@K and MAP@K over {@code users} test users. */
public record EvalResult(int k, double hr, double ndcg, double map, int users) {
}
