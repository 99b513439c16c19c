package dev.webhooks.sender.internal;

import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.ProtocolException;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Locale;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * Turns an attempt's {@link IOException} into a short, fixed error text. The exception's own
 * message is never used, except the URL policy's (which names only the host): OkHttp's messages can
 * hold the URL with its query, and the receiver's text.
 */
final class IoErrors {
  private IoErrors() {}

  /**
   * @param e what the attempt threw
   * @param responseStarted whether the status line and headers had arrived
   * @param timeout the deliverer's timeout, for the message
   * @param host the URL's host, for the message
   */
  static String describe(IOException e, boolean responseStarted, Duration timeout, String host) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof PolicyDns.RefusedByPolicy) {
        return "refused by URL policy: " + t.getMessage();
      }
    }
    if (isInterrupted(e)) {
      return "interrupted";
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof InterruptedIOException) {
        return "timeout after " + timeout.toMillis() + " ms";
      }
      if (t instanceof UnknownHostException) {
        return "unknown host " + host;
      }
      if (t instanceof NoRouteToHostException) {
        return "no route to host";
      }
      if (t instanceof ConnectException) {
        return "connection refused";
      }
      if (t instanceof SSLHandshakeException || t instanceof SSLPeerUnverifiedException) {
        return "TLS handshake failed";
      }
      if (t instanceof SSLException) {
        return "TLS error";
      }
      String message = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
      if (t instanceof SocketException && message.contains("reset")) {
        return "connection reset";
      }
      if (t instanceof EOFException || message.startsWith("unexpected end of stream")) {
        return closed(responseStarted);
      }
      if (t instanceof ProtocolException) {
        return "HTTP protocol error";
      }
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SocketException) {
        return closed(responseStarted);
      }
    }
    return "I/O error (" + e.getClass().getSimpleName() + ")";
  }

  private static String closed(boolean responseStarted) {
    return responseStarted ? "connection closed mid-response" : "connection closed before a response";
  }

  /** Whether the calling thread was interrupted, rather than a timeout having fired. */
  static boolean isInterrupted(IOException e) {
    return Thread.currentThread().isInterrupted()
        || (e instanceof InterruptedIOException && "interrupted".equals(e.getMessage()));
  }
}
