package dev.webhooks.sender.internal;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.SocketFactory;

/**
 * A test guard: counts the sockets OkHttp creates, and refuses to connect any of them to an address
 * that is not loopback, recording the attempt instead. Tests assert that nothing was refused, so a
 * broken address check fails the test without a packet leaving the machine.
 */
final class LoopbackOnlySockets extends SocketFactory {
  final AtomicInteger created = new AtomicInteger();
  final List<SocketAddress> refused = new CopyOnWriteArrayList<>();

  @Override
  public Socket createSocket() {
    created.incrementAndGet();
    return new Socket() {
      @Override
      public void connect(SocketAddress endpoint, int timeout) throws IOException {
        InetAddress address = endpoint instanceof InetSocketAddress inet ? inet.getAddress() : null;
        if (address == null || !address.isLoopbackAddress()) {
          refused.add(endpoint);
          throw new ConnectException("test guard: not connecting to non-loopback " + endpoint);
        }
        super.connect(endpoint, timeout);
      }
    };
  }

  @Override
  public Socket createSocket(String host, int port) {
    throw new UnsupportedOperationException("only createSocket() is used");
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort) {
    throw new UnsupportedOperationException("only createSocket() is used");
  }

  @Override
  public Socket createSocket(InetAddress host, int port) {
    throw new UnsupportedOperationException("only createSocket() is used");
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) {
    throw new UnsupportedOperationException("only createSocket() is used");
  }
}
