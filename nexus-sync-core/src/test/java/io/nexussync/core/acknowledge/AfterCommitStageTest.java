package io.nexussync.core.acknowledge;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AfterCommitStageTest {
    private final ExecutorService pool = Executors.newFixedThreadPool(4);

    @AfterEach
    void shutdown() {
        pool.shutdownNow();
    }

    @Test
    void shouldRunStepsInSubmissionOrderEvenOnSeveralThreads() throws InterruptedException {
        AfterCommitStage stage = new AfterCommitStage(pool);
        List<Integer> ran = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 200; i++) {
            int batch = i;
            stage.submit(() -> {
                if (batch % 7 == 0) {
                    Thread.onSpinWait(); // uneven work, so a reordering would show
                }
                ran.add(batch);
            });
        }
        stage.drain();
        assertThat(ran).hasSize(200).isSorted();
    }

    @Test
    void shouldGoOnWithLaterBatchesWhenOneStepFails() throws InterruptedException {
        AfterCommitStage stage = new AfterCommitStage(pool);
        List<String> ran = new CopyOnWriteArrayList<>();
        stage.submit(() -> ran.add("first"));
        stage.submit(() -> {
            throw new IllegalStateException("write-back blew up");
        });
        stage.submit(() -> ran.add("third"));
        stage.drain();
        assertThat(ran).containsExactly("first", "third");
    }

    @Test
    void shouldMakeTheApplyLoopWaitWhenTooManyBatchesArePending() throws InterruptedException {
        AfterCommitStage stage = new AfterCommitStage(pool);
        CountDownLatch release = new CountDownLatch(1);
        for (int i = 0; i < AfterCommitStage.MAX_PENDING; i++) {
            stage.submit(() -> awaitQuietly(release));
        }
        Thread applyLoop = new Thread(() -> {
            try {
                stage.submit(() -> { });
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        applyLoop.start();
        applyLoop.join(300);
        assertThat(applyLoop.isAlive()).as("the apply loop runs ahead of %d pending batches", AfterCommitStage.MAX_PENDING).isTrue();
        release.countDown();
        applyLoop.join(5_000);
        assertThat(applyLoop.isAlive()).isFalse();
        stage.drain();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
