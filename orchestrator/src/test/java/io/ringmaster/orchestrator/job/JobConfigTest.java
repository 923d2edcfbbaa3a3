package io.ringmaster.orchestrator.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringmaster.workers.train.EngineKind;
import io.ringmaster.workers.train.TrainingSettings;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobConfigTest {

    private static JobConfigException fails(String yaml, String... overrides) {
        return assertThrows(JobConfigException.class,
                () -> JobConfig.parse(yaml, "job.yaml", List.of(overrides)).validate());
    }

    private static void mentions(JobConfigException e, String... fragments) {
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "'" + f + "' missing from: " + e.getMessage());
        }
    }

    @Test
    void ringIntegrityReadsOnAndOffAsYamlWritesThemAndRefusesAnythingElseByName() {
        for (String[] c : new String[][] {{"on", "ON"}, {"off", "OFF"}, {"'on'", "ON"}, {"auto", "AUTO"}}) {
            JobConfig job = JobConfig.parse("data: d\nworkers: 2\nallreduce:\n  integrity: " + c[0] + "\n", "job.yaml",
                    List.of()).validate();
            assertEquals(c[1], job.ringOptions().integrity().name(), c[0]);
        }
        assertEquals("AUTO", JobConfig.parse("data: d\n", "job.yaml", List.of()).validate().ringOptions().integrity()
                .name());
        mentions(fails("data: d\nallreduce:\n  integrity: sometimes\n"), "allreduce.integrity",
                "auto, on or off", "sometimes");
        mentions(fails("data: d\nworkers: 2\nfault:\n  kill-rank: 0\n  at-step: 3\n  kind: tamper\n"
                + "strategy: averaging\n"), "fault.kind", "tamper", "averaging");
        // halting a rank's JVM in local mode would halt the driver's
        mentions(fails("data: d\nworkers: 2\nfault:\n  kill-rank: 0\n  at-step: 3\n  kind: exit\n"),
                "fault.kind", "exit", "local[2]", "local-cluster");
    }

    @Test
    void workersMinIsAtMostWorkersKeepsTheGlobalBatchDivisibleAndIsForTheRingOnly() {
        JobConfig ok = JobConfig.parse("data: d\nworkers: 4\nworkers-min: 2\ntrain:\n  batch-size: 240\n", "job.yaml",
                List.of()).validate();
        assertEquals(2, ok.workersMin());
        assertEquals(4, JobConfig.parse("data: d\nworkers: 4\ntrain:\n  batch-size: 240\n", "job.yaml", List.of())
                .validate().workersMin());
        assertEquals(120, ok.retry().waitForSlots());
        JobConfig two = ok.withWorkers(2);
        assertEquals(2, two.workers());
        assertEquals(ok.configHash(), ok.withWorkers(4).configHash());
        mentions(fails("data: d\nworkers: 2\nworkers-min: 3\n"), "workers-min", "between 1 and 'workers' (2)",
                "got 3");
        mentions(fails("data: d\nworkers: 4\nworkers-min: 3\ntrain:\n  batch-size: 256\n"), "train.batch-size",
                "every gang size from 'workers-min' (3)", "not of 3");
        mentions(fails("data: d\nworkers: 2\nworkers-min: 1\nstrategy: averaging\n"), "workers-min", "averaging");
        mentions(fails("data: d\nretry:\n  wait-for-slots: -1\n"), "retry.wait-for-slots", ">= 0");
    }

    @Test
    void defaultsAreTheReferenceNeuMF() {
        JobConfig c = JobConfig.parse("data: d\n", "job.yaml", List.of()).validate();
        TrainingSettings s = c.settings();
        assertEquals(20, s.epochs());
        assertEquals(256, s.batchSize());
        assertEquals(4, s.negatives());
        assertEquals(EngineKind.FUSED, s.engine());
        assertEquals(10, s.evalK());
        assertEquals(8, c.model.factors);
        assertEquals(List.of(64, 32, 16, 8), c.model.layers);
        assertEquals(0.001, c.train.learningRate);
        assertEquals("local[1]", c.sparkMaster());
    }

    @Test
    void readsEveryKeyInKebabCase() {
        JobConfig c = JobConfig.parse(String.join("\n",
                "data: /data/ml-100k",
                "workers: 2",
                "model:",
                "  factors: 16",
                "  layers: [32, 16, 8]",
                "train:",
                "  epochs: 3",
                "  batch-size: 512",
                "  learning-rate: 0.002",
                "  negatives: 2",
                "  seed: 7",
                "  engine: dl4j",
                "  threads: 2",
                "eval:",
                "  k: 5",
                "run:",
                "  dir: /tmp/runs",
                "  id: my-run",
                "spark:",
                "  master: local[4]",
                "  conf:",
                "    spark.driver.memory: 2g",
                "hadoop:",
                "  fs.s3a.endpoint: http://localhost:9000",
                ""), "job.yaml", List.of()).validate();
        assertEquals(2, c.workers);
        assertEquals(16, c.model.factors);
        assertEquals(512, c.settings().batchSize());
        assertEquals(EngineKind.DL4J, c.settings().engine());
        assertEquals(2, c.settings().threads());
        assertEquals(5, c.settings().evalK());
        assertEquals("my-run", c.run.id);
        assertEquals("local[4]", c.sparkMaster());
        assertEquals("2g", c.spark.conf.get("spark.driver.memory"));
        assertEquals("http://localhost:9000", c.hadoop.get("fs.s3a.endpoint"));
    }

    @Test
    void overridesApplyAfterTheFile() {
        JobConfig c = JobConfig.parse("data: d\ntrain:\n  epochs: 9\n", "job.yaml",
                List.of("train.epochs=2", "model.layers=[16, 8]", "run.id='x1'")).validate();
        assertEquals(2, c.train.epochs);
        assertEquals(List.of(16, 8), c.model.layers);
        assertEquals("x1", c.run.id);
    }

    @Test
    void unknownKeyIsNamedWithItsLineAndTheKnownKeys() {
        JobConfigException e = fails("data: d\ntrain:\n  epochs: 3\n  batchsize: 64\n");
        mentions(e, "job.yaml", "unknown key 'train.batchsize'", "line 4", "batch-size");
    }

    @Test
    void wrongTypesAreNamed() {
        mentions(fails("data: d\ntrain:\n  epochs: many\n"), "train.epochs", "many");
        mentions(fails("data: d\nmodel:\n  layers: 64\n"), "model.layers");
        mentions(fails("data: d\nworkers: 1.5\n"), "workers");
    }

    @Test
    void invalidValuesAreNamed() {
        mentions(fails(""), "'data' is required");
        mentions(fails("data: d\nworkers: 0\n"), "'workers' must be >= 1");
        mentions(fails("data: d\nworkers: 3\n"), "'train.batch-size' (256) must be a multiple of 'workers' (3)");
        mentions(fails("data: d\nmodel:\n  layers: [63, 8]\n"), "must be even");
        mentions(fails("data: d\nmodel:\n  layers: [64]\n"), "at least two widths");
        mentions(fails("data: d\ntrain:\n  engine: gpu-magic\n"), "unknown train.engine 'gpu-magic'");
        mentions(fails("data: d\ntrain:\n  learning-rate: -1\n"), "train.learning-rate");
        mentions(fails("data: d\ntrain:\n  epochs: 0\n"), "train.epochs must be >= 1");
        mentions(fails("data: d\nrun:\n  id: a/b\n"), "run.id");
        mentions(fails("data: d\n", "train.epochs"), "expected key.path=value");
        mentions(fails("- just\n- a list\n"), "must be a YAML mapping");
        mentions(fails("data: d\ntrain: ~\n"), "'train' must be a mapping");
        mentions(fails("data: d\nstrategy: ~\n"), "'strategy' must be one of allreduce, parameter-server, averaging");
        mentions(fails("data: d\nspark:\n  conf: ~\n"), "'spark.conf' must be a mapping", "use {}");
        mentions(fails("data: d\nrun:\n  dir: ~\n"), "'run.dir'");
        mentions(fails("data: d\n\tworkers: 2\n"), "not valid YAML");
        // found by hand: a tab reported the line before it, over several lines
        JobConfigException tab = fails("data: /tmp/x\ntrain:\n  epochs: 3\n\tbatch-size: 64\n");
        mentions(tab, "job.yaml: not valid YAML at line 4, column 1: ", "TAB", "(indent with spaces)");
        assertEquals(1, tab.getMessage().lines().count(), tab.getMessage());
    }

    @Test
    void eachStrategyDefaultsToItsEngineAndKeepsItsOwnSettings() {
        assertEquals(EngineKind.FUSED, JobConfig.parse("data: d\ntrain:\n  engine: ~\n", "job.yaml", List.of())
                .validate().settings().engine());
        JobConfig ps = JobConfig.parse("data: d\nworkers: 2\nstrategy: parameter-server\nparameter-server:\n"
                + "  ports: 41000-41009\n  threshold: 0.01\n", "job.yaml", List.of()).validate();
        assertEquals(EngineKind.DL4J, ps.settings().engine());
        assertEquals(List.of(41000, 41009), List.of(ps.portRange()[0], ps.portRange()[1]));
        assertEquals(1, ps.parameterServer.trainersPerExecutor);
        JobConfig avg = JobConfig.parse("data: d\nworkers: 2\nstrategy: averaging\naveraging:\n  frequency: 3\n",
                "job.yaml", List.of()).validate();
        assertEquals(EngineKind.DL4J, avg.settings().engine());
        assertEquals(3, avg.averaging.frequency);
        assertEquals(avg.modelSettings(), JobConfig.parse(avg.toYaml(), "resolved", List.of()).validate()
                .modelSettings());
    }

    @Test
    void whatADl4jStrategyCannotDoIsRefusedByName() {
        for (String strategy : List.of("parameter-server", "averaging")) {
            String job = "data: d\nworkers: 2\nstrategy: " + strategy + "\n";
            mentions(fails(job + "train:\n  engine: fused\n"), "strategy " + strategy,
                    "'train.engine' must be dl4j (or left out), got fused");
            mentions(fails(job + "checkpoint:\n  every-steps: 50\n"), "checkpoints at epoch ends only",
                    "'checkpoint.every-steps' must be 0, got 50");
            mentions(fails(job + "allreduce:\n  compression: fp16\n"), "the 'allreduce' section configures"
                    + " Ringmaster's ring, which strategy " + strategy + " does not use");
            mentions(fails(job + "train:\n  threads: 2\n"), "'train.threads' sets the fused engine's BLAS threads");
            mentions(fails(job + strategy + ":\n  stall-timeout: 20\n"), "'" + strategy + ".stall-timeout' must be"
                    + " >= 30 s");
        }
        mentions(fails("data: d\nstrategy: horovod\n"), "'strategy' must be one of allreduce, parameter-server,"
                + " averaging, got 'horovod'");
        String ps = "data: d\nstrategy: parameter-server\nparameter-server:\n";
        mentions(fails(ps + "  ports: 80-90\n"), "'parameter-server.ports' must be a UDP port or range first-last"
                + " within 1024-65535, got '80-90'");
        mentions(fails(ps + "  ports: 5000-4000\n"), "got '5000-4000'");
        mentions(fails(ps + "  threshold: 0\n"), "'parameter-server.threshold' must be a positive number");
        mentions(fails(ps + "  trainers-per-executor: 0\n"), "'parameter-server.trainers-per-executor' must be >= 1");
        mentions(fails(ps + "  connect-timeout: 0\n"), "'parameter-server.connect-timeout' must be >= 1 s");
        mentions(fails("data: d\nstrategy: averaging\naveraging:\n  frequency: 0\n"),
                "'averaging.frequency' must be >= 1, got 0");
    }

    @Test
    void aRunCannotContinueUnderAnotherStrategy() {
        JobConfig ring = JobConfig.parse("data: d\nworkers: 2\n", "job.yaml", List.of()).validate();
        JobConfig avg = JobConfig.parse("data: d\nworkers: 2\nstrategy: averaging\n", "job.yaml", List.of())
                .validate();
        assertEquals(List.of("strategy: allreduce -> averaging", "train.engine: fused -> dl4j"), avg.modelDiff(ring));
        // settings of the strategy's transport are run settings, like the ring's
        JobConfig avg3 = JobConfig.parse("data: d\nworkers: 2\nstrategy: averaging\naveraging:\n  frequency: 3\n",
                "job.yaml", List.of()).validate();
        assertEquals(List.of(), avg3.modelDiff(avg));
    }

    @Test
    void resolvedYamlReadsBackTheSame() {
        JobConfig c = JobConfig.parse("data: d\nworkers: 2\ntrain:\n  batch-size: 64\n", "job.yaml", List.of());
        JobConfig back = JobConfig.parse(c.toYaml(), "resolved", List.of()).validate();
        assertEquals(c.toYaml(), back.toYaml());
        assertTrue(c.toYaml().contains("batch-size: 64"), c.toYaml());
    }

    @Test
    void setTakesHadoopAndSparkConfKeysWholeAndTheirValuesAsGiven() {
        // found by hand: --set split every dot, so hadoop.fs.s3a.secret.key failed with "key 'hadoop.fs': wrong type"
        JobConfig c = JobConfig.parse("data: d\nhadoop:\n  fs.s3a.endpoint: http://minio:9000\n", "job.yaml", List.of(
                "hadoop.fs.s3a.secret.key=[SUPERSECRET:#x", "hadoop.fs.s3a.access.key='AKIA 1'",
                "spark.conf.spark.executor.memory=2g", "spark.conf.spark.hadoop.fs.s3a.endpoint=http://s3:9000",
                "spark.master=local[2]")).validate();
        assertEquals("[SUPERSECRET:#x", c.hadoop.get("fs.s3a.secret.key"));
        assertEquals("AKIA 1", c.hadoop.get("fs.s3a.access.key"));
        assertEquals("http://minio:9000", c.hadoop.get("fs.s3a.endpoint"), "the job file's keys stay");
        assertEquals("2g", c.spark.conf.get("spark.executor.memory"));
        assertEquals("http://s3:9000", c.spark.conf.get("spark.hadoop.fs.s3a.endpoint"));
        assertEquals("local[2]", c.spark.master);
        assertTrue(!c.toRedactedYaml().contains("SUPERSECRET"), c.toRedactedYaml());
        assertEquals(java.util.Map.of("fs.s3a.secret.key", "[SUPERSECRET:#x", "fs.s3a.access.key", "AKIA 1"),
                JobConfig.hadoopOverrides(List.of("hadoop.fs.s3a.secret.key=[SUPERSECRET:#x",
                        "hadoop.fs.s3a.access.key='AKIA 1'", "train.epochs=3")));
    }

    @Test
    void setErrorsNameTheKeyNeverTheValue() {
        // found by hand: a malformed value was echoed back ("...=[SUPERSECRET")
        for (String[] bad : new String[][] {{"train.epochs=[SUPERSECRET",
                "--set train.epochs: the value is not valid YAML"},
                {"train.epochs=SUPERSECRET", "key 'train.epochs'"}, {"SUPERSECRET",
                        "--set number 1: expected key.path=value"},
                {"=SUPERSECRET", "no key before '='"}, {"train.learning-rate={SUPERSECRET: 1}",
                        "key 'train.learning-rate'"}}) {
            JobConfigException e = fails("data: d\n", bad[0]);
            mentions(e, bad[1]);
            assertTrue(!e.getMessage().contains("SUPERSECRET"), e.getMessage());
        }
    }

    @Test
    void credentialsAreRedactedFromTheResolvedJob() {
        JobConfig c = JobConfig.parse("data: d\nhadoop:\n  fs.s3a.access.key: AKIA123\n  fs.s3a.secret.key: s3cr3t\n"
                + "  fs.azure.account.key.acct.blob.core.windows.net: azkey\n"
                + "  fs.s3a.aws.credentials.provider: org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider\n"
                + "  fs.s3a.endpoint: http://minio:9000\nspark:\n  conf:\n    spark.hadoop.fs.s3a.secret.key: s3cr3t\n",
                "job.yaml", List.of());
        String y = c.toRedactedYaml();
        for (String secret : List.of("AKIA123", "s3cr3t", "azkey")) {
            assertTrue(!y.contains(secret), secret + " leaked:\n" + y);
        }
        assertTrue(y.contains("fs.s3a.endpoint: http://minio:9000"), y);
        assertTrue(y.contains("SimpleAWSCredentialsProvider"), y);
        assertTrue(c.toYaml().contains("s3cr3t"), "the unredacted form keeps them for the workers");
        for (String k : List.of("spark.executorEnv.AZURE_STORAGE_KEY", "spark.kubernetes.authenticate.oauthToken",
                "fs.azure.sas.mycontainer.acct.blob.core.windows.net", "spark.ssl.keyStorePassword")) {
            assertTrue(JobConfig.isCredential(k), k);
        }
        for (String k : List.of("fs.s3a.endpoint", "fs.s3a.aws.credentials.provider", "spark.executor.cores",
                "fs.azure.account.auth.type", "fs.s3a.path.style.access")) {
            assertTrue(!JobConfig.isCredential(k), k);
        }
    }

    @Test
    void aClusterProfileSuppliesDefaultsTheJobCanOverride() {
        JobConfig c = JobConfig.parse("data: d\nworkers: 16\ncluster: 8xA100-node\nspark:\n  master:"
                + " spark://head:7077\n"
                + "  conf:\n    spark.executor.memory: 200g\n", "job.yaml", List.of()).validate();
        assertEquals(io.ringmaster.workers.train.EngineKind.DL4J, c.train.engine);
        assertEquals(16 * 8192, c.train.batchSize, "global batch = workers x the profile's per-worker batch");
        assertEquals("8", c.spark.conf.get("spark.executor.resource.gpu.amount"));
        assertEquals("1", c.spark.conf.get("spark.task.resource.gpu.amount"));
        assertEquals("200g", c.spark.conf.get("spark.executor.memory"), "the job's own setting wins");
        assertTrue(c.spark.conf.get("spark.executor.extraJavaOptions").contains("-Dorg.bytedeco.javacpp.maxbytes="));
        assertEquals(8192, c.allreduce.chunkKb);
        JobConfig explicit = JobConfig.parse("data: d\nworkers: 4\ncluster: 4xV100-node\nspark:\n  master:"
                + " spark://h:7077\n",
                "job.yaml", List.of("train.batch-size=1024")).validate();
        assertEquals(1024, explicit.train.batchSize);
        JobConfig cpu = JobConfig.parse("data: d\nworkers: 2\n", "job.yaml", List.of("cluster=local-cpu")).validate();
        assertEquals(io.ringmaster.workers.train.EngineKind.FUSED, cpu.train.engine);
    }

    @Test
    void choicesBindToTheirEnumsAreWrittenBackAsTheirIdsAndTheJobIsFrozen() {
        JobConfig c = JobConfig.parse("data: d\nstrategy: allreduce\ntrain:\n  embedding-optimizer: adam\n"
                + "allreduce:\n  compression: fp16\n", "job.yaml", List.of("loader.mode=memory")).validate();
        assertEquals(Strategy.ALLREDUCE, c.strategy);
        assertEquals(io.ringmaster.workers.ring.Compression.FP16, c.allreduce.compression);
        assertEquals(LoaderMode.MEMORY, c.loader.mode);
        String yaml = c.toYaml();
        for (String line : List.of("strategy: allreduce", "compression: fp16", "mode: memory", "nulls: reject",
                "embedding-optimizer: adam", "transport: auto")) {
            assertTrue(yaml.contains(line), line + " in\n" + yaml);
        }
        assertEquals(c.configHash(), JobConfig.parse(yaml, "again", List.of()).configHash(), "the YAML reads back");
        mentions(fails("data: d\ntrain:\n  engine: gpu\n"), "key 'train.engine' (line 3)", "'gpu'",
                "fused or dl4j");
        mentions(fails("data: d\n", "loader.mode=disk"), "key 'loader.mode'", "memory or stream");
        mentions(fails("data: d\nmodel:\n  type: lightfm\n"),
                "'model.type' must be one of neumf, als, item2vec, svd, got 'lightfm'");
        mentions(fails("data: d\n", "eval.select=auc"), "'eval.select' must be one of hr, ndcg, map, got 'auc'");
        assertThrows(UnsupportedOperationException.class, () -> c.spark.conf.put("spark.x", "y"));
        assertThrows(UnsupportedOperationException.class, () -> c.model.layers.set(0, 2));
        JobConfig named = c.withRunId("r1").withSparkConf(java.util.Map.of("spark.x", "y"));
        assertEquals("r1", named.run.id);
        assertEquals("y", named.spark.conf.get("spark.x"));
        assertEquals(null, c.run.id, "copies: the original is unchanged");
        assertEquals(null, c.spark.conf.get("spark.x"));
    }

    @Test
    void aClusterProfileGivesDl4jStrategiesItsSparkSettingsButNotTheRingsOwn() {
        JobConfig ps = JobConfig.parse("data: d\nworkers: 16\ncluster: 8xA100-node\nstrategy: parameter-server\n"
                + "spark:\n  master: spark://head:7077\n", "job.yaml", List.of()).validate();
        assertEquals(io.ringmaster.workers.train.EngineKind.DL4J, ps.engine());
        assertEquals(new JobSections.AllReduce().chunkKb, ps.allreduce.chunkKb, "the ring's chunk is not this job's");
        assertEquals("8", ps.spark.conf.get("spark.executor.resource.gpu.amount"));
        assertEquals(16 * 8192, ps.train.batchSize);
        JobConfig avg = JobConfig.parse("data: d\nworkers: 2\n", "job.yaml", List.of("cluster=local-cpu",
                "strategy=averaging")).validate();
        assertEquals(EngineKind.DL4J, avg.settings().engine());
    }

    @Test
    void impossibleClusterSettingsAreRefusedWithTheReason() throws Exception {
        JobConfigException unknown = assertThrows(JobConfigException.class,
                () -> JobConfig.parse("data: d\ncluster: 16xTPU\n", "job.yaml", List.of()));
        assertTrue(unknown.getMessage().contains("unknown cluster profile '16xTPU'; built-in: local-cpu, single-gpu"),
                unknown.getMessage());
        JobConfigException slots = assertThrows(JobConfigException.class, () -> JobConfig.parse(
                "data: d\nworkers: 2\ncluster: single-gpu\nspark:\n  master: spark://h:7077\n", "job.yaml",
                List.of()).validate());
        assertTrue(slots.getMessage().contains("1 executor(s) x 1 GPUs / 1 per worker = 1 worker slots"),
                slots.getMessage());
        JobConfigException local = assertThrows(JobConfigException.class, () -> JobConfig.parse(
                "data: d\ncluster: single-gpu\n", "job.yaml", List.of()).validate());
        assertTrue(local.getMessage().contains("cannot schedule"), local.getMessage());
        java.nio.file.Path bad = java.nio.file.Files.createTempFile("profile", ".yaml");
        java.nio.file.Files.writeString(bad,
                "name: x\ngpus-per-executor: 2\ngpus-per-task: 4\nnd4j:\n  backend: cuda\n");
        JobConfigException task = assertThrows(JobConfigException.class,
                () -> JobConfig.parse("data: d\ncluster: " + bad + "\n", "job.yaml", List.of()));
        assertTrue(task.getMessage().contains("gpus-per-task (4) is more than an executor has"), task.getMessage());
        java.nio.file.Files.writeString(bad, "name: x\ngpu-count: 2\n");
        JobConfigException key = assertThrows(JobConfigException.class,
                () -> JobConfig.parse("data: d\ncluster: " + bad + "\n", "job.yaml", List.of()));
        assertTrue(key.getMessage().contains("unknown key 'gpu-count'"), key.getMessage());
        assertEquals(5, ClusterProfile.describeBuiltIns().size());
    }

    @Test
    void sparseGradientsDefaultToAdamAndAutoAndBadValuesAreRefusedByKey() {
        JobConfig c = JobConfig.parse("data: d\n", "job.yaml", List.of()).validate();
        assertEquals(io.ringmaster.workers.model.EmbeddingOptimizer.ADAM, c.settings().embeddingOptimizer());
        assertEquals(io.ringmaster.workers.train.EmbeddingExchange.AUTO, c.settings().embeddings());
        assertEquals(io.ringmaster.workers.ring.Transport.AUTO, c.ringOptions().transport());
        JobConfig set = JobConfig.parse("data: d\ntrain:\n  embedding-optimizer: lazy-adam\nallreduce:\n"
                + "  embeddings: dense\n  transport: tcp\n", "job.yaml", List.of()).validate();
        assertEquals(io.ringmaster.workers.model.EmbeddingOptimizer.LAZY_ADAM, set.settings().embeddingOptimizer());
        assertEquals(io.ringmaster.workers.train.EmbeddingExchange.DENSE, set.settings().embeddings());
        assertEquals(io.ringmaster.workers.ring.Transport.TCP, set.ringOptions().transport());

        mentions(fails("data: d\nallreduce:\n  embeddings: sometimes\n"), "allreduce.embeddings must be auto, sparse or"
                + " dense, got 'sometimes'");
        mentions(fails("data: d\n", "allreduce.embeddings=Sparse"), "allreduce.embeddings", "'Sparse'");
        mentions(fails("data: d\ntrain:\n  embedding-optimizer: sgd\n"),
                "train.embedding-optimizer must be lazy-adam or"
                + " adam, got 'sgd'");
        mentions(fails("data: d\nallreduce:\n  transport: rdma\n"), "allreduce.transport must be auto, tcp or shm, got"
                + " 'rdma'");
        // the dl4j engine is DL4J's dense Adam on one dense gradient
        JobConfig dl4j = JobConfig.parse("data: d\ntrain:\n  engine: dl4j\n", "job.yaml", List.of()).validate();
        assertEquals(io.ringmaster.workers.model.EmbeddingOptimizer.ADAM, dl4j.settings().embeddingOptimizer());
        mentions(fails("data: d\ntrain:\n  engine: dl4j\n  embedding-optimizer: lazy-adam\n"),
                "train.embedding-optimizer lazy-adam needs train.engine fused");
        mentions(fails("data: d\ntrain:\n  engine: dl4j\nallreduce:\n  embeddings: sparse\n"),
                "'allreduce.embeddings' sparse needs train.engine fused");
        mentions(fails("data: d\nstrategy: averaging\nallreduce:\n  embeddings: dense\n"), "the 'allreduce' section");
    }

    @Test
    void aRunCannotSwitchItsEmbeddingOptimizerAndOldRunsKeepAdam() {
        JobConfig lazy = JobConfig.parse("data: d\n", "job.yaml", List.of("train.embedding-optimizer=lazy-adam"))
                .validate();
        JobConfig adam = JobConfig.parse("data: d\n", "job.yaml", List.of()).validate();
        assertEquals(List.of("train.embedding-optimizer: adam -> lazy-adam"), lazy.modelDiff(adam));
        // adam adds nothing to the model settings, so a run from before lazy Adam keeps its config hash
        JobConfig before = JobConfig.parse("data: d\n", "job.yaml", List.of("train.embedding-optimizer=adam"));
        assertTrue(!before.modelSettings().containsKey("train.embedding-optimizer"));
        assertEquals("lazy-adam", lazy.modelSettings().get("train.embedding-optimizer"));
    }
}
