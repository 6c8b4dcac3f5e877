package refusallens.service.inference;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.jboss.logging.Logger;
import refusallens.service.config.ServiceConfig;
import refusallens.service.engine.Classification;
import refusallens.service.engine.Engines;
import refusallens.service.engine.TokenizedPrompt;

/**
 * The bounded inference executor: one worker thread owns the model (ND4J already spreads one forward pass
 * over the cores), fed by a bounded queue. Classify prompts that arrive together are scored in one batched
 * forward pass (dynamic micro-batching: the oldest waits at most {@code max-wait} for company, a batch holds
 * at most {@code max-batch} prompts); generation jobs take turns with classify batches. A request that does
 * not fit in the queue is refused at once ({@link QueueFullException}), so load never piles up unbounded.
 */
@ApplicationScoped
public class InferenceExecutor {

  private static final Logger LOG = Logger.getLogger(InferenceExecutor.class);

  private record ClassifyTask(
      TokenizedPrompt prompt, int topFeatures, long enqueuedNanos, CompletableFuture<ScoredPrompt> result) {}

  private record GenerationTask<T>(
      Function<Engines, T> job, long enqueuedNanos, CompletableFuture<T> result) {
    void run(Engines engines) {
      try {
        result.complete(job.apply(engines));
      } catch (RuntimeException | Error e) {
        result.completeExceptionally(e);
      }
    }
  }

  private final EngineHolder holder;
  private final int capacity;
  private final int maxBatch;
  private final long maxWaitNanos;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ArrayDeque<ClassifyTask> classifyQueue = new ArrayDeque<>();
  private final ArrayDeque<GenerationTask<?>> generationQueue = new ArrayDeque<>();
  private final Timer classifyForward;
  private final Timer generateForward;
  private final DistributionSummary batchSizes;
  private final Counter rejected;
  private volatile boolean running;
  private Thread worker;

  @Inject
  public InferenceExecutor(EngineHolder holder, ServiceConfig config, MeterRegistry registry) {
    this.holder = holder;
    this.capacity = config.batching().queueSize();
    this.maxBatch = config.batching().maxBatch();
    this.maxWaitNanos = config.batching().maxWait().toNanos();
    if (capacity < 1 || maxBatch < 1 || maxWaitNanos < 0) {
      throw new IllegalArgumentException(
          "refusallens.service.batching: queue-size and max-batch must be >= 1 and max-wait >= 0");
    }
    Gauge.builder("refusallens.queue.depth", this, InferenceExecutor::depth)
        .description("Prompts waiting for the model (classify items plus generation jobs)")
        .register(registry);
    Gauge.builder("refusallens.queue.capacity", () -> capacity).register(registry);
    this.classifyForward =
        Timer.builder("refusallens.model.forward")
            .description("Model time per batch (classify) or per job (generate)")
            .tag("op", "classify")
            .publishPercentiles(0.5, 0.95, 0.99)
            .register(registry);
    this.generateForward =
        Timer.builder("refusallens.model.forward")
            .description("Model time per batch (classify) or per job (generate)")
            .tag("op", "generate")
            .publishPercentiles(0.5, 0.95, 0.99)
            .register(registry);
    this.batchSizes =
        DistributionSummary.builder("refusallens.classify.batch.size")
            .description("Prompts per classify forward pass")
            .register(registry);
    this.rejected =
        Counter.builder("refusallens.queue.rejected")
            .description("Requests refused with 503 because the queue was full")
            .register(registry);
  }

  void onStart(@Observes StartupEvent event) {
    running = true;
    worker = new Thread(this::workLoop, "inference-worker");
    worker.setDaemon(true);
    worker.start();
  }

  void onStop(@Observes ShutdownEvent event) throws InterruptedException {
    lock.lock();
    try {
      running = false;
      changed.signalAll();
      ModelNotReadyException stopping = new ModelNotReadyException("service is shutting down");
      classifyQueue.forEach(t -> t.result().completeExceptionally(stopping));
      generationQueue.forEach(t -> t.result().completeExceptionally(stopping));
      classifyQueue.clear();
      generationQueue.clear();
    } finally {
      lock.unlock();
    }
    if (worker != null) {
      worker.join(TimeUnit.SECONDS.toMillis(10));
    }
  }

