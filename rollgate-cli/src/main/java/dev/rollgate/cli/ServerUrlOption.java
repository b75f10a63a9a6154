package dev.rollgate.cli;

import picocli.CommandLine.Option;

/** {@code --url}: the server a command talks to. */
final class ServerUrlOption {
  @Option(
      names = "--url",
      paramLabel = "URL",
      defaultValue = "http://127.0.0.1:8420",
      description = "The server's base URL.")
  String url;
}
