package dev.ember.examples.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP relay on a free loopback port that forwards every connection to a target port and counts
 * the bytes clients send through it: the bytes an exporter puts on the wire (after gzip, with
 * HTTP/2 framing), readable at any moment. Threads are daemons; {@link #close} stops accepting.
 */
final class CountingProxy implements AutoCloseable {
  private final ServerSocket server;
  private final int targetPort;
  private final AtomicLong upstreamBytes = new AtomicLong();

  CountingProxy(int targetPort) throws IOException {
    this.targetPort = targetPort;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::accept, "proxy-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int port() {
    return server.getLocalPort();
  }

  /** Bytes received from clients so far. */
  long upstreamBytes() {
    return upstreamBytes.get();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        Socket target = new Socket();
        target.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 5000);
        pump(client, target, upstreamBytes);
        pump(target, client, new AtomicLong());
      } catch (IOException e) {
        // closed, or the target is gone: the client sees its connection fail and retries
      }
    }
  }

  private static void pump(Socket from, Socket to, AtomicLong counter) {
    Thread t =
        new Thread(
            () -> {
              byte[] buf = new byte[16 << 10];
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                  counter.addAndGet(n);
                  out.write(buf, 0, n);
                  out.flush();
                }
              } catch (IOException e) {
                // one side closed
              } finally {
                closeQuietly(from);
                closeQuietly(to);
              }
            },
            "proxy-pump");
    t.setDaemon(true);
    t.start();
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // already closed
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