  /** Queued prompts and jobs right now. */
  public int depth() {
    lock.lock();
    try {
      return classifyQueue.size() + generationQueue.size();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Queues every prompt for scoring, all or none.
   *
   * @throws QueueFullException when the queue cannot take them all
   */
  public List<CompletableFuture<ScoredPrompt>> classify(List<TokenizedPrompt> prompts, int topFeatures) {
    requireFits(prompts.size()); // 413 even before the model is ready: it could never be queued
    holder.require();
    long now = System.nanoTime();
    List<CompletableFuture<ScoredPrompt>> results = new ArrayList<>(prompts.size());
    lock.lock();
    try {
      reserve(prompts.size());
      for (TokenizedPrompt p : prompts) {
        CompletableFuture<ScoredPrompt> f = new CompletableFuture<>();
        classifyQueue.add(new ClassifyTask(p, topFeatures, now, f));
        results.add(f);
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    return results;
  }

  /**
   * Queues model jobs (generations) that run one at a time on the inference thread, all or none.
   *
   * @throws QueueFullException when the queue cannot take them all
   */
  public <T> List<CompletableFuture<T>> submit(List<Function<Engines, T>> jobs) {
    requireFits(jobs.size()); // 413 even before the model is ready: it could never be queued
    holder.require();
    long now = System.nanoTime();
    List<CompletableFuture<T>> results = new ArrayList<>(jobs.size());
    lock.lock();
    try {
      reserve(jobs.size());
      for (Function<Engines, T> job : jobs) {
        CompletableFuture<T> f = new CompletableFuture<>();
        generationQueue.add(new GenerationTask<>(job, now, f));
        results.add(f);
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    return results;
  }

  private void requireFits(int n) {
    if (n > capacity) {
      throw new LargerThanQueueException(n, capacity);
    }
  }

  private void reserve(int n) {
    if (!running) {
      throw new ModelNotReadyException("inference executor is not running");
    }
    int queued = classifyQueue.size() + generationQueue.size();
    if (queued + n > capacity) {
      rejected.increment();
      throw new QueueFullException(queued, capacity, n);
    }
  }

  private void workLoop() {
    boolean lastWasClassify = false;
    while (true) {
      List<ClassifyTask> batch = null;
      GenerationTask<?> job = null;
      lock.lock();
      try {
        while (running && classifyQueue.isEmpty() && generationQueue.isEmpty()) {
          changed.awaitUninterruptibly();
        }
        if (!running) {
          return;
        }
        // Generation and classify take turns so neither starves the other.
        if (!generationQueue.isEmpty() && (classifyQueue.isEmpty() || lastWasClassify)) {
          job = generationQueue.poll();
        } else {
          long deadline = classifyQueue.peek().enqueuedNanos() + maxWaitNanos;
          while (running && classifyQueue.size() < maxBatch) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
              break;
            }
            try {
              changed.awaitNanos(left);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              return;
            }
          }
          batch = new ArrayList<>(Math.min(maxBatch, classifyQueue.size()));
          while (batch.size() < maxBatch && !classifyQueue.isEmpty()) {
            batch.add(classifyQueue.poll());
          }
        }
      } finally {
        lock.unlock();
      }
      if (batch != null && !batch.isEmpty()) {
        runBatch(batch);
        lastWasClassify = true;
      } else if (job != null) {
        runJob(job);
        lastWasClassify = false;
      }
    }
  }

  private void runBatch(List<ClassifyTask> batch) {
    long start = System.nanoTime();
    try {
      Engines engines = holder.require();
      int top = batch.stream().mapToInt(ClassifyTask::topFeatures).max().orElse(0);
      List<TokenizedPrompt> prompts = batch.stream().map(ClassifyTask::prompt).toList();
      List<Classification> scored = engines.classifier().classify(prompts, top);
      long end = System.nanoTime();
      classifyForward.record(end - start, TimeUnit.NANOSECONDS);
      batchSizes.record(batch.size());
      if (scored.size() != batch.size()) {
        throw new IllegalStateException(
            "classification engine returned " + scored.size() + " results for " + batch.size() + " prompts");
      }
      double forwardMs = (end - start) / 1e6;
      for (int i = 0; i < batch.size(); i++) {
        ClassifyTask t = batch.get(i);
        Classification c = scored.get(i);
        if (c.topFeatures().size() > t.topFeatures()) {
          c = new Classification(c.score(), c.topFeatures().subList(0, t.topFeatures()), c.promptTokens());
        }
        t.result().complete(new ScoredPrompt(c, (start - t.enqueuedNanos()) / 1e6, forwardMs, batch.size()));
      }
    } catch (RuntimeException | Error e) {
      LOG.error("classify batch failed", e);
      batch.forEach(t -> t.result().completeExceptionally(e));
    }
  }

  private void runJob(GenerationTask<?> job) {
    long start = System.nanoTime();
    try {
      job.run(holder.require());
    } catch (ModelNotReadyException e) {
      job.result().completeExceptionally(e);
    }
    generateForward.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
  }
}
