package org.caviar.search.storage;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy in front of a PostgreSQL server that, once armed, swallows the first reply holding a
 * command tag (e.g. {@code INSERT 0 1}) up to the ReadyForQuery that ends its transaction, then
 * drops the connection: what a client sees when the network fails after the server committed.
 */
final class CuttingProxy implements AutoCloseable {
  /** ReadyForQuery with status idle: 'Z', length 5, 'I'. After a command's tag it means its transaction ended. */
  private static final byte[] READY_IDLE = {'Z', 0, 0, 0, 5, 'I'};

  private final ServerSocket listener;
  private final int serverPort;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private volatile byte[] armedTag;
  private volatile boolean cutAfterCommit;

  CuttingProxy(int serverPort) throws IOException {
    this.serverPort = serverPort;
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread accept = new Thread(this::acceptLoop, "cutting-proxy");
    accept.setDaemon(true);
    accept.start();
  }

  int port() {
    return listener.getLocalPort();
  }

  /** Cuts the next connection whose reply holds {@code tag}, once. */
  void armOn(String tag) {
    cutAfterCommit = false;
    armedTag = tag.getBytes(StandardCharsets.US_ASCII);
  }

  /** Whether a reply was swallowed whole: its tag and then the ReadyForQuery (idle) ending its transaction. */
  boolean cutAfterCommit() {
    return cutAfterCommit;
  }

  private void acceptLoop() {
    try {
      while (true) {
        Socket client = listener.accept();
        Socket server = new Socket(InetAddress.getLoopbackAddress(), serverPort);
        sockets.add(client);
        sockets.add(server);
        pump(client, server, false);
        pump(server, client, true);
      }
    } catch (IOException closed) {
      // close() ends the loop
    }
  }

  private void pump(Socket from, Socket to, boolean fromServer) {
    Thread t = new Thread(() -> {
      byte[] buf = new byte[16384];
      ByteArrayOutputStream swallowed = null;
      byte[] cutTag = null;
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        int n;
        while ((n = in.read(buf)) > 0) {
          byte[] tag = armedTag;
          if (fromServer && swallowed == null && tag != null && indexOf(Arrays.copyOf(buf, n), tag, 0) >= 0) {
            armedTag = null;
            cutTag = tag;
            swallowed = new ByteArrayOutputStream();
          }
          if (swallowed == null) {
            out.write(buf, 0, n);
            out.flush();
            continue;
          }
          swallowed.write(buf, 0, n);
          byte[] all = swallowed.toByteArray();
          if (indexOf(all, READY_IDLE, indexOf(all, cutTag, 0)) >= 0) {
            cutAfterCommit = true;
            from.close();
            to.close();
            return;
          }
        }
      } catch (IOException closed) {
        // either side went away
      } finally {
        try {
          from.close();
          to.close();
        } catch (IOException ignored) {
          // already closed
        }
      }
    }, "cutting-proxy-pump");
    t.setDaemon(true);
    t.start();
  }

  private static int indexOf(byte[] hay, byte[] needle, int from) {
    outer:
    for (int i = from; i <= hay.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
      return i;
    }
    return -1;
  }

  @Override
  public void close() throws IOException {
    listener.close();
    for (Socket s : sockets) s.close();
  }
}
