package dev.ember.backend;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Bounds the request bytes being decoded, validated and stored at once, so a burst of large
 * requests slows clients down ({@code RESOURCE_EXHAUSTED} with a retry delay) instead of running
 * the backend out of memory. A decoded request takes a few times its size on the heap; the budget
 * defaults to an eighth of the maximum heap. A request larger than the whole budget still passes
 * when nothing else is in flight, so no legal request is refused forever. Thread-safe.
 */
final class IngestGate {
  /** How long a request waits for room before it is told to retry. */
  static final Duration WAIT = Duration.ofMillis(200);

  /** The delay suggested to refused clients. */
  static final Duration RETRY_AFTER = Duration.ofSeconds(1);

  private final long budget;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition released = lock.newCondition();
  private long inFlight;

  IngestGate(long budgetBytes) {
    if (budgetBytes < 1) {
      throw new IllegalArgumentException("ingest memory budget must be positive");
    }
    this.budget = budgetBytes;
  }

  static long defaultBudget() {
    return Math.max(16L << 20, Runtime.getRuntime().maxMemory() / 8);
  }

  long budget() {
    return budget;
  }

  long inFlight() {
    lock.lock();
    try {
      return inFlight;
    } finally {
      lock.unlock();
    }
  }

  /** Room for one request; close it when the request is done. */
  final class Reservation implements AutoCloseable {
    private long bytes;

    private Reservation(long bytes) {
      this.bytes = bytes;
    }

    /** Grows the reservation to {@code total} bytes (a gzip body turned out larger). */
    void growTo(long total) {
      if (total > bytes) {
        acquire(total - bytes, bytes);
        bytes = total;
      }
    }

    @Override
    public void close() {
      lock.lock();
      try {
        inFlight -= bytes;
        bytes = 0;
        released.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }

  /** Reserves room or throws {@link IngestException.Kind#OVERLOADED} after a short wait. */
  Reservation reserve(long bytes) {
    acquire(bytes, 0);
    return new Reservation(bytes);
  }

  /** Waits for room for {@code bytes} more; {@code own} is what the caller already holds. */
  private void acquire(long bytes, long own) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    lock.lock();
    try {
      while (inFlight - own > 0 && inFlight + bytes > budget) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new IngestException(
              IngestException.Kind.OVERLOADED,
              "overloaded",
              "the backend is busy ("
                  + (inFlight >> 20)
                  + " MiB of requests in progress, budget "
                  + (budget >> 20)
                  + " MiB); retry after "
                  + RETRY_AFTER.toMillis()
                  + " ms",
              RETRY_AFTER);
        }
        released.await(left, TimeUnit.NANOSECONDS);
      }
      inFlight += bytes;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IngestException(
          IngestException.Kind.UNAVAILABLE, "interrupted", "the backend is shutting down");
    } finally {
      lock.unlock();
    }
  }
}
