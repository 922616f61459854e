package dev.ember.exporter;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextStorage;
import io.opentelemetry.context.Scope;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Wraps OpenTelemetry's context storage so that every change of the current span on a thread is
 * written into JFR as a {@link SpanContextEvent}: on attach (a request thread, an executor thread
 * running a task whose context the agent propagated, a virtual thread, a reactive hop) and on the
 * scope's close, which restores the span before it. Span start and end callbacks cannot see these
 * hand-offs; the storage sees them all.
 *
 * <p>Cheap on application threads: nothing happens while profiling is off; otherwise only a real
 * change of sampled span writes an event (about 150 ns).
 */
final class TrackingContextStorage implements ContextStorage {
  private static final Logger logger = Logger.getLogger(TrackingContextStorage.class.getName());
  private static final AtomicBoolean installed = new AtomicBoolean();
  private static final AtomicBoolean failed = new AtomicBoolean();
  private static volatile boolean active;
  private static volatile boolean working;

  private final ContextStorage delegate;

  private TrackingContextStorage(ContextStorage delegate) {
    this.delegate = delegate;
  }

  /**
   * Registers the wrapper with OpenTelemetry. It takes effect only if OpenTelemetry has not yet
   * created its context storage; {@link #isWorking()} says whether it did.
   */
  static void install() {
    if (installed.compareAndSet(false, true)) {
      ContextStorage.addWrapper(TrackingContextStorage::new);
    }
  }

  /** Turns event writing on or off (the sampler's recording is running or not). */
  static void setActive(boolean on) {
    active = on;
  }

  /**
   * True once the wrapper has been seen in use: attaching a test context reached it. False means
   * the storage was created before {@link #install()}, and samples will carry no span links.
   */
  static boolean selfCheck() {
    if (!working) {
      Context probe = Context.root().with(Span.getInvalid());
      try (Scope ignored = probe.makeCurrent()) {
        // attach() below sets working when this storage is the one in use
      } catch (RuntimeException e) {
        logger.log(Level.FINE, "context self-check failed", e);
      }
    }
    return working;
  }

  @Override
  public Scope attach(Context toAttach) {
    if (!working) {
      working = true;
    }
    if (!active) {
      return delegate.attach(toAttach);
    }
    Context before = delegate.current();
    Scope scope = delegate.attach(toAttach);
    if (scope == Scope.noop() || toAttach == null) {
      return scope;
    }
    Span prevSpan = before == null ? Span.getInvalid() : Span.fromContext(before);
    Span nextSpan = Span.fromContext(toAttach);
    if (prevSpan == nextSpan) {
      return scope;
    }
    SpanIds prev = LocalRootSpans.idsOf(prevSpan);
    SpanIds next = LocalRootSpans.idsOf(nextSpan);
    if (prev.sameSpan(next)) {
      return scope;
    }
    emit(next);
    return () -> {
      scope.close();
      if (active) {
        emit(prev);
      }
    };
  }

  @Override
  public Context current() {
    return delegate.current();
  }

  @Override
  public Context root() {
    return delegate.root();
  }

  /** Writes one event; never throws into the application thread that changed its context. */
  static void emit(SpanIds ids) {
    try {
      SpanContextEvent e = new SpanContextEvent();
      if (e.isEnabled()) {
        e.traceIdHigh = ids.traceIdHigh();
        e.traceIdLow = ids.traceIdLow();
        e.spanId = ids.spanId();
        e.localRootSpanId = ids.localRootSpanId();
        e.commit();
      }
    } catch (RuntimeException | LinkageError e) {
      active = false;
      if (failed.compareAndSet(false, true)) {
        logger.log(
            Level.WARNING,
            "Ember profiling: cannot write span changes into JFR; samples carry no span links",
            e);
      }
    }
  }
}
