package dev.ember.backend;

import com.sun.net.httpserver.HttpExchange;
import dev.ember.index.query.QueryCancelledException;
import dev.ember.index.query.QueryContext;
import dev.ember.index.query.QueryLimits;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs HTTP queries with a {@link QueryContext} and stops them when their client goes away.
 *
 * <p>The JDK's HTTP server does not read a connection while its handler runs, so a closed
 * connection shows only when we write to it. A JSON query therefore runs on its own thread; if it
 * has not finished after {@link #COMMIT_AFTER_MILLIS}, the response is committed (200, chunked) and
 * a space, which JSON allows before a value, is written every second. When a write fails the client
 * is gone and the query is cancelled. A query that fails after that point reports the failure in
 * the body instead of the status: {@code {"error": "...", "status": 503}}. Fast queries, and all
 * failures found before the commit, answer with their proper status.
 */
final class QueryRunner {
  private static final Logger logger = Logger.getLogger(QueryRunner.class.getName());
  static final long COMMIT_AFTER_MILLIS = 3000;
  static final long HEARTBEAT_MILLIS = 1000;

  private final QueryLimits limits;

  QueryRunner(QueryLimits limits) {
    this.limits = limits;
  }

  QueryLimits limits() {
    return limits;
  }

  interface Work<T> {
    T run(QueryContext ctx) throws IOException;
  }

  interface Body<T> {
    void write(com.google.gson.stream.JsonWriter w, T result) throws IOException;
  }

  /** Runs on the caller's thread (for binary and text exports); storage errors become 500s. */
  <T> T direct(Work<T> work) {
    QueryContext ctx = QueryContext.of(limits);
    try {
      return work.run(ctx);
    } catch (IOException e) {
      throw new HttpApi.StorageError(e);
    }
  }

  /** Runs a query and answers its result as JSON, watching the client while it runs. */
  <T> void json(HttpExchange ex, Work<T> work, Body<T> body) throws IOException {
    QueryContext ctx = QueryContext.of(limits);
    FutureTask<T> task =
        new FutureTask<>(
            () -> {
              try {
                return work.run(ctx);
              } catch (IOException e) {
                throw new HttpApi.StorageError(e);
              }
            });
    Thread.ofVirtual().name("ember-http-query").start(task);
    T result;
    try {
      result = task.get(COMMIT_AFTER_MILLIS, TimeUnit.MILLISECONDS);
    } catch (TimeoutException slow) {
      streamWhileRunning(ex, ctx, task, body);
      return;
    } catch (ExecutionException e) {
      throw rethrow(e);
    } catch (InterruptedException e) {
      ctx.cancel("the server is stopping");
      Thread.currentThread().interrupt();
      throw new QueryCancelledException("the server is stopping", false);
    }
    HttpApi.sendJson(ex, w -> body.write(w, result));
  }

  private <T> void streamWhileRunning(
      HttpExchange ex, QueryContext ctx, FutureTask<T> task, Body<T> body) throws IOException {
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(200, 0);
    OutputStream os = ex.getResponseBody();
    while (true) {
      try {
        T result = task.get(HEARTBEAT_MILLIS, TimeUnit.MILLISECONDS);
        HttpApi.writeJson(os, w -> body.write(w, result));
        os.close();
        return;
      } catch (TimeoutException still) {
        try {
          os.write(' ');
          os.flush();
        } catch (IOException gone) {
          ctx.cancel("the client went away");
          logger.log(Level.FINE, "client of {0} went away; query cancelled", ex.getRequestURI());
          return;
        }
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        int status = HttpApi.status(cause);
        if (status >= 500 && !(cause instanceof QueryCancelledException)) {
          logger.log(Level.WARNING, "query failed on " + ex.getRequestURI(), cause);
        }
        String message = HttpApi.message(cause);
        HttpApi.writeJson(os, w -> HttpApi.errorBody(w, status, message));
        os.close();
        return;
      } catch (InterruptedException e) {
        ctx.cancel("the server is stopping");
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static RuntimeException rethrow(ExecutionException e) {
    Throwable cause = e.getCause();
    if (cause instanceof RuntimeException re) {
      return re;
    } else if (cause instanceof Error err) {
      throw err;
    }
    return new IllegalStateException(cause);
  }
}
