package dev.rollgate.sdk;

/**
 * What {@link StreamFollower} and {@link Poller} learn from the server, for the client to act on
 * (serve, change its status). They only talk HTTP; the client decides what each answer means.
 */
interface ConfigurationSink {
  /** A configuration (a flagd document) the server sent just now. */
  void configuration(String document);

  /** The server says the configuration served is current (a 304 to a poll). */
  void current();

  /** The server refused the token (401 or 403). */
  void refused();

  /** The stream ended or failed: what is served may now fall behind. */
  void lost();
}
