package dev.rollgate.cli.common;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;

/** Turns I/O failures into words: the JDK's HTTP client often throws them without a message. */
public final class Errors {
  private Errors() {}

  /** Why a request failed, for example "connection refused", never "null". */
  public static String reason(IOException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof UnresolvedAddressException) {
        return "unknown host";
      }
    }
    if (e instanceof HttpConnectTimeoutException) {
      return "connect timed out";
    }
    if (e instanceof HttpTimeoutException) {
      return "timed out";
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getMessage() != null && !t.getMessage().isBlank()) {
        return t.getMessage();
      }
    }
    // A refused connection comes as a ConnectException with no message at all.
    return e instanceof ConnectException ? "connection refused" : e.getClass().getSimpleName();
  }
}
