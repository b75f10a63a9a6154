package dev.rollgate.server.testing;

/** The stores every server test runs against. */
public enum StoreKind {
  SQLITE,
  POSTGRES
}
