package io.ringmaster.orchestrator.tune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringmaster.orchestrator.job.JobConfig;
import io.ringmaster.orchestrator.job.JobConfigException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The study file (issue 21, started): ranges over job keys sample reproducibly into valid trial jobs, and
 * what cannot work is refused before any trial runs, naming the key.
 */
class StudySpecTest {

    private static final String JOB = "data: d\ntrain:\n  epochs: 9\n";

    private static String study(String search) {
        return JOB + "search:\n" + search;
    }

    @Test
    void rangesSampleReproduciblyIntoValidTrialJobs() {
        StudySpec s = StudySpec.parse(study("""
                  space:
                    train.learning-rate: {loguniform: [0.0001, 0.01]}
                    model.factors: {choice: [8, 16, 32]}
                    train.negatives: {int: [2, 6]}
                  trials: 27
                  max-concurrent: 3
                  min-epochs: 1
                  eta: 3
                """), "study.yaml");
        assertEquals(27, s.trials());
        assertEquals("asha", s.scheduler());
        assertEquals("hr", s.metric());
        Map<String, Object> first = s.params(0);
        assertEquals(first, s.params(0), "a trial's settings come from the study's seed");
        assertNotEquals(first, s.params(1));
        for (int t = 0; t < 27; t++) {
            Map<String, Object> p = s.params(t);
            double lr = ((Number) p.get("train.learning-rate")).doubleValue();
            assertTrue(lr >= 0.0001 && lr <= 0.01, p.toString());
            assertTrue(List.of(8, 16, 32).contains(((Number) p.get("model.factors")).intValue()), p.toString());
            long neg = ((Number) p.get("train.negatives")).longValue();
            assertTrue(neg >= 2 && neg <= 6, p.toString());
            JobConfig job = s.job(p, List.of()).validate();
            assertEquals(lr, job.train().learningRate(), 0.0);
            assertEquals(9, job.train().epochs());
        }
    }

    @Test
    void whatCannotWorkIsRefusedBeforeAnyTrialNamingTheKey() {
        assertTrue(refused(study("  space:\n    train.learnin-rate: {uniform: [0.001, 0.01]}\n"))
                .contains("'search.space.train.learnin-rate' value 0.001 makes an invalid job"));
        assertTrue(refused(study("  space:\n    model.factors: {int: [0, 8]}\n"))
                .contains("'search.space.model.factors' value 0 makes an invalid job: job: 'model.factors' must be"
                        + " >= 1, got 0"));
        assertTrue(refused(study("  space:\n    model.factors: {choice: [8]}\n  trials: 2\n  max-concurrent: 4\n"))
                .contains("'search.trials' (2) is below 'search.max-concurrent' (4)"));
        assertTrue(refused(study("  space:\n    model.factors: {normal: [8, 2]}\n"))
                .contains("'search.space.model.factors': unknown range 'normal'"));
        assertTrue(refused(study("  space:\n    train.learning-rate: {loguniform: [0, 0.1]}\n"))
                .contains("loguniform needs low > 0"));
        assertTrue(refused(study("  space:\n    model.factors: {choice: [8]}\n  scheduler: hyperband\n"))
                .contains("'search.scheduler' must be asha or none, got 'hyperband'"));
        assertTrue(refused(study("  space:\n    model.factors: {choice: [8]}\n  min-epochs: 12\n"))
                .contains("'search.min-epochs' (12) exceeds train.epochs (9)"));
        assertTrue(refused(JOB).contains("a study file is a job file with a 'search' section"));
        assertTrue(refused(study("  space:\n    model.type: {choice: [neumf, als]}\n")).contains("'search.scheduler'"
                + " asha compares trials at epochs, and model.type als is fitted in one pass: use scheduler none"));
        assertTrue(refused(study("  space:\n    model.factors: {choice: [8]}\n  eta: 1\n"))
                .contains("'search.eta' must be >= 2"));
        assertTrue(refused(study("  space:\n    model.factors: {choice: [8]}\n  trials: 0\n"))
                .contains("'search.trials' must be a whole number >= 1, got 0"));
        assertTrue(refused(study("  space:\n    model.factors: {choice: [8]}\n  metric: recall\n"))
                .contains("'search.metric' must be one of"));
    }

    @Test
    void rungsGrowByEtaFromMinEpochsUpToTheJobsEpochs() {
        StudySpec s = StudySpec.parse(study("  space:\n    model.factors: {choice: [8, 16]}\n  min-epochs: 1\n"),
                "study.yaml");
        assertEquals(List.of(1, 3, 9), s.rungs());
        assertEquals(0, s.maxConcurrent(), "left to the cluster's task slots");
        assertEquals(List.of(9), s.withScheduler("none").rungs());
        StudySpec twenty = StudySpec.parse(study("  space:\n    model.factors: {choice: [8, 16]}\n  min-epochs: 2\n")
                .replace("epochs: 9", "epochs: 20"), "study.yaml");
        assertEquals(List.of(2, 6, 18, 20), twenty.rungs());
    }

    @Test
    void ashaPromotesTheTopThirdOfARungBeforeStartingNewTrials() {
        Asha asha = new Asha(List.of(1, 3, 9), 3, 6);
        List<Trial> all = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Asha.Step s = asha.next(all).orElseThrow();
            assertEquals(new Asha.Step(i, 1, "new"), s);
            Trial t = new Trial(i, "t" + i, Map.of(), "r" + i);
            t.rungs.put(1, 0.1 * (i + 1));
            t.epochs = 1;
            t.status = Trial.PAUSED;
            all.add(t);
        }
        Asha.Step promote = asha.next(all).orElseThrow();
        assertEquals(2, promote.index(), "the best of three at the first rung");
        assertEquals(3, promote.epochs());
        all.get(2).status = Trial.RUNNING;
        assertEquals(new Asha.Step(3, 1, "new"), asha.next(all).orElseThrow(), "one in three goes on, no more");
        all.get(0).status = Trial.CANCELLED;
        all.get(0).target = 1;
        assertEquals(0, asha.next(all).orElseThrow().index(), "a cancelled rung continues first");
        assertEquals(Trial.COMPLETED, asha.afterRung(9));
        assertEquals(Trial.PAUSED, asha.afterRung(3));
    }

    private static String refused(String yaml) {
        return assertThrows(JobConfigException.class, () -> StudySpec.parse(yaml, "study.yaml")).getMessage();
    }
}
